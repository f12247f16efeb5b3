import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WallApiError } from '../../../shared/errors';
import { startBrowserShell, type BrowserShell } from '../../../main/web';
import { createWsClient, socketUrlFromLocation, type SocketLike, type WsClient } from '../../../renderer/src/api/ws-client';
import { memoryCore } from './memory-core';

describe('renderer WebSocket client against the real browser shell', () => {
  let dir: string;
  let shell: BrowserShell;
  let socketUrl: string;
  let sockets: WebSocket[];
  let client: WsClient;
  const core = memoryCore();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-wall-client-'));
    shell = await startBrowserShell({ port: 0, userDataDir: dir, rendererDir: dir, core });
    const page = new URL(shell.url);
    socketUrl = socketUrlFromLocation({ protocol: page.protocol, host: page.host, search: page.search, hash: '' })!;
  });
  afterAll(async () => {
    await shell.stop();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => client?.close());

  /** The client with Node's `ws` standing in for the browser's WebSocket (same event API). */
  function connect(url = socketUrl): WsClient {
    sockets = [];
    client = createWsClient({
      url,
      initialBackoffMs: 20,
      maxBackoffMs: 100,
      connectWaitMs: 2000,
      createSocket: (u) => {
        const ws = new WebSocket(u, { origin: new URL(shell.url).origin });
        sockets.push(ws);
        return ws as unknown as SocketLike;
      },
    });
    return client;
  }

  it('finds the socket URL from the page query or fragment, and none without a token', () => {
    const loc = { protocol: 'http:', host: '127.0.0.1:9', search: '?token=abc', hash: '' };
    expect(socketUrlFromLocation(loc)).toBe('ws://127.0.0.1:9/ipc?token=abc');
    expect(socketUrlFromLocation({ ...loc, search: '', hash: '#token=x%2By' })).toBe('ws://127.0.0.1:9/ipc?token=x%2By');
    expect(socketUrlFromLocation({ ...loc, search: '' })).toBeUndefined();
  });

  it('answers calls with values and refusals with typed WallApiErrors', async () => {
    const api = connect();
    const info = await api.call('app.info', {});
    expect(info.shell).toBe('browser');
    const error = await api.call('accounts.remove', { id: 'ghost' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WallApiError);
    expect((error as WallApiError).detail).toMatchObject({ code: 'AccountNotFound' });
    const invalid = await api.call('walls.save', { id: 'w', name: 'x', grid: 7, tiles: [] }).catch((e: unknown) => e);
    expect((invalid as WallApiError).detail).toMatchObject({ code: 'InvalidRequest', field: 'grid' });
  });

  it('fails calls in flight with a retryable NetworkError when the socket drops, then reconnects and resubscribes', async () => {
    const api = connect();
    const seen: unknown[] = [];
    api.on('walls.changed', (p) => seen.push(p));
    await api.call('app.info', {});

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered = false;
    const listWalls = core.services.listWalls.bind(core.services);
    core.services.listWalls = async () => {
      entered = true;
      await gate;
      return listWalls();
    };
    const inFlight = api.call('walls.list', {}).catch((e: unknown) => e);
    await expect.poll(() => entered).toBe(true);
    sockets[0]!.terminate();
    const dropped = await inFlight;
    expect(dropped).toBeInstanceOf(WallApiError);
    expect((dropped as WallApiError).detail).toMatchObject({ code: 'NetworkError', retryable: true });
    release();
    core.services.listWalls = listWalls;

    // The next call waits for the reconnect instead of failing.
    expect((await api.call('app.info', {})).shell).toBe('browser');
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => core.events.emit('walls.changed', {})).toBe(1);
    await expect.poll(() => seen.length).toBeGreaterThan(0);
  });

  it('tells reconnect listeners each time the socket opens again after a drop, never on the first open', async () => {
    const api = connect();
    let reconnects = 0;
    const off = api.onReconnected(() => (reconnects += 1));
    await api.call('app.info', {});
    expect(reconnects).toBe(0);
    sockets[0]!.terminate();
    await expect.poll(() => reconnects).toBe(1);
    // By the time listeners run the socket is open: a call made from one is sent at once.
    expect(api.connected).toBe(true);
    expect(sockets).toHaveLength(2);
    sockets[1]!.terminate();
    await expect.poll(() => reconnects).toBe(2);
    off();
    sockets[2]!.terminate();
    await expect.poll(() => sockets.length).toBe(4);
    await api.call('app.info', {});
    expect(reconnects).toBe(2);
  });

  it('stops delivering an event after its last listener unsubscribes', async () => {
    const api = connect();
    const seen: string[] = [];
    const offA = api.on('accounts.changed', () => seen.push('a'));
    const offB = api.on('accounts.changed', () => seen.push('b'));
    await api.call('app.info', {});
    expect(core.events.emit('accounts.changed', {})).toBe(1);
    await expect.poll(() => seen.sort().join()).toBe('a,b');
    offA();
    offB();
    await api.call('app.info', {});
    expect(core.events.emit('accounts.changed', {})).toBe(0);
    expect(() => api.on('no.such.event' as never, () => {})).toThrow(TypeError);
  });

  it('fails a call with NetworkError when the shell is unreachable, instead of hanging', async () => {
    client = createWsClient({
      url: socketUrl.replace(/token=[^&]+/, 'token=wrong'),
      initialBackoffMs: 20,
      maxBackoffMs: 50,
      connectWaitMs: 300,
      createSocket: (u) => {
        const ws = new WebSocket(u, { origin: new URL(shell.url).origin });
        ws.on('error', () => {});
        return ws as unknown as SocketLike;
      },
    });
    const error = await client.call('app.info', {}).catch((e: unknown) => e);
    expect((error as WallApiError).detail).toMatchObject({ code: 'NetworkError', retryable: true });
  });
});
