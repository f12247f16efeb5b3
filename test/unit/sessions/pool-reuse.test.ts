import { describe, expect, it } from 'vitest';
import type { Playback, StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const camA: StreamRef = { accountId: 'acc1', streamName: 'lobby' };
const camB: StreamRef = { accountId: 'acc1', streamName: 'dock' };
const camC: StreamRef = { accountId: 'acc1', streamName: 'gate' };
const LIVE: Playback = { mode: 'LIVE' };

function harness(expiresSeconds = 1800, reservePerStream = 0) {
  return new WallHarness({ seed: 51, config: { expiresSeconds, reservePerStream } });
}

const sessionOf = (h: WallHarness, name: string) => h.tiles.get(name)?.grant?.sessionId;

/** A 3×3 wall of three cameras: cells 0–8, camera by cell % 3. */
const cams = [camA, camB, camC];
const cellCam = (cell: number) => cams[cell % 3]!;

async function wall3x3(h: WallHarness): Promise<void> {
  await h.settle(Promise.all(Array.from({ length: 9 }, (_, cell) => h.acquire(`wall:${cell}`, cellCam(cell), LIVE))));
}

describe('the session pool: sessions follow the camera, not the tile', () => {
  it('a swap of two tiles hands each the other\'s session, with no KVS call', async () => {
    const h = harness();
    await h.start();
    await h.settle(Promise.all([h.acquire('wall:0', camA, LIVE), h.acquire('wall:1', camB, LIVE)]));
    const [a, b] = [sessionOf(h, 'wall:0'), sessionOf(h, 'wall:1')];
    const calls = h.kvs.stats.brokerCalls;

    // The page releases both, then acquires both, in that order.
    h.releaseNow('wall:0');
    h.releaseNow('wall:1');
    const answers = await h.settle(Promise.all([h.acquire('wall:0', camB, LIVE), h.acquire('wall:1', camA, LIVE)]));

    expect(answers.map((x) => x.status)).toEqual(['granted', 'granted']);
    expect(sessionOf(h, 'wall:0')).toBe(b);
    expect(sessionOf(h, 'wall:1')).toBe(a);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    expect(h.violations).toEqual([]);
  });

  it('a grid change 3×3 → 1×1 → 4×4 → 3×3 costs only the tiles that are new to a camera', async () => {
    const h = harness();
    await h.start();
    await wall3x3(h);
    expect(h.kvs.stats.brokerCalls).toBe(9);
    const kept = sessionOf(h, 'wall:0');

    for (let cell = 1; cell < 9; cell++) h.releaseNow(`wall:${cell}`);
    // 4×4 of the same three cameras: 16 tiles, 9 sessions in the pool.
    const sixteen = await h.settle(Promise.all(Array.from({ length: 16 }, (_, cell) => h.acquire(`wall:${cell}`, cellCam(cell), LIVE))));
    expect(sixteen.every((x) => x.status === 'granted')).toBe(true);
    expect(sessionOf(h, 'wall:0')).toBe(kept);
    expect(h.kvs.stats.brokerCalls).toBe(16);

    for (let cell = 9; cell < 16; cell++) h.releaseNow(`wall:${cell}`);
    const back = await h.settle(Promise.all(Array.from({ length: 9 }, (_, cell) => h.acquire(`wall:${cell}`, cellCam(cell), LIVE))));
    expect(back.every((x) => x.status === 'granted')).toBe(true);
    // Tiles 0–8 never let go: the same sessions, no call, no swap for their players.
    expect(h.kvs.stats.brokerCalls).toBe(16);
    expect(h.renewedEvents).toBe(0);
    expect(h.violations).toEqual([]);
  });

  it('Look back asks for a replay; Back to live gets the tile\'s own live session back', async () => {
    const h = harness();
    await h.start();
    await h.acquireSettled('wall:0', camA, LIVE);
    const live = sessionOf(h, 'wall:0');
    for (let round = 0; round < 5; round++) {
      const replay: Playback = { mode: 'LIVE_REPLAY', start: h.clock.now() - (10 + round) * 60_000, selector: 'SERVER_TIMESTAMP' };
      await h.clock.advance(30_000);
      expect((await h.acquireSettled('wall:0', camA, replay)).status).toBe('granted');
      await h.clock.advance(30_000);
      expect((await h.acquireSettled('wall:0', camA, LIVE)).status).toBe('granted');
      expect(sessionOf(h, 'wall:0')).toBe(live);
    }
    // The first live session, then one per replay.
    expect(h.kvs.stats.brokerCalls).toBe(1 + 5);
    expect(h.violations).toEqual([]);
  });

  it('a replay session is never offered to another tile, an on-demand one only for the same clip', async () => {
    const h = harness();
    await h.start();
    const replay: Playback = { mode: 'LIVE_REPLAY', start: h.clock.now() - 3600_000, selector: 'SERVER_TIMESTAMP' };
    const clip: Playback = { mode: 'ON_DEMAND', start: h.clock.now() - 3600_000, end: h.clock.now() - 3300_000, selector: 'PRODUCER_TIMESTAMP' };
    await h.settle(Promise.all([h.acquire('wall:0', camA, replay), h.acquire('wall:1', camA, clip)]));
    const clipSession = sessionOf(h, 'wall:1');
    h.releaseNow('wall:0');
    h.releaseNow('wall:1');

    // Another tile asking for the same replay start gets a new session: the old one's manifest has moved on.
    await h.acquireSettled('wall:2', camA, replay);
    expect(h.kvs.stats.brokerCalls).toBe(3);
    // The same clip is the same static manifest: reused. Another clip is not.
    await h.acquireSettled('wall:3', camA, clip);
    expect(sessionOf(h, 'wall:3')).toBe(clipSession);
    await h.acquireSettled('wall:4', camA, { ...clip, end: clip.end - 1000 });
    expect(h.kvs.stats.brokerCalls).toBe(4);
  });

  it('a page reload: the page goes, its tiles\' sessions return to the pool, the new page gets the same ones', async () => {
    const h = harness();
    await h.start();
    await h.settle(Promise.all(Array.from({ length: 9 }, (_, cell) => h.acquire(`wall:${cell}`, cellCam(cell), LIVE, 'page-1'))));
    const before = Array.from({ length: 9 }, (_, cell) => sessionOf(h, `wall:${cell}`));
    const calls = h.kvs.stats.brokerCalls;

    for (let reload = 2; reload <= 13; reload++) {
      expect(h.service.releaseOwner(`page-${reload - 1}`)).toBe(9);
      for (const tile of h.tiles.values()) tile.wants = false;
      const again = await h.settle(Promise.all(Array.from({ length: 9 }, (_, cell) => h.acquire(`wall:${cell}`, cellCam(cell), LIVE, `page-${reload}`))));
      expect(again.every((x) => x.status === 'granted')).toBe(true);
      // Each tile gets its own session back, so its player has nothing to swap.
      expect(Array.from({ length: 9 }, (_, cell) => sessionOf(h, `wall:${cell}`))).toEqual(before);
      await h.clock.advance(20_000);
    }
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    expect(h.violations).toEqual([]);
  });

  it('prefers the session the tile played last, then the one with the most life', async () => {
    const h = harness();
    await h.start();
    await h.acquireSettled('wall:0', camA, LIVE);
    await h.clock.advance(120_000);
    await h.acquireSettled('wall:1', camA, LIVE);
    const [older, newer] = [sessionOf(h, 'wall:0'), sessionOf(h, 'wall:1')];
    h.releaseNow('wall:0');
    h.releaseNow('wall:1');
    // wall:0 comes back first and takes its own, though wall:1's has more life.
    await h.acquireSettled('wall:0', camA, LIVE);
    expect(sessionOf(h, 'wall:0')).toBe(older);
    h.releaseNow('wall:0');
    // A tile that played neither gets the one with the most life.
    await h.acquireSettled('wall:5', camA, LIVE);
    expect(sessionOf(h, 'wall:5')).toBe(newer);
  });

  it('never offers a session that would need renewing at once', async () => {
    const h = harness(300);
    await h.start();
    await h.acquireSettled('wall:0', camA, LIVE);
    const first = sessionOf(h, 'wall:0');
    // 95 s left when it is let go. 300 s sessions renew 60–70 s before expiry; a pooled one is offered with at least 60 + 10 + 30 s left.
    await h.clock.advance(205_000);
    h.releaseNow('wall:0');
    await h.acquireSettled('wall:1', camA, LIVE);
    expect(sessionOf(h, 'wall:1')).not.toBe(first);
    expect(h.kvs.stats.brokerCalls).toBe(2);
  });

  it('a renewal takes a fresher free session from the pool instead of calling KVS', async () => {
    const h = harness(600);
    await h.start();
    await h.acquireSettled('wall:0', camA, LIVE);
    await h.clock.advance(300_000);
    await h.acquireSettled('wall:1', camA, LIVE);
    const fresher = sessionOf(h, 'wall:1');
    h.releaseNow('wall:1');
    const calls = h.kvs.stats.brokerCalls;
    // wall:0 renews ~60–70 s before its expiry at 600 s.
    await h.clock.advance(250_000);
    expect(sessionOf(h, 'wall:0')).toBe(fresher);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    expect(h.renewedEvents).toBe(1);
    expect(h.violations).toEqual([]);
  });

  it('a session created for a tile that left meanwhile waits in the pool for the next one', async () => {
    const h = new WallHarness({ seed: 52, config: { expiresSeconds: 1800, reservePerStream: 0 }, kvs: { latencyMs: () => 2000 } });
    await h.start();
    void h.acquire('wall:0', camA, LIVE);
    await h.clock.advance(500);
    h.releaseNow('wall:0');
    await h.clock.advance(3000);
    expect(h.kvs.stats.brokerSessions).toBe(1);
    expect(h.service.budget(camA)).toMatchObject({ used: 1, pooled: 1 });
    await h.acquireSettled('wall:7', camA, LIVE);
    expect(h.kvs.stats.brokerCalls).toBe(1);
  });
});
