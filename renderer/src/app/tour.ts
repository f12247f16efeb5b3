/** A tour as the settings keep it: the walls in order, how long each shows, how long a touch pauses it. */
export interface TourPlan {
  wallIds: readonly string[];
  intervalMs: number;
  /** After the operator's last interaction, the tour carries on after this long. */
  resumeAfterMs: number;
}

export interface TourTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface TourRunnerOptions {
  /** Shows a wall (the app's own wall switch). */
  show: (wallId: string) => void;
  /** The wall shown now (the operator may have picked another by hand). */
  current: () => string | undefined;
  timers?: TourTimers;
}

export interface TourRunner {
  /** Starts, changes or (undefined) stops the tour. Walls that no longer exist are left out by the caller. */
  configure(plan: TourPlan | undefined): void;
  /** The operator touched mouse or keyboard: pause, resume after `resumeAfterMs` of quiet. */
  interaction(): void;
  /** Held while the operator edits the wall or has a side panel open; released, the tour carries on. */
  hold(held: boolean): void;
  readonly running: boolean;
  stop(): void;
}

/** The wall after `current` in the tour, wrapping; the first when the current one isn't in it. */
export function nextInTour(wallIds: readonly string[], current: string | undefined): string | undefined {
  if (wallIds.length === 0) return undefined;
  const at = current === undefined ? -1 : wallIds.indexOf(current);
  return wallIds[(at + 1) % wallIds.length];
}

/**
 * A wall that rotates through other walls every N seconds, for a control room with more cameras than
 * screens. It pauses when someone uses the wall (they are looking at something) and while a panel is
 * open, and carries on by itself.
 */
export function createTourRunner(options: TourRunnerOptions): TourRunner {
  const timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  let plan: TourPlan | undefined;
  let held = false;
  let timer: unknown;

  const cancel = () => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
  const schedule = (ms: number) => {
    cancel();
    if (!plan || held || plan.wallIds.length < 2) return;
    timer = timers.setTimeout(advance, ms);
  };
  const advance = () => {
    timer = undefined;
    if (!plan) return;
    const next = nextInTour(plan.wallIds, options.current());
    if (next !== undefined) options.show(next);
    schedule(plan.intervalMs);
  };

  return {
    get running() {
      return timer !== undefined;
    },
    configure(next) {
      plan = next && next.wallIds.length >= 2 ? next : undefined;
      schedule(plan?.intervalMs ?? 0);
    },
    interaction() {
      if (plan && !held) schedule(plan.resumeAfterMs);
    },
    hold(next) {
      if (held === next) return;
      held = next;
      if (held) cancel();
      else schedule(plan?.intervalMs ?? 0);
    },
    stop() {
      plan = undefined;
      cancel();
    },
  };
}
