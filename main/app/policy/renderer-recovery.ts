import type { Clock, TimerHandle } from '../../core/clock';

/** Why a window's renderer went away, as Electron's `render-process-gone` says it. */
export type GoneReason = 'clean-exit' | 'abnormal-exit' | 'killed' | 'crashed' | 'oom' | 'launch-failed' | 'integrity-failure' | 'memory-eviction';

export interface RendererRecoveryOptions {
  clock: Clock;
  /** Loads the window's page again; its tiles re-attach and take their pooled sessions back. */
  reload: () => void;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** How long a renderer may stay unresponsive (a long decode, a GC pause) before it is reloaded. */
  unresponsiveGraceMs?: number;
  /**
   * Delays before the 1st, 2nd, … reload of a run of crashes. A page that crashes at every load is
   * reloaded ever more slowly rather than in a tight loop that would pin a CPU.
   */
  reloadDelaysMs?: readonly number[];
  /** A page that stays up this long ends a run of crashes: the next crash reloads at once again. */
  stableAfterMs?: number;
}

export interface RendererRecovery {
  /** The renderer process went away. */
  processGone(reason: string): void;
  /** Electron's `unresponsive`: the page has not answered for a while. */
  unresponsive(): void;
  /** Electron's `responsive`: it answers again, nothing to do. */
  responsive(): void;
  /** The page finished loading (`did-finish-load`). */
  loaded(): void;
  /** The window is closing: no more reloads. */
  dispose(): void;
  /** Crashes in the current run (for logs and tests). */
  readonly crashesInRun: number;
}

const DEFAULT_DELAYS = [0, 2000, 10_000, 30_000, 60_000];

/**
 * What a kiosk window does when its page dies or hangs: reload it, so an unattended wall comes back by
 * itself. Electron-free: the shell passes Electron's events in and a `reload` out.
 */
export function createRendererRecovery(options: RendererRecoveryOptions): RendererRecovery {
  const { clock, log } = options;
  const grace = options.unresponsiveGraceMs ?? 15_000;
  const delays = options.reloadDelaysMs ?? DEFAULT_DELAYS;
  const stableAfter = options.stableAfterMs ?? 120_000;
  let crashes = 0;
  let disposed = false;
  let reloadTimer: TimerHandle | undefined;
  let hangTimer: TimerHandle | undefined;
  let stableTimer: TimerHandle | undefined;

  const cancel = (timer: TimerHandle | undefined) => {
    if (timer !== undefined) clock.clearTimeout(timer);
  };

  const scheduleReload = (why: string) => {
    if (disposed || reloadTimer !== undefined) return;
    cancel(stableTimer);
    stableTimer = undefined;
    const delay = delays[Math.min(crashes, delays.length - 1)] ?? 0;
    crashes++;
    log('reloading the window', { why, inMs: delay, crashesInRun: crashes });
    reloadTimer = clock.setTimeout(() => {
      reloadTimer = undefined;
      if (!disposed) options.reload();
    }, delay);
  };

  return {
    get crashesInRun() {
      return crashes;
    },
    processGone(reason) {
      cancel(hangTimer);
      hangTimer = undefined;
      // A clean exit happens when the window closes; there is nothing to bring back.
      if (reason === 'clean-exit') return;
      scheduleReload(`renderer ${reason}`);
    },
    unresponsive() {
      if (disposed || hangTimer !== undefined || reloadTimer !== undefined) return;
      hangTimer = clock.setTimeout(() => {
        hangTimer = undefined;
        scheduleReload('renderer unresponsive');
      }, grace);
    },
    responsive() {
      cancel(hangTimer);
      hangTimer = undefined;
    },
    loaded() {
      if (disposed || crashes === 0) return;
      cancel(stableTimer);
      stableTimer = clock.setTimeout(() => {
        stableTimer = undefined;
        crashes = 0;
      }, stableAfter);
    },
    dispose() {
      disposed = true;
      for (const timer of [reloadTimer, hangTimer, stableTimer]) cancel(timer);
      reloadTimer = hangTimer = stableTimer = undefined;
    },
  };
}
