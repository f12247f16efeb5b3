/**
 * A token bucket: `capacity` calls at once, refilled at `ratePerSecond`. KVS quotas are stated as
 * "N TPS" or "N TPS burst, M TPS sustained", which map onto (capacity, rate) directly.
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly capacity: number,
    private readonly ratePerSecond: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.updatedMs = nowMs;
  }

  tryTake(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.updatedMs);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    this.updatedMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** A bucket that has refilled completely carries no state worth keeping. */
  isFull(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.updatedMs);
    return this.tokens + (elapsed / 1000) * this.ratePerSecond >= this.capacity;
  }
}
