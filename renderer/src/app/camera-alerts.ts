/** One entry of the event list (and of a desktop notification). */
export interface CameraAlert {
  id: number;
  kind: 'offline' | 'back';
  camera: string;
  /** When it was raised (epoch ms). */
  at: number;
  /** When the camera stopped playing. */
  since: number;
}

export interface AlertTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CameraAlertsOptions {
  /** Not playing for this long: offline. Shorter drops are part of live video and say nothing. */
  offlineAfterMs: number;
  onAlert: (alert: CameraAlert) => void;
  timers?: AlertTimers;
}

export interface CameraAlerts {
  /**
   * What the wall shows now: each camera on it, playing or not (a camera on several tiles plays if
   * any of them does). A camera no longer on the wall is forgotten without an alert.
   */
  observe(cameras: ReadonlyMap<string, boolean>): void;
  stop(): void;
}

interface Watch {
  since: number;
  timer?: unknown;
  raised: boolean;
}

/**
 * Alerts when a camera on the wall stops playing for longer than a threshold, and again when it plays
 * again — once each, however often the wall is observed in between.
 */
export function createCameraAlerts(options: CameraAlertsOptions): CameraAlerts {
  const timers: AlertTimers = options.timers ?? {
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  const down = new Map<string, Watch>();
  let nextId = 1;

  const forget = (camera: string) => {
    const watch = down.get(camera);
    if (watch?.timer !== undefined) timers.clearTimeout(watch.timer);
    down.delete(camera);
  };

  return {
    observe(cameras) {
      for (const camera of [...down.keys()]) if (!cameras.has(camera)) forget(camera);
      for (const [camera, playing] of cameras) {
        const watch = down.get(camera);
        if (playing) {
          if (watch?.raised) options.onAlert({ id: nextId++, kind: 'back', camera, at: timers.now(), since: watch.since });
          if (watch) forget(camera);
          continue;
        }
        if (watch) continue;
        const since = timers.now();
        const fresh: Watch = { since, raised: false };
        fresh.timer = timers.setTimeout(() => {
          fresh.timer = undefined;
          fresh.raised = true;
          options.onAlert({ id: nextId++, kind: 'offline', camera, at: timers.now(), since });
        }, options.offlineAfterMs);
        down.set(camera, fresh);
      }
    },
    stop() {
      for (const camera of [...down.keys()]) forget(camera);
    },
  };
}

/** The sentence the event list and a notification show. */
export function alertText(alert: CameraAlert, formatTime: (ms: number) => string): string {
  if (alert.kind === 'offline') return `${alert.camera} is offline (not playing since ${formatTime(alert.since)})`;
  const seconds = Math.round((alert.at - alert.since) / 1000);
  return `${alert.camera} is back after ${seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`}`;
}
