import { describe, expect, it } from 'vitest';
import { createSessionService } from '../../../main/sessions';
import type { StreamRef } from '../../../shared/model';
import { FakeClock } from './fake-clock';
import { MemoryLedgerFile } from './memory-files';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'garage' };
const LIVE = { mode: 'LIVE' } as const;
const config = { expiresSeconds: 300, reservePerStream: 1 };

function harness(latencyMs = 200) {
  return new WallHarness({ seed: 41, config, kvs: { latencyMs: () => latencyMs } });
}

describe('failures while creating sessions', () => {
  it('throttling pauses the stream with growing, jittered delays and then succeeds', async () => {
    const h = harness();
    await h.start();
    h.kvs.failNext(cam, 'ClientLimitExceededException', 3);
    const answer = await h.acquireSettled('t1', cam, LIVE);
    expect(answer.status).toBe('waiting');
    expect(answer.status === 'waiting' && answer.reason).toBe('KVS is limiting requests on this camera; waiting before asking again');
    await h.clock.advance(30_000);
    expect(h.tiles.get('t1')?.grant).toBeDefined();
    const callTimes = h.kvs.brokerCallTimes.map((c) => c.at);
    expect(callTimes).toHaveLength(4);
    const gaps = callTimes.slice(1).map((t, i) => t - callTimes[i]!);
    // 1 s, 2 s, 4 s (±20%) plus a round trip each.
    expect(gaps[0]).toBeGreaterThanOrEqual(800);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]).toBeGreaterThan(gaps[1]!);
    expect(h.statesOf('t1')).toContain('backoff');
    expect(h.renewedEvents).toBe(1);
  });

  it('a camera that is offline is retried every 10–30 s until it comes back', async () => {
    const h = harness();
    await h.start();
    h.kvs.setOffline(cam, true);
    const answer = await h.acquireSettled('t1', cam, LIVE);
    expect(answer.status).toBe('error');
    if (answer.status !== 'error') return;
    expect(answer.error.code).toBe('ResourceNotFoundException');
    expect(answer.error.retryable).toBe(true);
    expect(answer.error.retryAt).toBeGreaterThan(h.clock.now());
    await h.clock.advance(10 * 60_000);
    const calls = h.kvs.stats.brokerCalls;
    expect(calls).toBeGreaterThanOrEqual(1 + 600 / 30);
    expect(calls).toBeLessThanOrEqual(1 + 600 / 10);
    // Failed calls created nothing, so nothing counts.
    expect(h.broker.budget(cam).used).toBe(0);
    h.kvs.setOffline(cam, false);
    await h.clock.advance(31_000);
    expect(h.tiles.get('t1')?.grant).toBeDefined();
    expect(h.statesOf('t1').at(-1)).toBe('granted');
  });

  it('a refusal no retry can fix stops the tile with the error until it is acquired again', async () => {
    const h = harness();
    await h.start();
    h.kvs.failNext(cam, 'NotAuthorizedException');
    const answer = await h.acquireSettled('t1', cam, LIVE);
    expect(answer.status === 'error' && answer.error).toMatchObject({ code: 'NotAuthorizedException', retryable: false });
    expect(h.states.at(-1)).toMatchObject({ tileId: 't1', state: 'error' });
    await h.clock.advance(3600_000);
    expect(h.kvs.stats.brokerCalls).toBe(1);
    expect((await h.acquireSettled('t1', cam, LIVE)).status).toBe('granted');
  });

  it('keeps counting a slot when the call failed in a way that may have created a session', async () => {
    const h = harness();
    await h.start();
    // A 5xx: the service may have created the session before failing.
    h.kvs.failNext(cam, 'ServiceUnavailable', 1, true);
    const answer = await h.acquireSettled('t1', cam, LIVE);
    expect(answer.status === 'error' && answer.error.retryable).toBe(true);
    expect(h.broker.budget(cam).used).toBe(1);
    h.kvs.failNext(cam, 'NetworkError', 1, true);
    await h.clock.advance(8_000);
    // The network failure created nothing: still just the one uncertain slot.
    expect(h.broker.budget(cam).used).toBe(1);
    await h.clock.advance(20_000);
    expect(h.tiles.get('t1')?.grant).toBeDefined();
    expect(h.broker.budget(cam).used).toBe(2);
  });

  it('refuses at once when the reserve leaves no slot', async () => {
    const h = new WallHarness({ seed: 42, config: { expiresSeconds: 300, reservePerStream: 10 } });
    await h.start();
    const answer = await h.acquireSettled('t1', cam, LIVE);
    expect(answer.status === 'error' && answer.error.code).toBe('SessionBudgetFull');
    expect(h.kvs.stats.brokerCalls).toBe(0);
  });
});

describe('release and dispose', () => {
  it('release during an in-flight renewal: no renewed event, the new session counts until it expires, no more calls', async () => {
    const h = harness(3000);
    await h.start();
    await h.acquireSettled('t1', cam, LIVE);
    expect(await h.clock.advanceUntil(() => h.statesOf('t1').includes('renewing'), 600_000, 200)).toBe(true);
    const renewedBefore = h.renewedEvents;
    const released = h.broker.release('t1');
    await h.clock.advance(5_000);
    expect(await released).toBe(true);
    // Nobody wants the new session now: it waits in the pool, free, and counts.
    expect(h.renewedEvents).toBe(renewedBefore);
    expect(h.broker.budget(cam).used).toBe(2);
    const calls = h.kvs.stats.brokerCalls;
    await h.clock.advance(3600_000);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    expect(h.broker.budget(cam).used).toBe(0);
    expect(h.statesOf('t1')).toContain('released');
    expect(await h.broker.release('t1')).toBe(false);
  });

  it('release while an acquire waits for its turn answers that acquire and spends no call on it', async () => {
    const h = harness();
    await h.start();
    const early = Array.from({ length: 4 }, (_, i) => h.acquire(`e${i}`, cam, LIVE));
    const paced = h.acquire('paced', cam, LIVE);
    await h.broker.release('paced');
    const answer = await h.settle(paced);
    expect(answer.status === 'error' && answer.error.code).toBe('SessionReleased');
    await h.settle(Promise.all(early));
    await h.clock.advance(10_000);
    expect(h.kvs.stats.brokerCalls).toBe(4);
  });

  it('dispose cancels every timer, saves the ledger, and answers later calls with an error', async () => {
    const h = harness();
    await h.start();
    await h.settle(Promise.all(['a', 'b'].map((id) => h.acquire(id, cam, LIVE))));
    const states = h.states.length;
    await h.broker.dispose();
    // Both still count at KVS, and both wait in the saved pool, free, for the next start.
    expect(h.file.read()?.streams[0]?.sessions).toHaveLength(2);
    expect(h.poolFile.read()?.sessions.map((s) => s.lastLessee).sort()).toEqual(['w1/a', 'w1/b']);
    const calls = h.kvs.stats.brokerCalls;
    await h.clock.advance(6 * 3600_000);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    expect(h.states.length).toBe(states);
    expect((await h.broker.acquire('c', cam, LIVE)).status).toBe('error');
  });

  it('a fresh broker on an empty ledger starts with nothing counted', async () => {
    const clock = new FakeClock();
    const file = new MemoryLedgerFile();
    const service = await createSessionService({
      clock,
      issuer: { issue: async () => ({ url: 'https://example.invalid/?SessionToken=x', maxManifestFragmentResults: 5 }) },
      ledgerStore: file.handle(),
      config: () => config,
    });
    expect(service.budget(cam)).toEqual({ model: 'sessions', used: 0, limit: 9, pooled: 0 });
    await service.dispose();
  });
});
