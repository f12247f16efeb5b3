import { TokenBucket } from './token-bucket';

/** The KVS hard limits the emulator enforces (KVS developer guide, "Quotas"). */
export const QUOTAS = {
  /** GetDASHStreamingSessionURL, per stream. */
  sessionUrl: { capacity: 5, ratePerSecond: 1 },
  getDataEndpoint: { capacity: 5, ratePerSecond: 5 },
  describeStream: { capacity: 5, ratePerSecond: 5 },
  listFragments: { capacity: 5, ratePerSecond: 5 },
  /** Per account. */
  listStreams: { capacity: 50, ratePerSecond: 50 },
  /** Per session. */
  manifest: { capacity: 5, ratePerSecond: 5 },
  init: { capacity: 5, ratePerSecond: 5 },
  media: { capacity: 10, ratePerSecond: 10 },
} as const;

export type QuotaName = keyof typeof QUOTAS;

/** Buckets keyed by (quota, subject); full buckets are dropped so memory follows current load only. */
export class QuotaBook {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly enforced = true) {}

  tryTake(quota: QuotaName, subject: string, nowMs: number): boolean {
    if (!this.enforced) return true;
    const key = `${quota}\u0000${subject}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { capacity, ratePerSecond } = QUOTAS[quota];
      bucket = new TokenBucket(capacity, ratePerSecond, nowMs);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake(nowMs);
  }

  prune(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(nowMs)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
