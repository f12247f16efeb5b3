import { beforeEach, describe, expect, it } from 'vitest';
import { CALL_NAMES, MAX_REQUEST_BYTES, ReplySchema, type CallName, type CallRequest, type Reply } from '../../../shared/contract';
import { AppFailure } from '../../../main/core/app-failure';
import { createLogger } from '../../../main/core/logger';
import { createDispatcher, type Dispatch, type SenderInfo } from '../../../main/ipc/dispatcher';
import { createHandlers } from '../../../main/ipc/handlers';
import { MemoryServices } from './memory-services';

const sender: SenderInfo = { id: 'window-1', url: 'app://kvs-wall/index.html' };
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** A request each call's schema accepts; typed so a call added to the contract without one fails to compile. */
function validRequests(accountId: string): { [N in CallName]: CallRequest<N> } {
  const stream = { accountId, streamName: 'lobby-cam' };
  return {
    'app.info': {},
    'machine.load': {},
    'app.notices': {},
    'app.dismissNotice': { id: 'notice-1' },
    'accounts.list': {},
    'accounts.add': { name: 'Ops', region: 'eu-west-1', accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: SECRET },
    'accounts.update': { id: accountId, name: 'Ops renamed' },
    'accounts.remove': { id: 'no-such-account' },
    'accounts.test': { id: accountId },
    'accounts.setDemoHidden': { hidden: true },
    'accounts.status': {},
    'accounts.retry': { id: accountId },
    'accounts.keychain': {},
    'accounts.profiles': {},
    'streams.list': { accountId, prefix: 'lob', maxResults: 10 },
    'streams.describe': stream,
    'streams.all': { accountId, refresh: true },
    'streams.tags': { accountId, streamNames: ['lobby-cam'] },
    'fragments.list': { accountId, streamName: 'lobby-cam', start: 1_000, end: 2_000, selector: 'SERVER_TIMESTAMP' },
    'timeline.coverage': { stream, selector: 'PRODUCER_TIMESTAMP', start: 1_000, end: 61_000 },
    'timeline.thumbnails': { stream, selector: 'PRODUCER_TIMESTAMP', from: 1_000, stepMs: 2_000, count: 25, height: 90 },
    'export.start': { stream, selector: 'PRODUCER_TIMESTAMP', start: 1_000, end: 61_000 },
    'export.cancel': { exportId: 'x1' },
    'export.list': {},
    'walls.list': {},
    'walls.save': { id: 'wall-1', name: 'Lobby', grid: 2, tiles: [{ cell: 0, stream, colSpan: 1, rowSpan: 1, muted: true }] },
    'walls.remove': { id: 'wall-1' },
    'settings.get': {},
    'settings.update': { sessionExpiresSeconds: 900 },
    'alerts.notify': { kind: 'offline', camera: 'lobby-cam', wall: 'Lobby', text: 'lobby-cam is offline (not playing since 10:42:00)' },
    'diagnostics.export': { capabilities: { decoders: [{ contentType: 'video/mp4; codecs="avc1.64001f"', supported: true, smooth: true }], hardwareConcurrency: 8 } },
    'page.attach': { pageId: 'page-1', windowId: 'w1' },
    'page.heartbeat': { pageId: 'page-1', usage: [{ tileId: 'wall-1:0', sessionId: 's1', manifests: 3, inits: 1, fragments: 4, throttled: 0 }] },
    'page.cameras': { live: 14, total: 16 },
    'page.detach': { pageId: 'page-1' },
    'session.acquire': { tileId: 'wall-1:0', stream, playback: { mode: 'LIVE' } },
    'session.release': { tileId: 'wall-1:0' },
    'session.reportFailure': { tileId: 'wall-1:0', sessionId: 's1', httpStatus: 400, errorType: 'ClientLimitExceededException' },
  };
}

/** A value of a different JSON type than `v`, so a schema expecting `v`'s type must refuse it. */
function wrongTypeFor(v: unknown): unknown {
  if (typeof v === 'string') return 12345;
  if (typeof v === 'number') return 'twelve';
  if (typeof v === 'boolean') return 'yes';
  if (Array.isArray(v)) return { not: 'an array' };
  return 'not-an-object';
}

/** Every path to a value inside a request (objects and arrays included), e.g. ['stream', 'accountId']. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return prefix.length ? [prefix] : [];
  const own = prefix.length ? [prefix] : [];
  const children = Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]));
  return [...own, ...children];
}

function withValueAt(value: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = replacement;
  return copy;
}

function expectTypedRefusal(reply: Reply, code: string) {
  expect(ReplySchema.safeParse(reply).success).toBe(true);
  if (reply.ok) throw new Error(`expected a refusal, got ${JSON.stringify(reply.value)}`);
  expect(reply.error.code).toBe(code);
  expect(reply.error.message.length).toBeGreaterThan(10);
  // No stack frames, file paths or raw error class names reach the renderer.
  expect(reply.error.message).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|TypeError|ZodError/);
  return reply.error;
}

describe('IPC dispatcher under hostile payloads', () => {
  let services: MemoryServices;
  let dispatch: Dispatch;
  let logLines: string[];
  let valid: ReturnType<typeof validRequests>;

  beforeEach(async () => {
    services = new MemoryServices();
    logLines = [];
    dispatch = createDispatcher(createHandlers(services), { logger: createLogger({ write: (l) => logLines.push(l) }) });
    const added = await dispatch('accounts.add', validRequests('x')['accounts.add'], sender);
    if (!added.ok) throw new Error('setup: could not add an account');
    valid = validRequests((added.value as { id: string }).id);
  });

  /** The dispatcher must still answer an ordinary call correctly after whatever came before. */
  async function expectStillServing() {
    const reply = await dispatch('accounts.list', {}, sender);
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(reply.value).toEqual([...services.accounts.values()]);
  }

  it('accepts every valid example (so the refusals below are about the mutation, not the example)', async () => {
    for (const name of CALL_NAMES) {
      const reply = await dispatch(name, valid[name], sender);
      if (!reply.ok) expect(reply.error.code, `${name}: ${reply.error.message}`).not.toBe('InvalidRequest');
    }
    expect(services.calls).toContain('acquireSession');
  });

  for (const name of CALL_NAMES) {
    describe(name, () => {
      it('refuses non-objects, arrays, null and undefined with InvalidRequest', async () => {
        for (const payload of [null, undefined, 0, 42, -1, 'text', '', true, false, [], [valid[name]], [1, 2, 3]]) {
          const error = expectTypedRefusal(await dispatch(name, payload, sender), 'InvalidRequest');
          expect(error.message).toContain(name);
        }
        await expectStillServing();
      });

      it('refuses an oversize payload before parsing it', async () => {
        const before = services.calls.length;
        const huge = { ...valid[name], padding: 'x'.repeat(MAX_REQUEST_BYTES) };
        const manyItems = Array.from({ length: MAX_REQUEST_BYTES }, (_, i) => i);
        for (const payload of [huge, manyItems, 'y'.repeat(MAX_REQUEST_BYTES + 1)]) {
          const error = expectTypedRefusal(await dispatch(name, payload, sender), 'InvalidRequest');
          expect(error.message).toMatch(/larger than \d+ bytes/);
        }
        expect(services.calls.length).toBe(before);
        await expectStillServing();
      });

      it('refuses each field given the wrong type, naming the field', async () => {
        const paths = pathsOf(valid[name]);
        for (const path of paths) {
          const original = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], valid[name]);
          const payload = withValueAt(valid[name], path, wrongTypeFor(original));
          const error = expectTypedRefusal(await dispatch(name, payload, sender), 'InvalidRequest');
          expect(error.field, `${name} ${path.join('.')}: ${error.message}`).toBeDefined();
          expect(path.join('.').startsWith(error.field!) || error.field!.startsWith(path.join('.')), `${path.join('.')} vs ${error.field}`).toBe(true);
        }
        await expectStillServing();
      });

      it('refuses extra keys, naming the key', async () => {
        const payload = { ...valid[name], isAdmin: true };
        const error = expectTypedRefusal(await dispatch(name, payload, sender), 'InvalidRequest');
        expect(error.field).toBe('isAdmin');
        expect(error.message).toContain('isAdmin');
        await expectStillServing();
      });

      it('refuses prototype-polluting keys and deep nesting without throwing', async () => {
        const polluted = JSON.parse(`{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}`);
        expectTypedRefusal(await dispatch(name, polluted, sender), 'InvalidRequest');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        let deep: unknown = 'leaf';
        for (let i = 0; i < 5000; i++) deep = [deep];
        expectTypedRefusal(await dispatch(name, { ...valid[name], deep }, sender), 'InvalidRequest');
        const cyclic: Record<string, unknown> = { ...valid[name] };
        cyclic.self = cyclic;
        expectTypedRefusal(await dispatch(name, cyclic, sender), 'InvalidRequest');
        await expectStillServing();
      });
    });
  }

  it('refuses unknown call names, including inherited object keys', async () => {
    for (const bad of ['accounts.delete', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 42, null, undefined, {}, ['app.info']]) {
      const error = expectTypedRefusal(await dispatch(bad, {}, sender), 'UnknownCall');
      expect(error.retryable).toBe(false);
    }
    const long = expectTypedRefusal(await dispatch('z'.repeat(10_000), {}, sender), 'UnknownCall');
    expect(long.message.length).toBeLessThan(200);
    await expectStillServing();
  });

  it('turns a plain Error from a handler into Internal without leaking its message or secrets', async () => {
    services.listWalls = async () => {
      throw new Error(`db exploded at https://x/getDASHManifest.mpd?SessionToken=tok123 with "secretAccessKey":"${SECRET}"`);
    };
    const error = expectTypedRefusal(await dispatch('walls.list', {}, sender), 'Internal');
    expect(error.message).not.toContain('exploded');
    expect(error.message).not.toContain('tok123');
    expect(error.message).not.toContain(SECRET);
    const logged = logLines.join('');
    expect(logged).toContain('exploded');
    expect(logged).not.toContain('tok123');
    expect(logged).not.toContain(SECRET);
    await expectStillServing();
  });

  it('turns a thrown non-Error value into Internal', async () => {
    services.getSettings = async () => {
      throw { weird: true };
    };
    expectTypedRefusal(await dispatch('settings.get', {}, sender), 'Internal');
    await expectStillServing();
  });

  it('passes an AppFailure through as its typed error, with session tokens redacted', async () => {
    const error = expectTypedRefusal(await dispatch('accounts.remove', { id: 'missing' }, sender), 'AccountNotFound');
    expect(error.message).toContain('missing');
    services.listWalls = async () => {
      throw new AppFailure({ code: 'NetworkError', message: 'GET ...mpd?SessionToken=tok999 failed', retryable: true, retryAt: 5 });
    };
    const net = expectTypedRefusal(await dispatch('walls.list', {}, sender), 'NetworkError');
    expect(net).toMatchObject({ retryable: true, retryAt: 5 });
    expect(net.message).not.toContain('tok999');
  });

  it('reports a handler response outside its schema as Internal, and strips unnamed fields from good ones', async () => {
    services.getSettings = async () => ({ sessionExpiresSeconds: 'soon' }) as never;
    expectTypedRefusal(await dispatch('settings.get', {}, sender), 'Internal');
    expect(logLines.join('')).toMatch(/outside its schema/);

    services.listAccounts = async () =>
      [{ id: 'a1', kind: 'keys', name: 'A', region: 'us-east-1', accessKeyId: 'AKIA', hasSessionToken: false, secretAccessKey: SECRET }] as never;
    const reply = await dispatch('accounts.list', {}, sender);
    expect(reply.ok).toBe(true);
    expect(JSON.stringify(reply)).not.toContain(SECRET);
  });

  it('lets a store notice carry only relative file names and no free text', async () => {
    const notice = { id: 'notice-1', file: 'walls.json', movedTo: 'walls.json.corrupt-20251124T214700123Z', reason: 'corrupt' as const, at: 1 };
    services.notices = [{ ...notice, message: `it is not valid JSON ("${SECRET}")` } as typeof notice];
    const reply = await dispatch('app.notices', {}, sender);
    expect(reply).toEqual({ ok: true, value: [notice] });

    for (const movedTo of ['/home/someone/.config/KVS Wall/walls.json.corrupt-1', '../walls.json.corrupt-1', 'C:\\Users\\x\\walls.json']) {
      services.notices = [{ ...notice, movedTo }];
      expectTypedRefusal(await dispatch('app.notices', {}, sender), 'Internal');
    }
  });

  it('refuses a sender the transport does not trust, before looking at the call', async () => {
    const guarded = createDispatcher(createHandlers(services), {
      logger: createLogger({ write: (l) => logLines.push(l) }),
      isAllowedSender: (s) => s.url.startsWith('app://kvs-wall/'),
    });
    const before = services.calls.length;
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'app://kvs-wall.evil/']) {
      expectTypedRefusal(await guarded('accounts.list', {}, { id: 'w9', url }), 'Forbidden');
      expectTypedRefusal(await guarded('nope', null, { id: 'w9', url }), 'Forbidden');
    }
    expect(services.calls.length).toBe(before);
    expect((await guarded('accounts.list', {}, sender)).ok).toBe(true);
  });

  it('tells handlers which sender called, so sessions stay per window', async () => {
    await dispatch('session.acquire', valid['session.acquire'], { id: 'window-A', url: sender.url });
    const other = await dispatch('session.release', { tileId: 'wall-1:0' }, { id: 'window-B', url: sender.url });
    expect(other).toEqual({ ok: true, value: { released: false } });
    const owner = await dispatch('session.release', { tileId: 'wall-1:0' }, { id: 'window-A', url: sender.url });
    expect(owner).toEqual({ ok: true, value: { released: true } });
  });

  it('passes on the window the shell says a sender is, which wins over the page\'s own idea', async () => {
    const told = await dispatch('page.attach', { pageId: 'page-9', windowId: 'w7' }, { id: 'window-A', url: sender.url, windowId: 'w2' });
    expect(told).toMatchObject({ ok: true, value: { windowId: 'w2' } });
    const suggested = await dispatch('page.attach', { pageId: 'page-8', windowId: 'w7' }, { id: 'socket-1', url: sender.url });
    expect(suggested).toMatchObject({ ok: true, value: { windowId: 'w7' } });
  });

  it('refuses tile ids that are not a wall and a cell', async () => {
    for (const tileId of ['tile-1', 'wall:64', 'wall:-1', ':3', 'wall/1:2', 'w:1:2']) {
      const error = expectTypedRefusal(await dispatch('session.acquire', { ...valid['session.acquire'], tileId }, sender), 'InvalidRequest');
      expect(error.field).toBe('tileId');
    }
  });
});
