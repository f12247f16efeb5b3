import { describe, expect, it } from 'vitest';
import { ReplySchema, type CallResponse, type EventName } from '../../../shared/contract';
import type { Grant, StreamRef } from '../../../shared/model';
import { silentLogger } from '../../../main/core/logger';
import { createDispatcher, type SenderInfo } from '../../../main/ipc/dispatcher';
import { createEventHub } from '../../../main/ipc/events';
import { createHandlers } from '../../../main/ipc/handlers';
import { PageRegistry } from '../../../main/pages/page-registry';
import { createPageSessions } from '../../../main/pages/page-sessions';
import { MemoryServices } from '../ipc/memory-services';
import { WallHarness } from '../sessions/wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'lobby' };
const dock: StreamRef = { accountId: 'acc1', streamName: 'dock' };
const LIVE = { mode: 'LIVE' } as const;

/** The core's page and session calls over a fake-clock session service, through the real dispatcher. */
async function core(options: { quota?: 'points' } = {}) {
  const h = new WallHarness({
    seed: 101,
    config: {
      expiresSeconds: 1800,
      reservePerStream: 0,
      ...(options.quota ? { quotaFor: () => ({ model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare: 0.5 }) } : {}),
    },
  });
  await h.start();
  const events = createEventHub({ logger: silentLogger });
  const registry = new PageRegistry({ clock: h.clock, logger: silentLogger, onGone: (page) => h.service.releaseOwner(page.pageId) });
  const pages = createPageSessions({ registry, sessions: h.service, events, logger: silentLogger });
  const services = Object.assign(new MemoryServices(), {
    attachPage: pages.attach,
    heartbeatPage: pages.heartbeat,
    detachPage: pages.detach,
    acquireSession: pages.acquire,
    releaseSession: pages.release,
    reportSessionFailure: pages.reportFailure,
  });
  const dispatch = createDispatcher(createHandlers(services), { logger: silentLogger });
  const received = new Map<string, Array<{ name: EventName; payload: unknown }>>();
  const listen = (senderId: string) => {
    received.set(senderId, []);
    return events.subscribe(senderId, (name, payload) => void received.get(senderId)!.push({ name, payload }));
  };
  async function call<T>(sender: SenderInfo, name: string, payload: unknown): Promise<T> {
    const reply = ReplySchema.parse(await h.settle(dispatch(name, payload, sender)));
    if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
    return reply.value as T;
  }
  return { h, registry, dispatch, call, listen, received };
}

const socket = (n: number): SenderInfo => ({ id: `socket-${n}`, url: 'http://127.0.0.1:1' });
type Acquired = CallResponse<'session.acquire'>;
const grantOf = (a: Acquired): Grant => {
  if (a.status !== 'granted') throw new Error(`expected a grant, got ${JSON.stringify(a)}`);
  return a.grant;
};

describe('page and session calls', () => {
  it('a sender with no attached page is told to attach; its releases and reports are not accepted', async () => {
    const { call } = await core();
    const acquired = await call<Acquired>(socket(1), 'session.acquire', { tileId: 'wall:0', stream: cam, playback: LIVE });
    expect(acquired).toEqual({ status: 'error', error: expect.objectContaining({ code: 'PageNotAttached', retryable: true }) });
    expect(await call(socket(1), 'session.release', { tileId: 'wall:0' })).toEqual({ released: false });
    expect(await call(socket(1), 'session.reportFailure', { tileId: 'wall:0', sessionId: 's1', httpStatus: 403 })).toEqual({ accepted: false });
    expect(await call(socket(1), 'page.heartbeat', { pageId: 'p1' })).toEqual({ accepted: false });
  });

  it('routes a tile\'s events to the sender showing its window now, also after a reconnect', async () => {
    const { call, listen, received, h } = await core();
    listen('socket-1');
    listen('socket-2');
    await call(socket(1), 'page.attach', { pageId: 'p1' });
    const first = grantOf(await call<Acquired>(socket(1), 'session.acquire', { tileId: 'wall:0', stream: cam, playback: LIVE }));
    expect(received.get('socket-1')!.some((e) => e.name === 'session.state' && (e.payload as { tileId: string }).tileId === 'wall:0')).toBe(true);

    // The socket drops without main noticing yet; the page reconnects and attaches again.
    expect(await call(socket(2), 'page.attach', { pageId: 'p1', windowId: 'w1' })).toMatchObject({ windowId: 'w1' });
    const again = grantOf(await call<Acquired>(socket(2), 'session.acquire', { tileId: 'wall:0', stream: cam, playback: LIVE }));
    expect(again).toEqual(first);
    // A renewal reaches the new socket only (the page keeps beating meanwhile).
    const before = received.get('socket-1')!.length;
    for (let t = 0; t < 1800_000; t += 5_000) {
      await h.clock.advance(5_000);
      expect(await call(socket(2), 'page.heartbeat', { pageId: 'p1' })).toEqual({ accepted: true });
    }
    expect(received.get('socket-2')!.some((e) => e.name === 'session.renewed')).toBe(true);
    expect(received.get('socket-1')!.slice(before).filter((e) => e.name !== 'session.budget')).toEqual([]);
  });

  it('a page that went quiet gives its tiles\' sessions back; the next page of the window gets them with no call', async () => {
    const { call, h } = await core();
    await call(socket(1), 'page.attach', { pageId: 'p1' });
    const grants = await Promise.all([0, 1, 2].map((cell) => call<Acquired>(socket(1), 'session.acquire', { tileId: `wall:${cell}`, stream: cell === 2 ? dock : cam, playback: LIVE })));
    const calls = h.kvs.stats.brokerCalls;
    // No heartbeat for a lease period (the renderer crashed, the machine's network dropped…).
    await h.clock.advance(21_000);
    expect(h.service.budget(cam)).toMatchObject({ used: 2, pooled: 2 });
    expect(await call(socket(1), 'page.heartbeat', { pageId: 'p1' })).toEqual({ accepted: false });

    await call(socket(2), 'page.attach', { pageId: 'p2', windowId: 'w1' });
    const back = await Promise.all([0, 1, 2].map((cell) => call<Acquired>(socket(2), 'session.acquire', { tileId: `wall:${cell}`, stream: cell === 2 ? dock : cam, playback: LIVE })));
    expect(back.map(grantOf).map((g) => g.sessionId)).toEqual(grants.map(grantOf).map((g) => g.sessionId));
    expect(h.kvs.stats.brokerCalls).toBe(calls);
  });

  it('a swap: the release the page sends first frees the session before the acquire that follows it runs', async () => {
    const { call, dispatch, h } = await core();
    await call(socket(1), 'page.attach', { pageId: 'p1' });
    await call(socket(1), 'session.acquire', { tileId: 'wall:0', stream: cam, playback: LIVE });
    await call(socket(1), 'session.acquire', { tileId: 'wall:1', stream: dock, playback: LIVE });
    const calls = h.kvs.stats.brokerCalls;
    // Four frames in a row, as a socket delivers them; nobody awaits in between.
    const replies = [
      dispatch('session.release', { tileId: 'wall:0' }, socket(1)),
      dispatch('session.release', { tileId: 'wall:1' }, socket(1)),
      dispatch('session.acquire', { tileId: 'wall:0', stream: dock, playback: LIVE }, socket(1)),
      dispatch('session.acquire', { tileId: 'wall:1', stream: cam, playback: LIVE }, socket(1)),
    ];
    const [r0, r1, a0, a1] = (await h.settle(Promise.all(replies))).map((r) => ReplySchema.parse(r));
    expect([r0, r1]).toEqual([
      { ok: true, value: { released: true } },
      { ok: true, value: { released: true } },
    ]);
    expect([a0, a1].map((r) => (r?.ok ? (r.value as Acquired).status : r?.error.code))).toEqual(['granted', 'granted']);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
  });

  it('an Electron reload: the new page on the same window supersedes the old one and finds its sessions', async () => {
    const { call, h } = await core();
    const win: SenderInfo = { id: 'window-3', url: 'app://kvs-wall/index.html', windowId: 'w1' };
    await call(win, 'page.attach', { pageId: 'first-load' });
    const first = grantOf(await call<Acquired>(win, 'session.acquire', { tileId: 'wall:4', stream: cam, playback: LIVE }));
    expect(await call(win, 'page.attach', { pageId: 'second-load', windowId: 'w9' })).toMatchObject({ windowId: 'w1' });
    const second = grantOf(await call<Acquired>(win, 'session.acquire', { tileId: 'wall:4', stream: cam, playback: LIVE }));
    expect(second.sessionId).toBe(first.sessionId);
    expect(h.kvs.stats.brokerCalls).toBe(1);
  });

  it('heartbeat usage is priced against the tile\'s stream', async () => {
    const { call, h } = await core({ quota: 'points' });
    await call(socket(1), 'page.attach', { pageId: 'p1' });
    const grant = grantOf(await call<Acquired>(socket(1), 'session.acquire', { tileId: 'wall:0', stream: cam, playback: LIVE }));
    await h.clock.advance(5_000);
    expect(await call(socket(1), 'page.heartbeat', { pageId: 'p1', usage: [{ tileId: 'wall:0', sessionId: grant.sessionId, manifests: 5, inits: 1, fragments: 10, throttled: 0 }] })).toEqual({
      accepted: true,
    });
    // 25 metadata and 10 media points over the five seconds (and a little) since the page attached.
    const { metadataPerSecond, mediaPerSecond } = h.service.budget(cam).points!;
    expect(metadataPerSecond).toBeGreaterThan(4.5);
    expect(metadataPerSecond).toBeLessThanOrEqual(5);
    expect(mediaPerSecond).toBeGreaterThan(1.8);
    expect(mediaPerSecond).toBeLessThanOrEqual(2);
  });
});
