import { MAX_WALL_CAMERAS } from '../../../shared/contract';
import type { AlertTimers } from './camera-alerts';

export interface CameraCounts {
  live: number;
  total: number;
}

export interface CameraCountReportOptions {
  /** Tells main; resolves to whether main counted it (false: this page is not attached just now). */
  send: (counts: CameraCounts) => Promise<boolean>;
  /** At most one report this often; the latest counts always go out in the end. */
  intervalMs: number;
  timers?: AlertTimers;
}

export interface CameraCountReport {
  /** What the wall shows now: each camera on it, playing or not (as the alerts observe it). */
  observe(cameras: ReadonlyMap<string, boolean>): void;
  stop(): void;
}

/**
 * Tells main how many of the wall's cameras play, for the tray: only when the numbers change, and at
 * most once per interval however often tiles flicker between states. A report main didn't count (the
 * page was between attachments) is sent again after an interval.
 */
export function createCameraCountReport(options: CameraCountReportOptions): CameraCountReport {
  const timers: AlertTimers = options.timers ?? {
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  let latest: CameraCounts | undefined;
  let sent: CameraCounts | undefined;
  let sentAt = -Infinity;
  let timer: unknown;
  let stopped = false;

  const same = (a: CameraCounts | undefined, b: CameraCounts | undefined) => a !== undefined && b !== undefined && a.live === b.live && a.total === b.total;

  const later = (ms: number) => {
    if (timer !== undefined || stopped) return;
    timer = timers.setTimeout(() => {
      timer = undefined;
      flush();
    }, ms);
  };

  function flush(): void {
    if (stopped || latest === undefined || same(latest, sent)) return;
    const wait = sentAt + options.intervalMs - timers.now();
    if (wait > 0) return later(wait);
    const counts = latest;
    sent = counts;
    sentAt = timers.now();
    options.send(counts).then(
      (accepted) => {
        if (accepted || !same(sent, counts)) return;
        sent = undefined;
        later(options.intervalMs);
      },
      () => {
        // Main unreachable (the browser shell reconnecting): try again with whatever is latest then.
        if (!same(sent, counts)) return;
        sent = undefined;
        later(options.intervalMs);
      },
    );
  }

  return {
    observe(cameras) {
      let live = 0;
      for (const playing of cameras.values()) if (playing) live++;
      // A wall holds at most MAX_WALL_CAMERAS tiles; the bound keeps a report main would refuse from looping.
      latest = { live: Math.min(live, MAX_WALL_CAMERAS), total: Math.min(cameras.size, MAX_WALL_CAMERAS) };
      flush();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
