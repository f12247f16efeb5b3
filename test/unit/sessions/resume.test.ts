import { describe, expect, it } from 'vitest';
import type { StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const cams: StreamRef[] = [
  { accountId: 'acc1', streamName: 'hall' },
  { accountId: 'acc1', streamName: 'roof' },
];
const LIVE = { mode: 'LIVE' } as const;

async function wallOf(h: WallHarness) {
  await h.start();
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(`hall-${i}`);
  for (let i = 0; i < 3; i++) ids.push(`roof-${i}`);
  await h.settle(Promise.all(ids.map((id) => h.acquire(id, id.startsWith('hall') ? cams[0]! : cams[1]!, LIVE))));
  await h.clock.advance(17 * 60_000);
  return ids;
}

describe('resume from sleep', () => {
  for (const order of ['resume before the late timers', 'late timers before resume'] as const) {
    it(`renews every tile promptly and within quota (${order})`, async () => {
      const h = new WallHarness({ seed: 11, config: { expiresSeconds: 300, reservePerStream: 1 } });
      const ids = await wallOf(h);
      const grantsBefore = new Map(ids.map((id) => [id, h.tiles.get(id)?.grant?.sessionId]));
      const callsBefore = h.kvs.stats.brokerCalls;

      h.clock.sleep(3 * 3600_000);
      const wokeAt = h.clock.now();
      if (order === 'late timers before resume') await h.clock.advance(0);
      h.broker.onResume();
      const allRenewed = () => ids.every((id) => h.tiles.get(id)?.grant?.sessionId !== grantsBefore.get(id));
      expect(await h.clock.advanceUntil(allRenewed, 60_000)).toBe(true);

      // 8 tiles on one stream: 4 at once, then one a second.
      expect(h.clock.now() - wokeAt).toBeLessThanOrEqual(6_000);
      expect(ids.every((id) => h.kvs.isActive(h.tiles.get(id)!.grant!.url))).toBe(true);
      // One call per tile: the late renewal timers and the resume don't both call.
      expect(h.kvs.stats.brokerCalls - callsBefore).toBe(ids.length);
      expect(h.kvs.stats.throttled).toBe(0);
      expect(h.kvs.stats.maxBrokerActive.get('acc1/hall')).toBeLessThanOrEqual(9);

      await h.clock.advance(2 * 3600_000);
      expect(h.kvs.stats.selfEvictions).toBe(0);
      expect(h.kvs.stats.throttled).toBe(0);
    });
  }

  it('when the timers slept too, nothing renews until onResume, which renews every tile at once', async () => {
    const h = new WallHarness({ seed: 13, config: { expiresSeconds: 300, reservePerStream: 1 } });
    const ids = await wallOf(h);
    h.clock.sleep(3 * 3600_000, 'paused');
    const live = () => ids.filter((id) => h.kvs.isActive(h.tiles.get(id)!.grant!.url)).length;
    await h.clock.advance(30_000);
    expect(live()).toBe(0);
    const wokeAt = h.clock.now();
    h.broker.onResume();
    expect(await h.clock.advanceUntil(() => live() === ids.length, 60_000)).toBe(true);
    expect(h.clock.now() - wokeAt).toBeLessThanOrEqual(6_000);
    expect(h.kvs.stats.throttled).toBe(0);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/hall')).toBeLessThanOrEqual(9);
  });

  it('after a short nap renews sessions that are still valid without exceeding the budget', async () => {
    const h = new WallHarness({ seed: 12, config: { expiresSeconds: 300, reservePerStream: 1 } });
    const ids = await wallOf(h);
    h.clock.sleep(20_000);
    h.broker.onResume();
    await h.clock.advance(15 * 60_000);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/hall')).toBeLessThanOrEqual(9);
    expect(h.kvs.stats.selfEvictions).toBe(0);
    expect(h.kvs.stats.throttled).toBe(0);
    expect(ids.every((id) => h.kvs.isActive(h.tiles.get(id)!.grant!.url))).toBe(true);
    expect(h.violations).toEqual([]);
  });
});
