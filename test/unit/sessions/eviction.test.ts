import { describe, expect, it } from 'vitest';
import type { StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'parking' };
const LIVE = { mode: 'LIVE' } as const;
const FIGHT_MS = 30 * 60_000;

/** The pause each eviction wave started: one per distinct `until` among the backoff states. */
function backoffWaves(h: WallHarness): number[] {
  const startOf = new Map<number, number>();
  for (const s of h.states) {
    if (s.state !== 'backoff' || s.until === undefined) continue;
    startOf.set(s.until, Math.min(startOf.get(s.until) ?? Infinity, s.at));
  }
  return [...startOf].sort((a, b) => a[1] - b[1]).map(([until, at]) => (until - at) / 1000);
}

describe('eviction by another viewer', () => {
  it('backs off exponentially with a visible state instead of fighting, then recovers', async () => {
    const h = new WallHarness({ seed: 21, config: { expiresSeconds: 300, reservePerStream: 1 }, reportRevocations: true });
    await h.start();
    const ids = ['p0', 'p1', 'p2', 'p3'];
    await h.settle(Promise.all(ids.map((id) => h.acquire(id, cam, LIVE))));

    // Another viewer opens a session every 3 s for half an hour: KVS revokes the oldest each time.
    const fightEnds = h.clock.now() + FIGHT_MS;
    const other = () => {
      if (h.clock.now() >= fightEnds) return;
      void h.kvs.issueAsOther(cam).catch(() => undefined);
      h.clock.setTimeout(other, 3000);
    };
    other();
    const callsBefore = h.kvs.stats.brokerCalls;
    await h.clock.advance(FIGHT_MS);
    const ourCalls = h.kvs.stats.brokerCalls - callsBefore;
    if (process.env.SESSION_SOAK_REPORT) console.log(JSON.stringify({ ourCalls, waves: backoffWaves(h), stats: h.kvs.stats }));

    expect(h.kvs.stats.evictedByOthers).toBeGreaterThan(10);
    const waves = backoffWaves(h);
    expect(waves.length).toBeGreaterThanOrEqual(6);
    // 5 s, 10 s, 20 s … doubling (±20% jitter), capped at 5 minutes.
    waves.forEach((delay, i) => {
      const nominal = Math.min(300, 5 * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(nominal * 0.8 - 0.001);
      expect(delay).toBeLessThanOrEqual(Math.min(300, nominal * 1.2) + 0.001);
    });
    // Fighting would renew on every eviction (hundreds of calls); backing off costs a few per wave.
    expect(ourCalls).toBeLessThanOrEqual(ids.length * (waves.length + 1));
    expect(ourCalls).toBeLessThan(h.kvs.stats.evictedByOthers + ids.length);
    const backoff = h.states.find((s) => s.state === 'backoff');
    expect(backoff?.detail).toBe("Another viewer is using this camera's sessions; waiting before asking again");
    expect(backoff?.until).toBeGreaterThan(backoff!.at);

    // The other viewer has stopped: every tile is back within the longest backoff and stays.
    await h.clock.advance(6 * 60_000);
    expect(ids.every((id) => h.tiles.get(id)?.grant && h.kvs.isActive(h.tiles.get(id)!.grant!.url))).toBe(true);
    await h.clock.advance(3600_000);
    expect(ids.every((id) => h.kvs.isActive(h.tiles.get(id)!.grant!.url))).toBe(true);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/parking')).toBeLessThanOrEqual(9);

    // Sessions survived a while: the next eviction starts again from the shortest backoff.
    const tile = h.tiles.get('p0')!;
    const wavesBefore = waves.length;
    expect(h.broker.reportFailure('p0', tile.grant!.sessionId, 403)).toBe(true);
    const latest = backoffWaves(h);
    expect(latest.length).toBe(wavesBefore + 1);
    expect(latest.at(-1)).toBeGreaterThanOrEqual(4);
    expect(latest.at(-1)).toBeLessThanOrEqual(6);
  });

  it('evictions arriving during one backoff join it rather than escalating it', async () => {
    const h = new WallHarness({ seed: 22, config: { expiresSeconds: 300, reservePerStream: 1 } });
    await h.start();
    await h.settle(Promise.all(['a', 'b', 'c'].map((id) => h.acquire(id, cam, LIVE))));
    for (const id of ['a', 'b', 'c']) h.broker.reportFailure(id, h.tiles.get(id)!.grant!.sessionId, 403);
    const waves = backoffWaves(h);
    expect(waves).toHaveLength(1);
    expect(waves[0]).toBeLessThanOrEqual(6);
    expect(new Set(h.states.filter((s) => s.state === 'backoff').map((s) => s.tileId))).toEqual(new Set(['a', 'b', 'c']));
  });
});
