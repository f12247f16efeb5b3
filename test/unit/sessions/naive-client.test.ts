import { describe, expect, it } from 'vitest';
import type { Playback, StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const camA: StreamRef = { accountId: 'acc1', streamName: 'lobby' };
const camB: StreamRef = { accountId: 'acc1', streamName: 'dock' };
const LIVE: Playback = { mode: 'LIVE' };

/** The churn benchmark's baseline: the service with reuse off asks KVS at every tile start, within its budget. */
describe('reuse off (the churn benchmark’s naive client)', () => {
  it('a swap costs two new sessions, the released ones keep counting, and a full stream makes tiles wait', async () => {
    const h = new WallHarness({ seed: 7, config: { expiresSeconds: 1800, reservePerStream: 6 }, reuse: false });
    await h.start();
    await h.settle(Promise.all([h.acquire('wall:0', camA, LIVE), h.acquire('wall:1', camB, LIVE)]));
    expect(h.kvs.stats.brokerCalls).toBe(2);

    h.releaseNow('wall:0');
    h.releaseNow('wall:1');
    await h.settle(Promise.all([h.acquire('wall:0', camB, LIVE), h.acquire('wall:1', camA, LIVE)]));
    expect(h.kvs.stats.brokerCalls).toBe(4);
    expect(h.reusedGrants).toBe(0);

    // Budget 10 − 6 = 4, one kept for renewals: the third start on camA since the first one waits.
    h.releaseNow('wall:1');
    const third = await h.settle(h.acquire('wall:1', camA, LIVE));
    expect(third.status).toBe('granted');
    h.releaseNow('wall:1');
    const fourth = await h.settle(h.acquire('wall:1', camA, LIVE));
    expect(fourth.status).toBe('waiting');
    expect(h.kvs.stats.selfEvictions).toBe(0);
  });
});
