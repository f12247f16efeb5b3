import { describe, expect, it } from 'vitest';
import { Counters } from '../../../emulator/control/counters';
import { KvsError } from '../../../emulator/errors';
import { POINT_COSTS } from '../../../emulator/quotas/point-costs';
import { quotaModel } from '../../../emulator/quotas/quota-models';
import { QuotaBook } from '../../../emulator/quotas/quotas';
import { TokenBucket } from '../../../emulator/quotas/token-bucket';

function refusedBy(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof KvsError) return `${error.errorName} ${error.status}`;
    throw error;
  }
}

describe('TokenBucket', () => {
  it('takes costs larger than one, refills at its rate and never fits a cost above its capacity', () => {
    const bucket = new TokenBucket(10, 10, 0);
    expect(bucket.tryTake(0, 7)).toBe(true);
    expect(bucket.tryTake(0, 4)).toBe(false);
    expect(bucket.tryTake(0, 3)).toBe(true);
    expect(bucket.tryTake(100, 2)).toBe(false);
    expect(bucket.tryTake(200, 2)).toBe(true);
    expect(bucket.tryTake(60_000, 11)).toBe(false);
    expect(bucket.isFull(60_000)).toBe(true);
  });
});

describe('QuotaBook', () => {
  it('admits all or nothing: a request refused by its points spends none of its session rate', () => {
    const counters = new Counters();
    const book = new QuotaBook(quotaModel('points'), counters);
    const fragment = (session: string) => ({ api: 'GetMP4MediaFragment', rate: 'media' as const, stream: 'cam', session, points: POINT_COSTS.getMP4MediaFragment() });
    for (let s = 0; s < 25; s++) for (let i = 0; i < 20; i++) book.require(fragment(`s${s}`), 0);
    expect(refusedBy(() => book.require(fragment('late'), 0))).toBe('ClientLimitExceededException 400');
    // 40 ms later 20 points are back; the late session's own 20 TPS were never touched.
    for (let i = 0; i < 20; i++) book.require(fragment('late'), 40);
    expect(refusedBy(() => book.require(fragment('late'), 40))).toBe('ClientLimitExceededException 400');
    const snapshot = counters.snapshot();
    expect(snapshot.points).toEqual({ cam: { media: 520, metadata: 0 } });
    expect(snapshot.throttled).toEqual({ cam: { mediaPoints: 1, media: 1 } });
  });

  it('counts points in the sessions model without enforcing them, and uses its older rates', () => {
    const counters = new Counters();
    const book = new QuotaBook(quotaModel('sessions'), counters);
    for (let i = 0; i < 3; i++) book.require({ api: 'GetDASHManifest', rate: 'manifest', stream: 'cam', session: `s${i}`, points: POINT_COSTS.getDASHManifest(1000) }, 0);
    for (let i = 0; i < 5; i++) book.require({ api: 'ListFragments', rate: 'listFragments', stream: 'cam', points: POINT_COSTS.listFragments(1000) }, 0);
    expect(refusedBy(() => book.require({ api: 'ListFragments', rate: 'listFragments', stream: 'cam', points: POINT_COSTS.listFragments(1) }, 0))).toBe('ClientLimitExceededException 400');
    expect(counters.snapshot().points).toEqual({ cam: { media: 0, metadata: 8000 } });
    expect(counters.snapshot().throttled).toEqual({ cam: { listFragments: 1 } });
  });

  it('passes everything when not enforced, still counting points', () => {
    const counters = new Counters();
    const book = new QuotaBook(quotaModel('points'), counters, false);
    for (let i = 0; i < 100; i++) book.require({ api: 'GetMP4MediaFragment', rate: 'media', stream: 'cam', session: 'one', points: POINT_COSTS.getMP4MediaFragment() }, 0);
    expect(counters.snapshot().points).toEqual({ cam: { media: 100, metadata: 0 } });
    expect(book.size).toBe(0);
  });

  it('uses the given status for refused GETs and drops full buckets on prune', () => {
    const book = new QuotaBook(quotaModel('points'), new Counters());
    const manifest = { api: 'GetDASHManifest', rate: 'manifest' as const, stream: 'cam', session: 'one', points: POINT_COSTS.getDASHManifest(5) };
    for (let i = 0; i < 5; i++) book.require(manifest, 0, 429);
    expect(refusedBy(() => book.require(manifest, 0, 429))).toBe('ClientLimitExceededException 429');
    expect(book.size).toBe(2);
    book.prune(500);
    expect(book.size).toBe(1); // the metadata budget (25 of 10,000 spent) refilled; the session's 5 TPS not yet
    book.prune(1000);
    expect(book.size).toBe(0);
  });

  it('prices GetClip and GetImages as the quota page does', () => {
    expect(POINT_COSTS.getClip(200)).toEqual({ media: 200, metadata: 200 });
    expect(POINT_COSTS.getImages(100)).toEqual({ media: 100, metadata: 500 });
  });
});
