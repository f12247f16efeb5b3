import { describe, expect, it } from 'vitest';
import type { StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'stairs' };
const LIVE = { mode: 'LIVE' } as const;

async function oneTile(latencyMs = 200) {
  const h = new WallHarness({ seed: 31, config: { expiresSeconds: 300, reservePerStream: 1 }, kvs: { latencyMs: () => latencyMs } });
  await h.start();
  await h.acquireSettled('t1', cam, LIVE);
  const grant = h.tiles.get('t1')!.grant!;
  return { h, grant };
}

describe('reportFailure', () => {
  it('ignores unknown tiles, old sessions and statuses it has no remedy for', async () => {
    const { h, grant } = await oneTile();
    expect(h.broker.reportFailure('nobody', grant.sessionId, 403)).toBe(false);
    expect(h.broker.reportFailure('t1', grant.sessionId, 500)).toBe(false);
    await h.clock.advance(5 * 60_000);
    const renewed = h.tiles.get('t1')!.grant!;
    expect(renewed.sessionId).not.toBe(grant.sessionId);
    const calls = h.kvs.stats.brokerCalls;
    // A player still reporting about the session it swapped away from.
    expect(h.broker.reportFailure('t1', grant.sessionId, 403)).toBe(false);
    await h.clock.advance(10_000);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
  });

  it('renews at once on a 401 for an expired session, and the late renewal timer adds no second call', async () => {
    const { h, grant } = await oneTile();
    h.clock.sleep(grant.expiresAt - h.clock.now() + 1000);
    const calls = h.kvs.stats.brokerCalls;
    expect(h.broker.reportFailure('t1', grant.sessionId, 401)).toBe(true);
    await h.clock.advance(1000);
    expect(h.tiles.get('t1')!.grant!.sessionId).not.toBe(grant.sessionId);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
    expect(h.statesOf('t1')).not.toContain('backoff');
  });

  it('a second report while the renewal is in flight is accepted but adds no call', async () => {
    const { h, grant } = await oneTile(2000);
    h.clock.sleep(grant.expiresAt - h.clock.now() + 1000);
    const calls = h.kvs.stats.brokerCalls;
    expect(h.broker.reportFailure('t1', grant.sessionId, 401)).toBe(true);
    await h.clock.advance(500);
    expect(h.broker.reportFailure('t1', grant.sessionId, 403)).toBe(true);
    expect(h.broker.reportFailure('t1', grant.sessionId, 401)).toBe(true);
    await h.clock.advance(5000);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
  });

  it('a 403 long before expiry is an eviction: backoff state, no call until it ends', async () => {
    const { h, grant } = await oneTile();
    const calls = h.kvs.stats.brokerCalls;
    expect(h.broker.reportFailure('t1', grant.sessionId, 403)).toBe(true);
    const state = h.states.at(-1)!;
    expect(state.state).toBe('backoff');
    expect(state.until! - h.clock.now()).toBeGreaterThanOrEqual(4000);
    await h.clock.advance(state.until! - h.clock.now() - 100);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    await h.clock.advance(1000);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
    expect(h.statesOf('t1').at(-1)).toBe('granted');
  });

  it('a 404 puts the tile in error with a retry 10–30 s later, then it gets a new session', async () => {
    const { h, grant } = await oneTile();
    const calls = h.kvs.stats.brokerCalls;
    expect(h.broker.reportFailure('t1', grant.sessionId, 404)).toBe(true);
    const state = h.states.at(-1)!;
    expect(state.state).toBe('error');
    expect(state.error?.code).toBe('ResourceNotFoundException');
    const wait = state.error!.retryAt! - h.clock.now();
    expect(wait).toBeGreaterThanOrEqual(10_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    expect(h.broker.reportFailure('t1', grant.sessionId, 404)).toBe(true);
    await h.clock.advance(wait - 100);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    await h.clock.advance(1000);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
    expect(h.tiles.get('t1')!.grant!.sessionId).not.toBe(grant.sessionId);
  });
});
