import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplySchema } from '../../../shared/contract';
import { startBrowserShell, type BrowserShell } from '../../../main/web';
import { MAX_FRAME_BYTES } from '../../../main/web/socket-session';
import { memoryCore } from './memory-core';
import { openSocket, socketUrl, type OpenSocket } from './ws-support';

const ACCOUNT = { name: 'Ops', region: 'eu-west-1', accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: 'x'.repeat(40) };

describe('browser shell WebSocket', () => {
  let dir: string;
  let shell: BrowserShell;
  let origin: string;
  let url: string;
  const core = memoryCore();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-wall-ws-'));
    shell = await startBrowserShell({ port: 0, userDataDir: dir, rendererDir: dir, core });
    origin = new URL(shell.url).origin;
    url = socketUrl(shell.url);
  });
  afterAll(async () => {
    await shell.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (s: OpenSocket, id: number, name: unknown, payload: unknown) => {
    s.ws.send(JSON.stringify({ id, call: name, payload }));
    const frame = await s.next((f) => f.id === id);
    return ReplySchema.parse(frame.reply);
  };

  it('refuses a socket without the token or with a wrong one (401)', async () => {
    await expect(openSocket(url.replace(/\?token=.*/, ''), origin)).rejects.toThrow('HTTP 401');
    // Same length, one character changed: the token is random, so the replacement must differ from it.
    const wrong = url.replace(/token=(.)/, (_match, first: string) => `token=${first === 'A' ? 'B' : 'A'}`);
    expect(wrong).not.toBe(url);
    await expect(openSocket(wrong, origin)).rejects.toThrow('HTTP 401');
  });

  it('refuses a socket from another origin, or none (403)', async () => {
    for (const bad of ['http://evil.example', `http://127.0.0.1:${shell.port + 1}`, 'null', `https://127.0.0.1:${shell.port}`]) {
      await expect(openSocket(url, bad), bad).rejects.toThrow('HTTP 403');
    }
    await expect(openSocket(url, undefined)).rejects.toThrow('HTTP 403');
  });

  it('refuses sockets on any other path', async () => {
    await expect(openSocket(url.replace('/ipc', '/other'), origin)).rejects.toThrow('HTTP 404');
  });

  it('round-trips calls against the services', async () => {
    const s = await openSocket(url, origin);
    const added = await call(s, 1, 'accounts.add', ACCOUNT);
    expect(added.ok).toBe(true);
    const listed = await call(s, 2, 'accounts.list', {});
    expect(listed).toEqual({ ok: true, value: [...core.services.accounts.values()] });
    expect(JSON.stringify(listed)).not.toContain(ACCOUNT.secretAccessKey);
    s.ws.close();
  });

  it('answers malformed frames with typed errors and keeps the socket working', async () => {
    const s = await openSocket(url, origin);
    const bad: Array<string | Buffer> = ['not json', '{}', '[]', 'null', '42', '{"id":-1,"call":"app.info"}', '{"subscribe":"walls.changed"}', Buffer.from([1, 2, 3]), 'x'.repeat(MAX_FRAME_BYTES + 1)];
    for (const frame of bad) {
      s.ws.send(frame, { binary: Buffer.isBuffer(frame) });
      const reply = await s.next((f) => f.id === null);
      const parsed = ReplySchema.parse(reply.reply);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe('InvalidRequest');
    }
    const noCall = await call(s, 10, undefined, {});
    expect(!noCall.ok && noCall.error.code).toBe('UnknownCall');
    const badPayload = await call(s, 11, 'accounts.add', { ...ACCOUNT, region: 'moon-1' });
    expect(!badPayload.ok && badPayload.error).toMatchObject({ code: 'InvalidRequest', field: 'region' });
    const ok = await call(s, 12, 'app.info', {});
    expect(ok).toMatchObject({ ok: true, value: { shell: 'browser' } });
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    s.ws.close();
  });

  it('delivers only subscribed events, to the right socket, and forgets a closed socket', async () => {
    const a = await openSocket(url, origin);
    const b = await openSocket(url, origin);
    a.ws.send(JSON.stringify({ subscribe: ['walls.changed', 'session.state'] }));
    b.ws.send(JSON.stringify({ subscribe: ['walls.changed'] }));
    // A round trip on each socket proves its subscription frame was processed first.
    await call(a, 1, 'app.info', {});
    await call(b, 1, 'app.info', {});

    expect(core.events.emit('walls.changed', {})).toBe(2);
    expect(await a.next((f) => f.event === 'walls.changed')).toEqual({ event: 'walls.changed', payload: {} });
    expect(await b.next((f) => f.event === 'walls.changed')).toEqual({ event: 'walls.changed', payload: {} });

    // Events about a tile go to the socket that owns it only.
    const aId = core.services.calls.length;
    await call(a, 2, 'session.acquire', { tileId: 'wall:1', stream: { accountId: [...core.services.accounts.keys()][0], streamName: 'cam' }, playback: { mode: 'LIVE' } });
    expect(core.services.calls.length).toBe(aId + 1);
    const owner = core.services.sessions.get('wall:1')!;
    expect(core.events.emit('session.state', { tileId: 'wall:1', state: 'renewing' }, owner)).toBe(1);
    expect(await a.next((f) => f.event === 'session.state')).toMatchObject({ payload: { tileId: 'wall:1', state: 'renewing' } });
    expect(core.events.emit('session.state', { tileId: 'wall:1', state: 'waiting' }, 'socket-unknown')).toBe(0);

    // An event that breaks its schema is dropped, never sent.
    expect(core.events.emit('session.state', { tileId: 'wall:1', state: 'exploded' } as never)).toBe(0);

    b.ws.close();
    await new Promise((r) => b.ws.once('close', r));
    await expect.poll(() => core.gone.length).toBeGreaterThan(0);
    expect(core.events.emit('walls.changed', {})).toBe(1);

    a.ws.send(JSON.stringify({ subscribe: [] }));
    await call(a, 3, 'app.info', {});
    a.received.length = 0;
    core.events.emit('walls.changed', {});
    await call(a, 4, 'app.info', {});
    expect(a.received.filter((f) => f.event)).toEqual([]);

    a.ws.close();
    await expect.poll(() => core.gone).toContain(owner);
  });
});
