import { describe, expect, it } from 'vitest';
import { AppFailure } from '../../../main/core/app-failure';
import { silentLogger } from '../../../main/core/logger';
import { exponentialDelay } from '../../../main/sessions/backoff';
import { chooseExpiresSeconds } from '../../../main/sessions/expiry-spacing';
import { classifyFailure } from '../../../main/sessions/failure-policy';
import { migrateLedger, type LedgerSnapshot } from '../../../main/sessions/ledger-snapshot';
import { createSnapshotWriter } from '../../../main/sessions/snapshot-writer';
import { COUNT_MARGIN_MS, SessionLedger, UNKNOWN_OUTCOME_GRACE_MS } from '../../../main/sessions/session-ledger';
import { defaultLeadSeconds, resolveTimings } from '../../../main/sessions/timings';
import { TokenBucket } from '../../../main/sessions/token-bucket';
import { appError } from '../../../shared/errors';
import { FakeClock } from './fake-clock';
import { seededRandom } from './prng';

const cam = { accountId: 'a1', streamName: 'cam' };

describe('TokenBucket', () => {
  it('allows the burst, then one call per interval', () => {
    const b = new TokenBucket(4, 1000, 0);
    expect([1, 2, 3, 4, 5].map(() => b.tryTake(0))).toEqual([true, true, true, true, false]);
    expect(b.nextTokenAt(0)).toBe(1000);
    expect(b.tryTake(999)).toBe(false);
    expect(b.tryTake(1000)).toBe(true);
    // Refill never exceeds the capacity, however long the pause.
    expect([1, 2, 3, 4, 5].map(() => b.tryTake(100_000))).toEqual([true, true, true, true, false]);
  });

  it('drain empties it when the service says we called too often', () => {
    const b = new TokenBucket(4, 1000, 0);
    b.drain(0);
    expect(b.tryTake(0)).toBe(false);
    expect(b.nextTokenAt(0)).toBe(1000);
  });
});

describe('exponentialDelay', () => {
  it('doubles from the base to the cap, within ±20%', () => {
    const random = seededRandom(1);
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => exponentialDelay(n, 5000, 300_000, random));
    delays.forEach((d, i) => {
      const nominal = Math.min(300_000, 5000 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.8);
      expect(d).toBeLessThanOrEqual(Math.min(300_000, nominal * 1.2));
    });
  });
});

describe('chooseExpiresSeconds', () => {
  const base = { issueAt: 0, baseSeconds: 300, maxStretchSeconds: 600, spacingMs: 75_000 };
  it('keeps the configured Expires when nothing else is held', () => {
    expect(chooseExpiresSeconds({ ...base, otherExpiries: [] })).toBe(300);
  });
  it('keeps it when the neighbours are far enough away', () => {
    expect(chooseExpiresSeconds({ ...base, otherExpiries: [100_000, 500_000] })).toBe(300);
  });
  it('stretches just past a neighbour that is too close', () => {
    expect(chooseExpiresSeconds({ ...base, otherExpiries: [290_000] })).toBe(365);
  });
  it('skips a run of neighbours', () => {
    const s = chooseExpiresSeconds({ ...base, otherExpiries: [300_000, 375_000, 450_000] });
    expect(s).toBe(525);
  });
  it('falls back to the widest gap when full spacing is impossible', () => {
    // Neighbours every 50 s except one 80 s hole between 450 s and 530 s.
    const crowded = [300, 350, 400, 450, 530, 580, 630, 680, 730, 780, 830, 880, 930].map((s) => s * 1000);
    expect(chooseExpiresSeconds({ ...base, otherExpiries: crowded })).toBe(490);
  });
  it('shrinks below the base when the cap leaves no room to stretch', () => {
    const capped = { issueAt: 0, baseSeconds: 43_200, maxStretchSeconds: 0, maxShrinkSeconds: 21_600, spacingMs: 4_000_000 };
    // A neighbour expiring at the same moment: the nearest clear expiry is one spacing earlier.
    expect(chooseExpiresSeconds({ ...capped, otherExpiries: [43_200_000] })).toBe(39_200);
    expect(chooseExpiresSeconds({ ...capped, maxShrinkSeconds: 0, otherExpiries: [43_200_000] })).toBe(43_200);
  });
});

describe('resolveTimings', () => {
  it('derives a lead of a minute or 10%, never over a third of a short session', () => {
    expect(defaultLeadSeconds(300)).toBe(60);
    expect(defaultLeadSeconds(3600)).toBe(360);
    expect(defaultLeadSeconds(30)).toBe(10);
  });
  it('honours explicit lead and jitter, and never stretches past 43200 s', () => {
    const t = resolveTimings({ expiresSeconds: 600, renewLeadSeconds: 30, renewJitterSeconds: 5 }, 9);
    expect(t).toMatchObject({ expiresSeconds: 600, leadMs: 30_000, jitterMs: 5_000, spacingMs: 40_000 });
    // A pooled session is offered while it has the lead, the jitter and half a lead more to live.
    expect(t.minReusableLifeMs).toBe(30_000 + 5_000 + 15_000);
    expect(resolveTimings({ expiresSeconds: 43_000 }, 9).maxStretchSeconds).toBe(200);
  });
  it('allows shrinking only what the cap takes away from stretching, and never below half', () => {
    expect(resolveTimings({ expiresSeconds: 1800 }, 10).maxShrinkSeconds).toBe(0);
    expect(resolveTimings({ expiresSeconds: 43_200 }, 10).maxShrinkSeconds).toBe(21_600);
  });
});

describe('classifyFailure', () => {
  const fail = (code: string, retryable = false, effect?: 'none' | 'unknown') => new AppFailure(appError(code, code, { retryable }), effect ? { effect } : undefined);
  it('sorts KVS answers into throttled, offline and fatal, none of which created a session', () => {
    expect(classifyFailure(fail('ClientLimitExceededException', true))).toMatchObject({ kind: 'throttled', sessionMayExist: false });
    expect(classifyFailure(fail('ResourceNotFoundException'))).toMatchObject({ kind: 'offline', sessionMayExist: false });
    for (const code of ['NotAuthorizedException', 'NoDataRetentionException', 'UnsupportedStreamMediaTypeException']) {
      expect(classifyFailure(fail(code, true))).toMatchObject({ kind: 'fatal', sessionMayExist: false, error: { retryable: false } });
    }
  });
  it('believes the issuer about whether the request reached KVS', () => {
    // A timeout or reset after sending: KVS may have created the session.
    expect(classifyFailure(fail('NetworkError', true, 'unknown'))).toMatchObject({ kind: 'transient', sessionMayExist: true });
    // A refused connection or DNS failure: the request never left.
    expect(classifyFailure(fail('NetworkError', true, 'none'))).toMatchObject({ kind: 'transient', sessionMayExist: false });
    expect(classifyFailure(fail('ServiceUnavailable', true, 'unknown'))).toMatchObject({ sessionMayExist: true });
  });
  it('without that word, treats anything but a KVS refusal or our own check as possibly having created a session', () => {
    expect(classifyFailure(fail('ServiceUnavailable', true))).toMatchObject({ kind: 'transient', sessionMayExist: true });
    expect(classifyFailure(new Error('socket hang up'))).toMatchObject({ kind: 'transient', sessionMayExist: true });
    expect(classifyFailure(fail('NetworkError', true))).toMatchObject({ kind: 'transient', sessionMayExist: true });
    expect(classifyFailure(fail('AccountNotFound'))).toMatchObject({ kind: 'fatal', sessionMayExist: false });
  });
});

describe('SessionLedger', () => {
  const playback = { mode: 'LIVE' } as const;
  it('counts a reservation for longer than the session could live, then exactly once KVS answers', () => {
    const ledger = new SessionLedger();
    ledger.reserve(cam, { sessionId: 's1', playback, reservedAt: 1000, expiresSeconds: 300 });
    expect(ledger.get('s1')?.countsUntil).toBe(1000 + 300_000 + UNKNOWN_OUTCOME_GRACE_MS);
    ledger.confirm('s1', 1500);
    expect(ledger.get('s1')).toMatchObject({ expiresAt: 301_000, countsUntil: 1500 + 300_000 + COUNT_MARGIN_MS });
    expect(ledger.liveCount(cam, 200_000)).toBe(1);
    expect(ledger.liveCount(cam, 1500 + 300_000 + COUNT_MARGIN_MS)).toBe(0);
  });
  it('an unknown outcome counts until the later of the reservation\'s worst case and the failure plus Expires', () => {
    const ledger = new SessionLedger();
    ledger.reserve(cam, { sessionId: 's1', playback, reservedAt: 0, expiresSeconds: 300 });
    ledger.markUnknown('s1', 10_000);
    expect(ledger.get('s1')?.countsUntil).toBe(300_000 + UNKNOWN_OUTCOME_GRACE_MS);
    // The call hung for 90 s before failing (an endpoint lookup, then the request): KVS may have
    // created the session as late as the failure.
    ledger.reserve(cam, { sessionId: 's2', playback, reservedAt: 0, expiresSeconds: 300 });
    ledger.markUnknown('s2', 90_000);
    expect(ledger.get('s2')?.countsUntil).toBe(90_000 + 300_000 + COUNT_MARGIN_MS);
  });
  it('restores a snapshot without the expired sessions and those of void accounts', () => {
    const ledger = new SessionLedger();
    const demo = { accountId: 'demo', streamName: 'lobby' };
    ledger.reserve(cam, { sessionId: 's1', playback, reservedAt: 0, expiresSeconds: 300 });
    ledger.reserve(cam, { sessionId: 's2', playback, reservedAt: 200_000, expiresSeconds: 300 });
    ledger.reserve(demo, { sessionId: 's3', playback, reservedAt: 200_000, expiresSeconds: 300 });
    ledger.confirm('s1', 100);
    ledger.confirm('s2', 200_100);
    const snapshot: LedgerSnapshot = ledger.snapshot();
    const again = new SessionLedger();
    expect(again.restore(snapshot, 400_000, (s) => s.accountId === 'demo')).toBe(2);
    expect(again.liveCount(cam, 400_000)).toBe(1);
    expect(again.liveCount(demo, 400_000)).toBe(0);
    expect(again.counts('s2', 400_000)).toBe(true);
  });
  it('reads a version 1 ledger, whose entries named a tile', () => {
    const v1 = { version: 1, streams: [{ stream: cam, sessions: [{ sessionId: 's1', tileId: 't1', playbackMode: 'LIVE', reservedAt: 0, expiresSeconds: 300, expiresAt: 300_000, countsUntil: 302_000, released: true }] }] };
    expect(migrateLedger(1, v1)).toEqual({ version: 2, streams: [{ stream: cam, sessions: [{ sessionId: 's1', playbackMode: 'LIVE', reservedAt: 0, expiresSeconds: 300, expiresAt: 300_000, countsUntil: 302_000 }] }] });
  });
});

describe('ledger writer', () => {
  it('coalesces a burst into few saves and resolves flush only once the change is saved', async () => {
    let release: () => void = () => {};
    const saved: number[] = [];
    let version = 0;
    const store = {
      load: async () => undefined,
      save: (s: LedgerSnapshot) =>
        new Promise<void>((resolve) => {
          release = () => {
            saved.push(s.streams.length);
            resolve();
          };
        }),
    };
    const writer = createSnapshotWriter(store, () => ({ version: 2 as const, streams: Array.from({ length: version }, () => ({ stream: cam, sessions: [] })) }), silentLogger, 'ledger');
    version = 1;
    let firstDone = false;
    const first = writer.flush().then(() => (firstDone = true));
    version = 2;
    const second = writer.flush();
    version = 3;
    const third = writer.flush();
    await Promise.resolve();
    expect(firstDone).toBe(false);
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([second, third]);
    // Two saves for three changes; the last one holds the latest state.
    expect(saved).toEqual([1, 3]);
  });
});

describe('FakeClock', () => {
  it('fires timers in time order, lets sleeping timers fire late, and kills a scope', async () => {
    const clock = new FakeClock(0);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 100);
    const scope = clock.scope();
    scope.setTimeout(() => log.push('scoped'), 150);
    scope.kill();
    scope.setTimeout(() => log.push('after kill'), 10);
    await clock.advance(150);
    expect(log).toEqual(['a@100']);
    clock.sleep(1000);
    await clock.advance(0);
    expect(log).toEqual(['a@100', 'b@1150']);
  });
});
