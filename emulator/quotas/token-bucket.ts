/**
 * A token bucket: `capacity` tokens at once, refilled at `ratePerSecond`. KVS quotas are stated as
 * "N TPS", "N TPS burst, M TPS sustained" or "N points per second", which map onto (capacity, rate)
 * directly; a request takes one token, or as many as its points cost.
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

  /** Whether `cost` tokens are there now. A cost above the capacity never fits. */
  canTake(nowMs: number, cost = 1): boolean {
    this.refill(nowMs);
    return this.tokens >= cost;
  }

  /** Takes `cost` tokens; call only after `canTake` said yes at the same instant. */
  take(nowMs: number, cost = 1): void {
    this.refill(nowMs);
    this.tokens -= cost;
  }

  tryTake(nowMs: number, cost = 1): boolean {
    if (!this.canTake(nowMs, cost)) return false;
    this.tokens -= cost;
    return true;
  }

  /** A bucket that has refilled completely carries no state worth keeping. */
  isFull(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.updatedMs);
    return this.tokens + (elapsed / 1000) * this.ratePerSecond >= this.capacity;
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.updatedMs);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    this.updatedMs = Math.max(this.updatedMs, nowMs);
  }
}
