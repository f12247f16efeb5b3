import { describe, expect, it } from 'vitest';
import { isAppFailure } from '../../../main/core/app-failure';
import { createSessionService, LEDGER_VERSION, LedgerSnapshotSchema } from '../../../main/sessions';
import type { StreamRef } from '../../../shared/model';
import { FakeClock } from './fake-clock';
import { FakeKvs } from './fake-kvs';
import { MemoryLedgerFile } from './memory-files';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'gate' };
const LIVE = { mode: 'LIVE' } as const;
const config = { expiresSeconds: 600, reservePerStream: 1 };

describe('ledger persistence', () => {
  it('is on disk before a grant is handed out', async () => {
    const h = new WallHarness({ seed: 3, config });
    await h.start();
    const answer = await h.acquireSettled('t1', cam, LIVE);
    if (answer.status !== 'granted') throw new Error('expected a grant');
    const saved = h.file.read();
    const entry = saved?.streams[0]?.sessions.find((s) => s.sessionId === answer.grant.sessionId);
    expect(entry?.issuedAt).toBeDefined();
    expect(LedgerSnapshotSchema.safeParse(saved).success).toBe(true);
    // The session URL is a bearer token: never written to the ledger.
    expect(JSON.stringify(saved)).not.toContain('SessionToken');
  });

  it('a crash after KVS created a session but before the answer arrived still counts it after restart', async () => {
    const h = new WallHarness({ seed: 4, config, kvs: { latencyMs: () => 2000 } });
    // Saves take longer than KVS takes to act on a call, so the order of the two matters.
    h.file.slow = { clock: h.clock, ms: 3000 };
    await h.start();
    await h.settle(Promise.all(Array.from({ length: 7 }, (_, i) => h.acquire(`t${i}`, cam, LIVE))));
    void h.acquire('t7', cam, LIVE);
    // KVS acts halfway through the 2 s round trip; crash right then, before the answer.
    expect(await h.clock.advanceUntil(() => h.kvs.activeCount(cam, 'broker') === 8, 30_000, 10)).toBe(true);
    h.crash();

    await h.start();
    expect(h.broker.budget(cam).used).toBe(8);
    // The restarted wall asks again for all eight tiles: the seven whose sessions came back in the
    // pool play at once, with no call; the eighth, whose answer was lost in the crash, fits nowhere.
    const calls = h.kvs.stats.brokerCalls;
    const answers = await h.settle(Promise.all(Array.from({ length: 8 }, (_, i) => h.acquire(`t${i}`, cam, LIVE))));
    expect(answers.slice(0, 7).map((a) => a.status)).toEqual(Array(7).fill('granted'));
    expect(answers[7]?.status).toBe('waiting');
    expect(h.kvs.stats.brokerCalls).toBe(calls);
    await h.clock.advance(3 * 3600_000);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/gate')).toBeLessThanOrEqual(9);
    expect(h.kvs.stats.selfEvictions).toBe(0);
    expect([...h.tiles.values()].every((t) => t.grant !== undefined)).toBe(true);
    expect(h.violations).toEqual([]);
  });

  it('a restart in the middle of a busy run never over-issues', async () => {
    const h = new WallHarness({ seed: 5, config: { expiresSeconds: 300, reservePerStream: 1 } });
    await h.start();
    const tiles = Array.from({ length: 8 }, (_, i) => `t${i}`);
    await h.settle(Promise.all(tiles.map((id) => h.acquire(id, cam, LIVE))));
    await h.clock.advance(2 * 3600_000 + 123_456);
    const before = h.kvs.activeCount(cam, 'broker');
    h.crash();
    await h.start();
    expect(h.broker.budget(cam).used).toBeGreaterThanOrEqual(before);
    void Promise.all(tiles.map((id) => h.acquire(id, cam, LIVE)));
    await h.clock.advance(6 * 3600_000);
    expect(h.kvs.stats.maxBrokerActive.get('acc1/gate')).toBeLessThanOrEqual(9);
    expect(h.kvs.stats.selfEvictions).toBe(0);
    expect(tiles.every((id) => h.tiles.get(id)?.grant)).toBe(true);
    expect(h.violations).toEqual([]);
  });

  it('drops sessions that expired while the app was closed', async () => {
    const h = new WallHarness({ seed: 6, config });
    await h.start();
    await h.acquireSettled('t1', cam, LIVE);
    await h.broker.dispose();
    h.clock.sleep(601_000 + 2_000);
    await h.start();
    expect(h.broker.budget(cam).used).toBe(0);
  });

  it('refuses an unreadable ledger instead of forgetting what it held', async () => {
    const clock = new FakeClock();
    const file = new MemoryLedgerFile();
    file.write({ version: LEDGER_VERSION + 1, streams: [] });
    const start = createSessionService({
      clock,
      issuer: new FakeKvs(clock).issuer,
      ledgerStore: file.handle(),
      config: () => config,
    });
    await expect(start).rejects.toSatisfy((err: unknown) => isAppFailure(err) && err.appError.code === 'StoreCorrupt');
  });

  it('requests no session when the reservation cannot be saved, and retries later', async () => {
    const h = new WallHarness({ seed: 8, config });
    await h.start();
    h.file.failSaves = true;
    const answer = await h.acquireSettled('t1', cam, LIVE);
    expect(answer.status).toBe('error');
    expect(answer.status === 'error' && answer.error.retryable).toBe(true);
    expect(h.kvs.stats.brokerCalls).toBe(0);
    h.file.failSaves = false;
    await h.clock.advance(60_000);
    expect(h.tiles.get('t1')?.grant).toBeDefined();
    expect(h.kvs.stats.brokerCalls).toBe(1);
  });
});
