import { describe, expect, it } from 'vitest';
import type { AccountQuota, Playback, StreamRef, TileUsage } from '../../../shared/model';
import { pointsOf } from '../../../main/sessions/points-price';
import { addressOf, WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'lobby' };
const LIVE: Playback = { mode: 'LIVE' };
const points = (pointsShare = 0.5): AccountQuota => ({ model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare });

function pointsHarness(pointsShare = 0.5, seed = 71) {
  return new WallHarness({
    seed,
    config: { expiresSeconds: 1800, reservePerStream: 0, quotaFor: (id) => (id === 'acc1' ? points(pointsShare) : undefined) },
    kvs: { quotaModel: 'points' },
  });
}

/**
 * The players of one window, as the renderer runs them: every second each playing tile polls its
 * manifest and fetches `fragmentsPerSecond` fragments (video and audio) from the fake KVS, and every
 * 5 s the page reports what they fetched in a heartbeat.
 */
function startPlayers(h: WallHarness, fragmentsPerSecond = 1) {
  const pending = new Map<string, TileUsage>();
  const stats = { throttled: 0 };
  const tick = () => {
    for (const tile of h.tiles.values()) {
      if (!tile.wants || !tile.grant) continue;
      const { tileId } = addressOf(tile.name);
      const u = pending.get(tile.name) ?? { tileId, sessionId: tile.grant.sessionId, manifests: 0, inits: 0, fragments: 0, throttled: 0 };
      u.manifests++;
      if (!h.kvs.fetch(tile.grant.url, 'manifest')) u.throttled++;
      for (let i = 0; i < fragmentsPerSecond; i++) {
        u.fragments++;
        if (!h.kvs.fetch(tile.grant.url, 'fragment')) u.throttled++;
      }
      stats.throttled += u.throttled;
      pending.set(tile.name, u);
    }
    h.clock.setTimeout(tick, 1000);
  };
  const beat = () => {
    h.service.recordUsage('w1', [...pending.values()], 5000);
    pending.clear();
    h.clock.setTimeout(beat, 5000);
  };
  h.clock.setTimeout(tick, 1000);
  h.clock.setTimeout(beat, 5000);
  return stats;
}

describe('the sessions budget says why a tile waits, per window', () => {
  it('counts what this wall holds apart from what is held elsewhere', async () => {
    const h = new WallHarness({ seed: 72, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.settle(Promise.all(Array.from({ length: 6 }, (_, i) => h.acquire(`wall:${i}`, cam, LIVE))));
    await h.settle(Promise.all(Array.from({ length: 3 }, (_, i) => h.acquire(`w2/wall:${i}`, cam, LIVE))));
    const here = await h.acquireSettled('wall:6', cam, LIVE);
    expect(here).toMatchObject({ status: 'waiting', reason: '9 of 10 sessions on this camera are in use: 6 on this wall, 3 elsewhere; 1 for renewals is kept free' });
    const there = await h.acquireSettled('w2/wall:3', cam, LIVE);
    expect(there).toMatchObject({ status: 'waiting', reason: '9 of 10 sessions on this camera are in use: 3 on this wall, 6 elsewhere; 1 for renewals is kept free' });
    // The waiting tile's state event says the same, and `until` when the next one frees.
    const state = h.states.findLast((s) => s.windowId === 'w1' && s.tileId === 'wall:6');
    expect(state).toMatchObject({ state: 'waiting', detail: expect.stringContaining('6 on this wall') });
    expect(state?.until).toBe(h.service.budget(cam).nextFreeAt);
  });

  it('a released replay still counts, elsewhere; the reserve is named when it is what blocks', async () => {
    const h = new WallHarness({ seed: 73, config: { expiresSeconds: 1800, reservePerStream: 2 } });
    await h.start();
    const replay: Playback = { mode: 'LIVE_REPLAY', start: h.clock.now() - 3600_000, selector: 'SERVER_TIMESTAMP' };
    await h.settle(Promise.all(Array.from({ length: 7 }, (_, i) => h.acquire(`wall:${i}`, cam, i === 0 ? replay : LIVE))));
    h.releaseNow('wall:0');
    const answer = await h.acquireSettled('wall:9', cam, LIVE);
    expect(answer).toMatchObject({ status: 'waiting', reason: '7 of 10 sessions on this camera are in use: 6 on this wall, 1 elsewhere; 2 for other viewers and 1 for renewals are kept free' });
    // The released replay is free in the pool, but only for its own tile.
    expect(h.service.budget(cam)).toMatchObject({ model: 'sessions', used: 7, limit: 8, pooled: 1 });
  });

  it('follows the settings at once: a larger limit lets the waiting tile in', async () => {
    let limit = 4;
    const h = new WallHarness({
      seed: 74,
      config: { expiresSeconds: 1800, reservePerStream: 0, quotaFor: () => ({ model: 'sessions', sessionLimit: limit, reservePerStream: 0, pointsShare: 0.5 }) },
    });
    await h.start();
    await h.settle(Promise.all(Array.from({ length: 4 }, (_, i) => h.acquire(`wall:${i}`, cam, LIVE))));
    expect(h.tiles.get('wall:3')?.grant).toBeUndefined();
    expect(h.service.budget(cam)).toMatchObject({ used: 3, limit: 4 });
    limit = 10;
    h.service.onResume();
    await h.clock.advance(5_000);
    expect(h.tiles.get('wall:3')?.grant).toBeDefined();
  });
});

describe('the points budget', () => {
  it('has no session cap: 16 tiles of one camera all play, paced under 25 calls a second', async () => {
    const h = pointsHarness();
    await h.start();
    const answers = await h.settle(Promise.all(Array.from({ length: 16 }, (_, i) => h.acquire(`wall:${i}`, cam, LIVE))));
    expect(answers.every((a) => a.status === 'granted')).toBe(true);
    const times = h.kvs.brokerCallTimes.map((c) => c.at);
    for (const at of times) expect(times.filter((t) => t >= at && t < at + 1000).length).toBeLessThanOrEqual(20);
    expect(h.kvs.stats.throttled).toBe(0);
    expect(h.service.budget(cam)).toMatchObject({ model: 'points', used: 16, pooled: 0, points: { mediaShare: 250, metadataShare: 5000 } });
    expect(h.service.budget(cam).limit).toBeUndefined();
  });

  it('admits tiles while their measured spend stays under the share, and says why the next one waits', async () => {
    // A 5% share: 25 media points a second; each tile spends 2 (a video and an audio fragment a second).
    const h = pointsHarness(0.05);
    await h.start();
    const players = startPlayers(h, 2);
    for (let i = 0; i < 30; i++) {
      void h.acquire(`wall:${i}`, cam, LIVE);
      await h.clock.advance(6_000);
    }
    await h.clock.advance(60_000);
    const playing = [...h.tiles.values()].filter((t) => t.grant).length;
    // Each admission adds one tile's estimated cost (2 media/s, measured) to the measured rate: 12 fit in 25.
    expect(playing).toBeGreaterThanOrEqual(11);
    expect(playing).toBeLessThanOrEqual(12);
    const view = h.service.budget(cam);
    expect(view.points!.mediaPerSecond).toBeLessThanOrEqual(view.points!.mediaShare + 2);
    expect(h.kvs.stats.maxPointsPerSecond.get('acc1/lobby')!.media).toBeLessThanOrEqual(view.points!.mediaShare + 2);
    const waiting = h.states.findLast((s) => s.state === 'waiting');
    expect(waiting?.detail).toMatch(/^This camera's playback share is in use: \d+ of 25 media points a second$/);
    expect(waiting?.until).toBeGreaterThan(0);
    expect(players.throttled).toBe(0);
    // Fewer tiles, less spend: a waiting tile gets in once the meter has seen the drop.
    for (let i = 0; i < 5; i++) if (h.tiles.get(`wall:${i}`)?.grant) h.releaseNow(`wall:${i}`);
    await h.clock.advance(30_000);
    expect([...h.tiles.values()].filter((t) => t.grant).length).toBeGreaterThan(playing - 5);
  });

  it('backs the stream off when players report throttling: no new tile starts until the pause ends', async () => {
    const h = pointsHarness();
    await h.start();
    await h.acquireSettled('wall:0', cam, LIVE);
    const grant = h.tiles.get('wall:0')!.grant!;
    h.service.recordUsage('w1', [{ tileId: 'wall:0', sessionId: grant.sessionId, manifests: 5, inits: 0, fragments: 10, throttled: 3 }]);
    const answer = await h.acquireSettled('wall:1', cam, LIVE);
    expect(answer).toMatchObject({ status: 'waiting', reason: 'KVS is limiting requests on this camera; waiting before asking again' });
    // 1 s (±20%) for the first throttling; a report of a throttled answer escalates the next one.
    await h.clock.advance(1_300);
    expect(h.tiles.get('wall:1')?.grant).toBeDefined();
    expect(h.service.reportFailure(addressOf('wall:0'), { sessionId: grant.sessionId, httpStatus: 400, errorType: 'ClientLimitExceededException' })).toBe(true);
    const later = await h.acquireSettled('wall:2', cam, LIVE);
    expect(later.status).toBe('waiting');
    // The throttled tile keeps its session: throttling is not a dead session.
    expect(h.tiles.get('wall:0')!.grant!.sessionId).toBe(grant.sessionId);
    expect(h.kvs.stats.brokerCalls).toBe(2);
  });

  it('prices each manifest by the session\'s MaxManifestFragmentResults and each fragment at one media point', async () => {
    const h = pointsHarness();
    await h.start();
    await h.acquireSettled('wall:0', cam, LIVE);
    const clip: Playback = { mode: 'ON_DEMAND', start: h.clock.now() - 3600_000, end: h.clock.now() - 3000_000, selector: 'SERVER_TIMESTAMP' };
    await h.acquireSettled('wall:1', cam, clip);
    const [live, onDemand] = [h.tiles.get('wall:0')!.grant!, h.tiles.get('wall:1')!.grant!];
    await h.clock.advance(10_000);
    h.service.recordUsage(
      'w1',
      [
        { tileId: 'wall:0', sessionId: live.sessionId, manifests: 10, inits: 2, fragments: 20, throttled: 0 },
        { tileId: 'wall:1', sessionId: onDemand.sessionId, manifests: 1, inits: 2, fragments: 30, throttled: 0 },
      ],
      10_000,
    );
    // A report of the last 10 s: (10 × 5 + 1 × 1000) / 10 metadata, (20 + 30) / 10 media.
    expect(h.service.budget(cam).points).toMatchObject({ metadataPerSecond: 105, mediaPerSecond: 5 });
    // A tile that started 2 s before the report is measured over those 2 s, not the page's 10.
    await h.acquireSettled('wall:2', cam, LIVE);
    await h.clock.advance(2_000);
    h.service.recordUsage('w1', [{ tileId: 'wall:2', sessionId: h.tiles.get('wall:2')!.grant!.sessionId, manifests: 2, inits: 1, fragments: 4, throttled: 0 }], 10_000);
    expect(h.service.budget(cam).points!.mediaPerSecond).toBeCloseTo(5 + 2, 0);
    await h.clock.advance(10_001);
    expect(h.service.budget(cam).points).toMatchObject({ metadataPerSecond: 0, mediaPerSecond: 0 });
  });

  it('main\'s own calls wait for room in the share, and are refused when it would take too long', async () => {
    // A 5% share: 500 metadata points a second; a 1000-result ListFragments adds 100/s to the 10-s window.
    const h = pointsHarness(0.05);
    await h.start();
    const call = { api: 'ListFragments', maxResults: 1000 } as const;
    const t0 = h.clock.now();
    for (let i = 0; i < 5; i++) {
      await h.settle(h.service.beforeSpending(cam, call), 0);
      await h.clock.advance(1_000);
    }
    await h.clock.advance(500);
    // The share is spent until the first of those calls leaves the window, 10 s after it.
    let done = false;
    const sixth = h.service.beforeSpending(cam, call).then(() => (done = true));
    await h.clock.advance(4_000);
    expect(done).toBe(false);
    await h.settle(sixth, 1_000);
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(10_000);
    // 5000 results (500/s) won't fit within the 5 s it may wait.
    await expect(h.settle(h.service.beforeSpending(cam, { api: 'ListFragments', maxResults: 5000 }).catch((err: unknown) => err), 10_000)).resolves.toMatchObject({
      appError: { code: 'PointsShareSpent', retryable: true, message: expect.stringMatching(/^This camera's playback share is in use: \d+ of 500 metadata points a second/) },
    });
  });

  it('prices GetImages and GetClip as the quotas page does, and counts them in the stream\'s spend', async () => {
    expect(pointsOf({ api: 'GetImages', images: 25 })).toEqual({ media: 25, metadata: 425 });
    expect(pointsOf({ api: 'GetImages', images: 1 }, 3)).toEqual({ media: 3, metadata: 1203 });
    expect(pointsOf({ api: 'GetClip', fragments: 180 })).toEqual({ media: 180, metadata: 180 });
    const h = pointsHarness(0.5);
    await h.start();
    await h.service.beforeSpending(cam, { api: 'GetImages', images: 25 });
    await h.service.beforeSpending(cam, { api: 'GetClip', fragments: 100 });
    // Both land in the 10-s window at once: (25 + 100) / 10 media, (425 + 100) / 10 metadata a second.
    expect(h.service.budget(cam).points).toMatchObject({ mediaPerSecond: 12.5, metadataPerSecond: 52.5 });
  });

  it('a throttled main-made call backs the stream off: the next one waits for the pause, new tiles too', async () => {
    const h = pointsHarness(0.5);
    await h.start();
    const t0 = h.clock.now();
    h.service.noteThrottled(cam);
    const tile = await h.acquireSettled('wall:0', cam, LIVE, 100);
    expect(tile).toMatchObject({ status: 'waiting' });
    let done = false;
    const next = h.service.beforeSpending(cam, { api: 'GetImages', images: 25 }).then(() => (done = true));
    await h.clock.advance(500);
    expect(done).toBe(false);
    await h.settle(next, 2_000);
    // The first throttle pauses the stream about 1 s (±20 % jitter).
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(800);
    // KVS asking for longer than main waits: refused with the throttle's own name and when to retry.
    h.service.noteThrottled(cam, h.clock.now() + 60_000);
    await expect(h.service.beforeSpending(cam, { api: 'GetClip', fragments: 10 })).rejects.toMatchObject({
      appError: { code: 'ClientLimitExceededException', retryable: true, retryAt: h.clock.now() + 60_000 },
    });
  });

  it('the sessions model counts main\'s own calls but never makes them wait', async () => {
    const h = new WallHarness({ seed: 75, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    for (let i = 0; i < 20; i++) await h.service.beforeSpending(cam, { api: 'ListFragments', maxResults: 1000 });
    expect(h.service.budget(cam).points).toBeUndefined();
  });
});
