/** Delays between recovery attempts: quick at first, then no more than one manifest request per 15 s. */
export class Backoff {
  private attempt = 0;
  constructor(private readonly stepsMs: readonly number[] = [1000, 2000, 4000, 8000, 15_000]) {}

  next(): number {
    const base = this.stepsMs[Math.min(this.attempt, this.stepsMs.length - 1)] ?? 15_000;
    this.attempt += 1;
    // ±20 % jitter so a wall of tiles that failed together doesn't retry together.
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  reset(): void {
    this.attempt = 0;
  }
}
