/**
 * When a camera was stopped: an ordered list of [stop, resume) intervals, the last possibly open.
 * Lookups bisect, so a camera stopped and resumed many times still answers in O(log stops).
 */
export interface StopInterval {
  readonly startMs: number;
  /** Undefined while the camera is still stopped. */
  readonly endMs: number | undefined;
}

export class StopLog {
  private readonly intervals: StopInterval[] = [];

  /** Starts a stop at `atMs`; stopping a stopped camera changes nothing. */
  stop(atMs: number): void {
    const last = this.intervals[this.intervals.length - 1];
    if (last && last.endMs === undefined) return;
    if (last && last.endMs !== undefined && atMs < last.endMs) {
      throw new RangeError(`a stop at ${atMs} would start before the previous resume at ${last.endMs}`);
    }
    this.intervals.push({ startMs: atMs, endMs: undefined });
  }

  /** Ends the open stop at `atMs`; resuming a running camera changes nothing. */
  resume(atMs: number): void {
    const last = this.intervals[this.intervals.length - 1];
    if (!last || last.endMs !== undefined) return;
    if (atMs < last.startMs) throw new RangeError(`a resume at ${atMs} would come before its stop at ${last.startMs}`);
    this.intervals[this.intervals.length - 1] = { startMs: last.startMs, endMs: atMs };
  }

  /** The stop interval containing `atMs` (start inclusive, end exclusive), if any. */
  intervalAt(atMs: number): StopInterval | undefined {
    let low = 0;
    let high = this.intervals.length - 1;
    let candidate: StopInterval | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const interval = this.intervals[middle] as StopInterval;
      if (interval.startMs <= atMs) {
        candidate = interval;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (!candidate) return undefined;
    return candidate.endMs === undefined || atMs < candidate.endMs ? candidate : undefined;
  }
}
