import { describe, expect, it } from 'vitest';
import type { Playback, StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'lobby' };
const other: StreamRef = { accountId: 'acc2', streamName: 'lobby' };
const LIVE: Playback = { mode: 'LIVE' };

describe('an account whose identity changed', () => {
  it('renews its tiles make-before-break, offers none of its old sessions again, and keeps counting them', async () => {
    const h = new WallHarness({ seed: 91, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.settle(Promise.all([h.acquire('wall:0', cam, LIVE), h.acquire('wall:1', cam, LIVE), h.acquire('wall:2', other, LIVE)]));
    h.releaseNow('wall:1');
    const before = { a: h.tiles.get('wall:0')!.grant!.sessionId, b: h.tiles.get('wall:2')!.grant!.sessionId };
    expect(h.service.budget(cam)).toMatchObject({ used: 2, pooled: 1 });

    h.service.accountChanged('acc1');
    await h.clock.advance(5_000);
    // The playing tile has a new session; the old one played until the new one arrived.
    expect(h.tiles.get('wall:0')!.grant!.sessionId).not.toBe(before.a);
    expect(h.renewedEvents).toBe(1);
    expect(h.service.budget(cam)).toMatchObject({ used: 3, pooled: 0 });
    // A new tile of the account gets a new session too, not the old free one.
    await h.acquireSettled('wall:1', cam, LIVE);
    expect(h.kvs.stats.brokerCalls).toBe(3 + 2);
    // Other accounts are left alone.
    expect(h.tiles.get('wall:2')!.grant!.sessionId).toBe(before.b);
    expect(h.violations).toEqual([]);
  });
});
