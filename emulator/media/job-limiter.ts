/**
 * Runs at most `concurrency` jobs at once (ffmpeg processes: encodes, frame extraction), in the order
 * they were asked for. The machines this runs on have two cores shared with browsers and tests; more
 * ffmpeg processes than that only make every one of them slower.
 */
export class JobLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }

  /** Jobs started and not yet finished, and jobs waiting for a turn. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((turn) => this.waiting.push(turn));
    else this.running += 1;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next job, so `running` never dips below the true count.
      if (next) next();
      else this.running -= 1;
    }
  }
}
