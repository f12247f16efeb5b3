import type { Clock } from '../core/clock';

export interface RateLimit {
  /** At most this many calls … */
  readonly calls: number;
  /** … in any window of this many ms. */
  readonly perMs: number;
}

/**
 * Sliding-window limits over several keys at once (e.g. one stream and its account): a call goes
 * out only when every key it counts against has room, so no window of `perMs` ever holds more than
 * `calls` calls for any key. Waiters are served in arrival order and wait on the injected clock.
 */
export interface RateLimiter {
  /** Resolves when the call may be made; the call is counted against every key from that moment. */
  acquire(keys: ReadonlyArray<{ key: string; limit: RateLimit }>): Promise<void>;
  /** Calls counted in the current window for a key (for tests and diagnostics). */
  inWindow(key: string, limit: RateLimit): number;
}

interface Waiter {
  keys: ReadonlyArray<{ key: string; limit: RateLimit }>;
  resolve: () => void;
}

export function createRateLimiter(clock: Clock): RateLimiter {
  const history = new Map<string, number[]>();
  const queue: Waiter[] = [];
  let timer: ReturnType<Clock['setTimeout']> | undefined;

  function recent(key: string, limit: RateLimit, now: number): number[] {
    const times = (history.get(key) ?? []).filter((t) => t > now - limit.perMs);
    if (times.length) history.set(key, times);
    else history.delete(key);
    return times;
  }

  /** The keys without room for the call now, each with how long until it has room. */
  function fullKeys(waiter: Waiter, now: number): Array<{ key: string; wait: number }> {
    const full: Array<{ key: string; wait: number }> = [];
    for (const { key, limit } of waiter.keys) {
      const times = recent(key, limit, now);
      if (times.length >= limit.calls) full.push({ key, wait: (times[times.length - limit.calls] ?? now) + limit.perMs - now });
    }
    return full;
  }

  function pump(): void {
    timer = undefined;
    const now = clock.now();
    let soonest = Number.POSITIVE_INFINITY;
    const blocked = new Set<string>();
    for (let i = 0; i < queue.length; ) {
      const waiter = queue[i]!;
      // A waiter never overtakes an earlier one waiting for the same full key (arrival order per key),
      // but a full stream does not hold up other streams that share only the account's key.
      const queuedBehind = waiter.keys.some(({ key }) => blocked.has(key));
      const full = queuedBehind ? [] : fullKeys(waiter, now);
      if (!queuedBehind && full.length === 0) {
        for (const { key, limit } of waiter.keys) {
          const times = recent(key, limit, now);
          times.push(now);
          history.set(key, times);
        }
        queue.splice(i, 1);
        waiter.resolve();
        continue;
      }
      for (const { key, wait } of full) {
        blocked.add(key);
        soonest = Math.min(soonest, wait);
      }
      i++;
    }
    if (queue.length && Number.isFinite(soonest)) timer = clock.setTimeout(pump, Math.max(1, soonest));
  }

  return {
    acquire(keys) {
      return new Promise<void>((resolve) => {
        queue.push({ keys, resolve });
        if (timer !== undefined) clock.clearTimeout(timer);
        pump();
      });
    },
    inWindow: (key, limit) => recent(key, limit, clock.now()).length,
  };
}
