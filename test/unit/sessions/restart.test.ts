import { describe, expect, it } from 'vitest';
import type { Playback, StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const cams: StreamRef[] = [
  { accountId: 'acc1', streamName: 'lobby' },
  { accountId: 'acc1', streamName: 'dock' },
  { accountId: 'acc1', streamName: 'gate' },
];
const demo: StreamRef = { accountId: 'demo', streamName: 'lobby' };
const LIVE: Playback = { mode: 'LIVE' };
const cellCam = (cell: number) => cams[cell % 3]!;

async function openWall(h: WallHarness, tiles = 9, cam = cellCam) {
  return h.settle(Promise.all(Array.from({ length: tiles }, (_, cell) => h.acquire(`wall:${cell}`, cam(cell), LIVE))));
}
const sessionsOf = (h: WallHarness, tiles = 9) => Array.from({ length: tiles }, (_, cell) => h.tiles.get(`wall:${cell}`)?.grant?.sessionId);

describe('sessions survive a restart', () => {
  it('after a quit, the restarted wall plays every tile on its own session again with 0 KVS calls', async () => {
    const h = new WallHarness({ seed: 61, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await openWall(h);
    const before = sessionsOf(h);
    await h.clock.advance(5 * 60_000);

    for (let restart = 0; restart < 3; restart++) {
      await h.quit();
      h.clock.sleep(20_000);
      await h.start();
      const calls = h.kvs.stats.brokerCalls;
      const answers = await openWall(h);
      expect(answers.every((a) => a.status === 'granted')).toBe(true);
      expect(sessionsOf(h)).toEqual(before);
      expect(h.kvs.stats.brokerCalls).toBe(calls);
      await h.clock.advance(60_000);
    }
    // The URLs are in the pool file (sealed in the app), never in the ledger.
    expect(JSON.stringify(h.file.read())).not.toContain('SessionToken');
    expect(h.poolFile.read()?.sessions).toHaveLength(9);
    expect(h.violations).toEqual([]);
  });

  it('after a crash, the sessions saved as they were handed out come back too', async () => {
    const h = new WallHarness({ seed: 62, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await openWall(h);
    const before = sessionsOf(h);
    await h.clock.advance(60_000);
    h.crash();
    await h.start();
    const calls = h.kvs.stats.brokerCalls;
    await openWall(h);
    expect(sessionsOf(h)).toEqual(before);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
  });

  it('renewals go on from the restored sessions, within the budget', async () => {
    const h = new WallHarness({ seed: 63, config: { expiresSeconds: 600, reservePerStream: 1 } });
    await h.start();
    await openWall(h, 8, () => cams[0]!);
    await h.clock.advance(200_000);
    await h.quit();
    await h.start();
    await openWall(h, 8, () => cams[0]!);
    await h.clock.advance(3 * 3600_000);
    expect(h.kvs.stats.selfEvictions).toBe(0);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/lobby')).toBeLessThanOrEqual(9);
    expect(h.violations).toEqual([]);
  });

  it('a restored session goes back to its own tile while it has a little life, to another only with more', async () => {
    const h = new WallHarness({ seed: 64, config: { expiresSeconds: 600, reservePerStream: 0 } });
    await h.start();
    await openWall(h, 2);
    const before = sessionsOf(h, 2);
    await h.quit();
    // 600 s sessions go to another tile with at least 60 + 10 + 30 s left, back to their own with 30 s.
    // After 505 s, 95 s remain.
    h.clock.sleep(505_000);
    await h.start();
    let calls = h.kvs.stats.brokerCalls;
    await openWall(h, 2);
    expect(sessionsOf(h, 2)).toEqual(before);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    // Each renews 60–70 s before its expiry, make-before-break, as without the restart.
    await h.clock.advance(40_000);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 2);
    // The old ones, back in the pool with under a minute, are not offered to another tile.
    calls = h.kvs.stats.brokerCalls;
    await h.acquireSettled('wall:7', cams[0]!, LIVE);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
  });

  it('a saved session with too little life is not restored at all', async () => {
    const h = new WallHarness({ seed: 69, config: { expiresSeconds: 600, reservePerStream: 0 } });
    await h.start();
    await openWall(h, 1);
    await h.quit();
    h.clock.sleep(580_000);
    await h.start();
    expect(h.service.budget(cams[0]!)).toMatchObject({ used: 1, pooled: 0 });
    const calls = h.kvs.stats.brokerCalls;
    await openWall(h, 1);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
    await h.service.flush();
    expect(h.poolFile.read()?.sessions.map((s) => s.sessionId)).toEqual(sessionsOf(h, 1));
  });

  it('a pooled session the ledger no longer counts is not restored', async () => {
    const h = new WallHarness({ seed: 65, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await openWall(h, 1, () => cams[0]!);
    await h.quit();
    // A ledger from elsewhere (restored from a backup, say) knows nothing of the pooled session.
    h.file.write({ version: 2, streams: [] });
    await h.start();
    expect(h.service.budget(cams[0]!)).toMatchObject({ used: 0, pooled: 0 });
  });

  it('without a place to keep the pool (no keychain) a restart asks again, next to the old sessions', async () => {
    const h = new WallHarness({ seed: 66, config: { expiresSeconds: 1800, reservePerStream: 1 }, persistPool: false });
    await h.start();
    await openWall(h, 4, () => cams[0]!);
    await h.quit();
    h.clock.sleep(10_000);
    await h.start();
    const answers = await openWall(h, 4, () => cams[0]!);
    expect(answers.every((a) => a.status === 'granted')).toBe(true);
    expect(h.service.budget(cams[0]!).used).toBe(8);
    expect(h.kvs.stats.brokerCalls).toBe(8);
  });

  it('the demo cameras start afresh: their sessions from the last run neither count nor come back', async () => {
    const h = new WallHarness({ seed: 67, config: { expiresSeconds: 1800, reservePerStream: 0 }, voidAccounts: ['demo'] });
    // Ten runs of the app on a demo wall; each run's embedded emulator is new, so the sessions of
    // the run before don't exist there. Counting them would fill the camera after nine restarts,
    // and offering them would hand tiles dead URLs.
    for (let run = 0; run < 10; run++) {
      await h.start();
      expect(h.service.budget(demo), `run ${run}`).toMatchObject({ used: 0, pooled: 0 });
      const calls = h.kvs.stats.brokerCalls;
      expect((await h.acquireSettled('wall:0', demo, LIVE)).status).toBe('granted');
      expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
      await h.acquireSettled('wall:1', cams[0]!, LIVE);
      h.crash();
      h.clock.sleep(10_000);
    }
    // Other accounts' sessions are kept: the AWS camera's first session still counts, and came back each run.
    await h.start();
    expect(h.service.budget(cams[0]!)).toMatchObject({ used: 1, pooled: 1 });
    expect(h.file.read()?.streams.filter((s) => s.stream.accountId === 'demo')).toEqual([]);
  });
});
