import { describe, expect, it } from 'vitest';
import type { StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'front-door' };
const yard: StreamRef = { accountId: 'acc1', streamName: 'yard' };
const LIVE = { mode: 'LIVE' } as const;

function harness(expiresSeconds = 300, reservePerStream = 1) {
  return new WallHarness({ seed: 7, config: { expiresSeconds, reservePerStream } });
}

describe('session broker basics', () => {
  it('grants a session on acquire and renews it before every expiry', async () => {
    const h = harness(600);
    await h.start();
    const answer = await h.acquireSettled('t1', cam, LIVE);
    expect(answer.status).toBe('granted');
    const first = h.tiles.get('t1')?.grant;
    expect(first && first.expiresAt - first.issuedAt).toBe(600_000);

    await h.clock.advance(6 * 3600_000);
    const tile = h.tiles.get('t1');
    // One session per (Expires − lead − jitter) = 530…540 s over 6 h.
    expect(h.renewedEvents).toBeGreaterThanOrEqual(Math.floor((6 * 3600) / 540) - 1);
    expect(h.renewedEvents).toBeLessThanOrEqual(Math.ceil((6 * 3600) / 530));
    expect(tile?.grants).toBe(h.renewedEvents + 1);
    expect(h.violations).toEqual([]);
    expect(Math.min(...h.swapMargins)).toBeGreaterThanOrEqual(55);
    expect(h.kvs.stats.brokerCalls).toBe(tile?.grants);
    expect(h.statesOf('t1').slice(0, 2)).toEqual(['acquiring', 'granted']);
    expect(h.statesOf('t1')).toContain('renewing');
  });

  it('answers a repeated acquire with the session the tile already holds, without calling KVS', async () => {
    const h = harness();
    await h.start();
    const a = await h.acquireSettled('t1', cam, LIVE);
    const b = await h.acquireSettled('t1', cam, LIVE);
    expect(a.status === 'granted' && b.status === 'granted' && b.grant.sessionId === a.grant.sessionId).toBe(true);
    expect(h.kvs.stats.brokerCalls).toBe(1);
  });

  it('a tile switching playback gets a new session while the old one keeps counting', async () => {
    const h = harness();
    await h.start();
    await h.acquireSettled('t1', cam, LIVE);
    const replay = { mode: 'LIVE_REPLAY', start: h.clock.now() - 3600_000, selector: 'SERVER_TIMESTAMP' } as const;
    const b = await h.acquireSettled('t1', cam, replay);
    expect(b.status).toBe('granted');
    expect(h.kvs.stats.brokerCalls).toBe(2);
    expect(h.broker.budget(cam).used).toBe(2);
  });

  it('paces a wall that opens at once below the per-stream call quota, and makes extra tiles wait for a slot', async () => {
    const h = harness(300, 1);
    await h.start();
    const answers = Array.from({ length: 10 }, (_, i) => h.acquire(`c${i}`, cam, LIVE));
    const other = h.acquire('y0', yard, LIVE);
    const results = await h.settle(Promise.all([...answers, other]));

    const granted = results.filter((r) => r.status === 'granted').length;
    // Budget 9, one kept spare for renewals: 8 tiles play on the stream, the others wait.
    expect(granted).toBe(8 + 1);
    const waiting = results.filter((r) => r.status === 'waiting');
    expect(waiting).toHaveLength(2);
    expect(h.kvs.stats.throttled).toBe(0);
    const camCalls = h.kvs.brokerCallTimes.filter((c) => c.stream === 'acc1/front-door').map((c) => c.at);
    for (const at of camCalls) expect(camCalls.filter((t) => t >= at && t < at + 1000).length).toBeLessThanOrEqual(4);
    const budget = h.broker.budget(cam);
    expect(budget).toMatchObject({ used: 8, limit: 9 });
    for (const w of waiting) {
      expect(w.status === 'waiting' && w.until).toBe(budget.nextFreeAt);
      expect(w.status === 'waiting' && w.reason).toBe('8 of 10 sessions on this camera are in use: 8 on this wall, 0 elsewhere; 1 for other viewers and 1 for renewals are kept free');
    }
    expect(h.budgets.some((b) => b.stream.streamName === 'front-door' && b.used === 8 && b.limit === 9)).toBe(true);
  });

  it('a waiting tile takes the session another tile lets go, by a renewed event, with no call', async () => {
    const h = harness(300, 1);
    await h.start();
    await h.settle(Promise.all(Array.from({ length: 8 }, (_, i) => h.acquire(`c${i}`, cam, LIVE))));
    const late = await h.acquireSettled('late', cam, LIVE);
    expect(late.status).toBe('waiting');
    expect(h.statesOf('late')).toEqual(['acquiring', 'waiting']);

    const calls = h.kvs.stats.brokerCalls;
    const freed = h.tiles.get('c0')!.grant!;
    await h.release('c0');
    await h.clock.advance(0);
    expect(h.tiles.get('late')?.grant?.sessionId).toBe(freed.sessionId);
    expect(h.renewedEvents).toBe(1);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    expect(h.statesOf('late')).toEqual(['acquiring', 'waiting', 'granted']);
    await h.clock.advance(3600_000);
    expect(h.violations).toEqual([]);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/front-door')).toBeLessThanOrEqual(9);
  });

  it('a waiting tile gets its first session once sessions no tile can use stop counting', async () => {
    const h = harness(300, 1);
    await h.start();
    // Eight tiles on replays: a released LIVE_REPLAY session can't serve another tile.
    const replay = { mode: 'LIVE_REPLAY', start: h.clock.now() - 3600_000, selector: 'SERVER_TIMESTAMP' } as const;
    await h.settle(Promise.all(Array.from({ length: 8 }, (_, i) => h.acquire(`c${i}`, cam, replay))));
    const late = await h.acquireSettled('late', cam, LIVE);
    expect(late.status).toBe('waiting');
    await h.release('c0');
    // Still counting: the released session holds its slot until it expires.
    await h.clock.advance(60_000);
    expect(h.tiles.get('late')?.grant).toBeUndefined();
    await h.clock.advance(12 * 60_000);
    expect(h.tiles.get('late')?.grant).toBeDefined();
    // Consecutive 'waiting' states differ only in their words as the counts change.
    expect(h.statesOf('late').filter((s, i, all) => s !== all[i - 1])).toEqual(['acquiring', 'waiting', 'acquiring', 'granted']);
    expect(h.violations).toEqual([]);
  });
});
