import { describe, expect, it, vi } from 'vitest';
import { ReplySchema } from '../../../shared/contract';
import { silentLogger } from '../../../main/core/logger';
import { createDispatcher } from '../../../main/ipc/dispatcher';
import { createEventHub } from '../../../main/ipc/events';
import { createHandlers } from '../../../main/ipc/handlers';
import { MemoryServices } from '../ipc/memory-services';
import { FakeIpcMain, FakeWebContents } from './electron-double';

vi.mock('electron', () => ({}));
const { nextWindowId, wireCalls, wireWindowEvents } = await import('../../../main/app/ipc');
const { createSenderPolicy } = await import('../../../main/app/policy/sender');
const { CALL_CHANNEL, EVENT_CHANNEL } = await import('../../../main/app/policy/channels');

function setup() {
  const ours = new Set<number>();
  const services = new MemoryServices();
  const dispatch = createDispatcher(createHandlers(services), { logger: silentLogger, isAllowedSender: createSenderPolicy(ours) });
  const ipcMain = new FakeIpcMain();
  const unwire = wireCalls(ipcMain as never, dispatch);
  const window = new FakeWebContents();
  ours.add(window.id);
  const invoke = async (event: unknown, name: unknown, payload: unknown) => ReplySchema.parse(await ipcMain.handlers.get(CALL_CHANNEL)!(event, name, payload));
  return { ours, services, ipcMain, unwire, window, invoke };
}

describe('Electron IPC wiring', () => {
  it('answers a call from our window on the app origin', async () => {
    const { window, invoke, services } = setup();
    const reply = await invoke({ sender: window, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'app.info', {});
    expect(reply.ok).toBe(true);
    expect(services.calls).toEqual(['appInfo']);
  });

  it('refuses a frame showing another URL with Forbidden, before the service runs', async () => {
    const { window, invoke, services } = setup();
    for (const url of ['https://evil.example/', 'file:///tmp/index.html', 'app://kvs-wall.evil/index.html', 'app://other/index.html', 'devtools://devtools/bundled/inspector.html', '']) {
      const reply = await invoke({ sender: window, senderFrame: { url } }, 'accounts.list', {});
      expect(!reply.ok && reply.error.code, url).toBe('Forbidden');
    }
    const noFrame = await invoke({ sender: window, senderFrame: null }, 'accounts.list', {});
    expect(!noFrame.ok && noFrame.error.code).toBe('Forbidden');
    const destroyedFrame = await invoke(
      {
        sender: window,
        get senderFrame() {
          throw new Error('Render frame was disposed');
        },
      },
      'accounts.list',
      {},
    );
    expect(!destroyedFrame.ok && destroyedFrame.error.code).toBe('Forbidden');
    expect(services.calls).toEqual([]);
  });

  it('refuses a webContents that is not one of our windows, even on the app origin', async () => {
    const { invoke, services, ours, window } = setup();
    const foreign = new FakeWebContents();
    const reply = await invoke({ sender: foreign, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'accounts.list', {});
    expect(!reply.ok && reply.error.code).toBe('Forbidden');
    // A window that closed is no longer ours.
    ours.delete(window.id);
    const closed = await invoke({ sender: window, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'accounts.list', {});
    expect(!closed.ok && closed.error.code).toBe('Forbidden');
    expect(services.calls).toEqual([]);
  });

  it('validates payloads behind the sender check', async () => {
    const { window, invoke } = setup();
    const reply = await invoke({ sender: window, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'walls.save', { id: '../x' });
    expect(!reply.ok && reply.error.code).toBe('InvalidRequest');
  });

  it('removes its handler when unwired', () => {
    const { ipcMain, unwire } = setup();
    unwire();
    expect(ipcMain.handlers.has(CALL_CHANNEL)).toBe(false);
  });

  it('tells the core which window a call comes from, as the shell knows it', async () => {
    const ours = new Set<number>();
    const services = new MemoryServices();
    const dispatch = createDispatcher(createHandlers(services), { logger: silentLogger, isAllowedSender: createSenderPolicy(ours) });
    const ipcMain = new FakeIpcMain();
    const window = new FakeWebContents();
    ours.add(window.id);
    wireCalls(ipcMain as never, dispatch, (id) => (id === window.id ? 'w3' : undefined));
    const reply = ReplySchema.parse(await ipcMain.handlers.get(CALL_CHANNEL)!({ sender: window, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'page.attach', { pageId: 'p1', windowId: 'w1' }));
    expect(reply).toMatchObject({ ok: true, value: { windowId: 'w3' } });
  });

  it('reports the page gone when the renderer dies or the window loads another document, not on in-page navigation', () => {
    const hub = createEventHub({ logger: silentLogger });
    const contents = new FakeWebContents();
    const gone: string[] = [];
    wireWindowEvents(contents as never, hub, (id) => gone.push(id));
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true, url: 'app://kvs-wall/index.html#x' });
    contents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false, url: 'about:blank' });
    expect(gone).toEqual([]);
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: 'app://kvs-wall/index.html' });
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(gone).toEqual([`window-${contents.id}`, `window-${contents.id}`]);
    // The window lives on: a reloaded page on it still hears events.
    expect(hub.emit('walls.changed', {})).toBe(1);
  });

  it('numbers windows w1, w2 … reusing the lowest free one', () => {
    expect(nextWindowId([])).toBe('w1');
    expect(nextWindowId(['w1', 'w2'])).toBe('w3');
    expect(nextWindowId(['w2', 'w3'])).toBe('w1');
  });

  it('forwards events to a window until it is destroyed, then reports it gone', () => {
    const hub = createEventHub({ logger: silentLogger });
    const contents = new FakeWebContents();
    const gone: string[] = [];
    wireWindowEvents(contents as never, hub, (id) => gone.push(id));
    expect(hub.emit('walls.changed', {})).toBe(1);
    expect(contents.sent).toEqual([[EVENT_CHANNEL, 'walls.changed', {}]]);
    contents.destroy();
    expect(gone).toEqual([`window-${contents.id}`]);
    expect(hub.emit('walls.changed', {})).toBe(0);
    expect(contents.sent).toHaveLength(1);
  });
});
