import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { PreloadApi } from '../../../shared/wire';

const exposed = new Map<string, unknown>();
const invoked: unknown[][] = [];
const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: (...args: unknown[]) => {
    invoked.push(args);
    return Promise.resolve({ ok: true, value: 'answer' });
  },
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer,
}));

await import('../../../main/app/preload');
const { CALL_CHANNEL, EVENT_CHANNEL } = await import('../../../main/app/policy/channels');

describe('preload', () => {
  it('exposes exactly one object, kvsWall, with exactly call and on', () => {
    expect([...exposed.keys()]).toEqual(['kvsWall']);
    const api = exposed.get('kvsWall') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(typeof api.call).toBe('function');
    expect(typeof api.on).toBe('function');
  });

  it('sends calls over the one invoke channel and nothing else', async () => {
    const api = exposed.get('kvsWall') as PreloadApi;
    await expect(api.call('app.info', {})).resolves.toEqual({ ok: true, value: 'answer' });
    expect(invoked).toEqual([[CALL_CHANNEL, 'app.info', {}]]);
    await expect(api.call(42 as never, {})).rejects.toThrow(TypeError);
    expect(invoked).toHaveLength(1);
  });

  it('delivers events by name, isolates a throwing listener, and unsubscribes', () => {
    const api = exposed.get('kvsWall') as PreloadApi;
    const seen: unknown[] = [];
    vi.spyOn(console, 'error').mockImplementation(() => {});
    api.on('walls.changed', () => {
      throw new Error('listener bug');
    });
    const off = api.on('walls.changed', (p) => seen.push(p));
    ipcRenderer.emit(EVENT_CHANNEL, {}, 'walls.changed', { n: 1 });
    ipcRenderer.emit(EVENT_CHANNEL, {}, 'accounts.changed', { n: 2 });
    expect(seen).toEqual([{ n: 1 }]);
    off();
    ipcRenderer.emit(EVENT_CHANNEL, {}, 'walls.changed', { n: 3 });
    expect(seen).toEqual([{ n: 1 }]);
    // One IPC listener serves every subscription.
    expect(ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(1);
    expect(() => api.on('walls.changed', 'not a function' as never)).toThrow(TypeError);
  });
});
