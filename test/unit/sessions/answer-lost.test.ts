import { describe, expect, it } from 'vitest';
import type { Playback, StreamRef } from '../../../shared/model';
import { FAKE_REQUEST_TIMEOUT_MS } from './fake-kvs';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'yard' };
const LIVE: Playback = { mode: 'LIVE' };

/** After every timer: the ledger never counts fewer sessions than KVS holds for us. */
function watchUnderCount(h: WallHarness, streams: StreamRef[]): string[] {
  const problems: string[] = [];
  h.clock.onStep(() => {
    for (const s of streams) {
      const held = h.kvs.activeCount(s, 'broker');
      const counted = h.service.budget(s).used;
      if (counted < held) problems.push(`${h.at()}: ${s.streamName} counts ${counted}, KVS holds ${held}`);
    }
  });
  return problems;
}

describe('a call whose answer is lost after KVS created the session', () => {
  it('counts the session it never heard of until its worst-case expiry, then retries', async () => {
    const h = new WallHarness({ seed: 81, config: { expiresSeconds: 600, reservePerStream: 1 } });
    await h.start();
    const underCounts = watchUnderCount(h, [cam]);
    h.kvs.loseAnswerNext(cam, 1, 'never');
    const t0 = h.clock.now();
    const answer = await h.acquireSettled('wall:0', cam, LIVE);
    expect(answer).toMatchObject({ status: 'error', error: { code: 'NetworkError', retryable: true } });
    expect(h.kvs.stats.answersLost).toBe(1);
    // KVS made a session we never saw; the ledger counts it.
    expect(h.kvs.activeCount(cam, 'broker')).toBe(1);
    expect(h.service.budget(cam).used).toBe(1);

    await h.clock.advance(60_000);
    expect(h.tiles.get('wall:0')?.grant).toBeDefined();
    expect(h.service.budget(cam).used).toBe(2);
    // It stops counting only after the reservation's Expires and the unknown-outcome grace (60 s):
    // by then the tile has renewed once and its first session has stopped counting too.
    await h.clock.advance(t0 + 655_000 - h.clock.now());
    expect(h.service.budget(cam).used).toBe(2);
    await h.clock.advance(10_000);
    expect(h.service.budget(cam).used).toBe(1);
    expect(h.kvs.activeCount(cam, 'broker')).toBe(1);
    expect(underCounts).toEqual([]);
    expect(FAKE_REQUEST_TIMEOUT_MS).toBeLessThan(60_000);
  });

  it('a late answer that still arrives is one session, counted once', async () => {
    const h = new WallHarness({ seed: 82, config: { expiresSeconds: 600, reservePerStream: 1 } });
    await h.start();
    h.kvs.loseAnswerNext(cam, 1, 8_000);
    expect((await h.acquireSettled('wall:0', cam, LIVE)).status).toBe('granted');
    expect(h.service.budget(cam).used).toBe(1);
    expect(h.kvs.stats.brokerCalls).toBe(1);
  });

  it('a wall that keeps losing answers never evicts its own sessions (sessions model)', async () => {
    const h = new WallHarness({ seed: 83, config: { expiresSeconds: 300, reservePerStream: 1 }, kvs: { latencyMs: () => 400 } });
    await h.start();
    const underCounts = watchUnderCount(h, [cam]);
    await h.settle(Promise.all(Array.from({ length: 8 }, (_, i) => h.acquire(`wall:${i}`, cam, LIVE))));
    // One lost answer every ten minutes, for six hours of renewals.
    const lose = () => {
      h.kvs.loseAnswerNext(cam, 1, 'never');
      h.clock.setTimeout(lose, 10 * 60_000);
    };
    lose();
    await h.clock.advance(6 * 3600_000);
    expect(h.kvs.stats.answersLost).toBeGreaterThanOrEqual(30);
    expect(h.kvs.stats.selfEvictions).toBe(0);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/yard')).toBeLessThanOrEqual(9);
    expect(underCounts).toEqual([]);
    // Every tile plays at the end; some waited while lost sessions still counted.
    expect([...h.tiles.values()].every((t) => t.grant && h.kvs.isActive(t.grant.url))).toBe(true);
  });
});
