import type { Clock, TimerHandle } from '../../../main/core/clock';

interface Timer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
  owner: ScopedClock | undefined;
}

/** A clock whose timers can all be killed at once, like a process that crashed. */
export interface ScopedClock extends Clock {
  kill(): void;
  readonly killed: boolean;
}

const flushPromises = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deterministic virtual time. Timers fire in order of due time (then creation), each followed by a
 * flush of pending promise callbacks so async code driven by the timers settles before the next one.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();
  private readonly stepHooks: Array<() => void> = [];
  firedCount = 0;

  constructor(start = Date.UTC(2025, 0, 6, 8, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, undefined);
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'object' && handle !== null && 'id' in handle && typeof handle.id === 'number') this.timers.delete(handle.id);
  }

  /** A view of this clock whose timers die with `kill()`. */
  scope(): ScopedClock {
    const owned = new Set<number>();
    let killed = false;
    const scoped: ScopedClock = {
      now: () => this.current,
      setTimeout: (fn, ms) => {
        if (killed) return { id: -1 };
        const handle = this.add(fn, ms, scoped);
        owned.add(handle.id);
        return handle;
      },
      clearTimeout: (handle) => this.clearTimeout(handle),
      kill: () => {
        killed = true;
        for (const id of owned) this.timers.delete(id);
      },
      get killed() {
        return killed;
      },
    };
    return scoped;
  }

  /** Runs after every fired timer (invariant checks). */
  onStep(hook: () => void): void {
    this.stepHooks.push(hook);
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushPromises();
    for (;;) {
      const next = this.earliestDue(target);
      if (!next) break;
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.at);
      this.firedCount++;
      next.fn();
      await flushPromises();
      for (const hook of this.stepHooks) hook();
    }
    this.current = Math.max(this.current, target);
    await flushPromises();
  }

  /** Advances in steps until `done()` holds or `maxMs` passes; returns whether it held. */
  async advanceUntil(done: () => boolean, maxMs: number, stepMs = 100): Promise<boolean> {
    const end = this.current + maxMs;
    while (!done()) {
      if (this.current >= end) return false;
      await this.advance(Math.min(stepMs, end - this.current));
    }
    return true;
  }

  /**
   * The machine sleeps for `ms`. With 'overdue' timers, everything that fell due fires (late) on the next
   * `advance`. With 'paused' timers, as when timers run on a monotonic clock that stops during sleep,
   * every pending timer fires `ms` later than planned.
   */
  sleep(ms: number, timers: 'overdue' | 'paused' = 'overdue'): void {
    this.current += ms;
    if (timers === 'paused') for (const t of this.timers.values()) t.at += ms;
  }

  private add(fn: () => void, ms: number, owner: ScopedClock | undefined): { id: number } {
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), seq: id, fn, owner });
    return { id };
  }

  private earliestDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
