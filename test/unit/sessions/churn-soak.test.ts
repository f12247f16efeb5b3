import { describe, expect, it } from 'vitest';
import type { Playback, StreamRef } from '../../../shared/model';
import { seededRandom } from './prng';
import { WallHarness } from './wall-harness';

const STREAMS: StreamRef[] = [
  { accountId: 'acc1', streamName: 'lobby' },
  { accountId: 'acc1', streamName: 'dock-7' },
  { accountId: 'acc2', streamName: 'lobby' },
];
const LIMIT = 10;
const RESERVE = 1;
const BUDGET = LIMIT - RESERVE;
const HOURS = 48;

function randomPlayback(random: () => number, now: number): Playback {
  const r = random();
  if (r < 0.7) return { mode: 'LIVE' };
  const start = now - Math.round(random() * 6 * 3600_000);
  if (r < 0.85) return { mode: 'LIVE_REPLAY', start, selector: 'SERVER_TIMESTAMP' };
  return { mode: 'ON_DEMAND', start, end: start + 600_000, selector: 'PRODUCER_TIMESTAMP' };
}

/**
 * Tiles come and go at random on three streams, with more demand per stream than the budget holds, so
 * tiles wait, renewals compete for the spare slot and released sessions keep counting.
 */
function startChurn(h: WallHarness, maxTilesPerStream: number): { acquired: number; released: number } {
  const counts = { acquired: 0, released: 0 };
  let serial = 0;
  const act = () => {
    const stream = STREAMS[Math.floor(h.random() * STREAMS.length)] ?? STREAMS[0]!;
    const onStream = [...h.tiles.values()].filter((t) => t.wants && t.stream === stream);
    const r = h.random();
    if (onStream.length < maxTilesPerStream && (r < 0.5 || onStream.length < 3)) {
      void h.acquire(`tile-${serial++}`, stream, randomPlayback(h.random, h.clock.now()));
      counts.acquired++;
    } else if (onStream.length > 0 && r < 0.9) {
      const victim = onStream[Math.floor(h.random() * onStream.length)];
      if (victim) void h.release(victim.name);
      counts.released++;
    } else if (onStream.length > 0) {
      // The same tile switches to another playback: a fresh session, the old one still counting.
      const tile = onStream[Math.floor(h.random() * onStream.length)];
      if (tile) void h.acquire(tile.name, stream, randomPlayback(h.random, h.clock.now()));
      counts.acquired++;
    }
    h.clock.setTimeout(act, 5_000 + Math.round(h.random() * 240_000));
  };
  h.clock.setTimeout(act, 1_000);
  return counts;
}

async function soak(seed: number, expiresSeconds: number) {
  const h = new WallHarness({
    seed,
    config: { expiresSeconds, reservePerStream: RESERVE },
  });
  // Round trips of 50–900 ms, drawn from the scenario's own seed.
  const latency = seededRandom(seed + 1000);
  h.kvs.latencyMs = () => 50 + Math.round(latency() * 850);
  await h.start();
  h.watchForStarvation(() => BUDGET);
  const counts = startChurn(h, 12);
  for (let hour = 0; hour < HOURS; hour++) await h.clock.advance(3600_000);
  if (process.env.SESSION_SOAK_REPORT) {
    console.log(JSON.stringify({ expiresSeconds, counts, renewed: h.renewedEvents, reused: h.reusedGrants, waits: h.waits.length, maxWait: Math.max(...h.waits), minMargin: Math.min(...h.swapMargins), stats: { ...h.kvs.stats, maxBrokerActive: [...h.kvs.stats.maxBrokerActive] }, expires: h.kvs.expiresHistogram() }));
  }
  return { h, counts };
}

function expectHealthy(h: WallHarness) {
  expect(h.violations).toEqual([]);
  expect(h.kvs.stats.selfEvictions).toBe(0);
  expect(h.kvs.stats.throttled).toBe(0);
  for (const s of STREAMS) expect(h.kvs.stats.maxBrokerActive.get(`${s.accountId}/${s.streamName}`) ?? 0).toBeLessThanOrEqual(BUDGET);
  // The churn really did fill the streams: some stream reached its budget and tiles had to wait.
  expect(Math.max(...h.kvs.stats.maxBrokerActive.values())).toBe(BUDGET);
  expect(h.waits.length).toBeGreaterThan(10);
  expect(Math.min(...h.swapMargins)).toBeGreaterThan(0);
  // Tiles that came and went left sessions in the pool that later tiles took, with no call.
  expect(h.reusedGrants).toBeGreaterThan(50);
}

describe(`random churn over ${HOURS} simulated hours`, () => {
  it('Expires 300: never over budget, never self-evicting or throttled, every session renewed in time', async () => {
    const { h, counts } = await soak(1, 300);
    expectHealthy(h);
    expect(counts.acquired).toBeGreaterThan(300);
    expect(h.renewedEvents).toBeGreaterThan(5_000);
  }, 120_000);

  it('Expires 1800: the same guarantees with long sessions', async () => {
    const { h, counts } = await soak(2, 1800);
    expectHealthy(h);
    expect(counts.released).toBeGreaterThan(200);
    expect(h.renewedEvents).toBeGreaterThan(1_000);
  }, 120_000);
});
