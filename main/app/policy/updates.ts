import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';

/**
 * Automatic updates, off unless a feed is configured. A control-room PC updates when its
 * administrators say so: the feed is an electron-builder "generic" server (latest.yml and the
 * installers) named by `KVS_WALL_UPDATE_FEED`, set per machine or by policy. No feed, an invalid
 * one, or an unpackaged run → the updater is never constructed, so nothing is downloaded or polled.
 * With a feed: check at start and then every `intervalMs`; a found update downloads in the
 * background and installs when the app next quits, never mid-shift.
 */

export const UPDATE_FEED_ENV = 'KVS_WALL_UPDATE_FEED';
export const DEFAULT_UPDATE_INTERVAL_MS = 6 * 60 * 60 * 1000;

export type FeedDecision = { enabled: true; url: URL } | { enabled: false; reason: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Validates a configured feed: https (http only on loopback, for a local test server), no credentials, no query. */
export function resolveUpdateFeed(raw: string | undefined): FeedDecision {
  const text = raw?.trim();
  if (!text) return { enabled: false, reason: `no update feed configured (${UPDATE_FEED_ENV} is not set)` };
  if (text.length > 2048) return { enabled: false, reason: `${UPDATE_FEED_ENV} is longer than 2048 characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { enabled: false, reason: `${UPDATE_FEED_ENV} is not a URL: "${text.slice(0, 100)}"` };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    return { enabled: false, reason: `${UPDATE_FEED_ENV} must be an https:// URL (plain http only on 127.0.0.1), not ${url.protocol}//` };
  }
  if (url.username || url.password) return { enabled: false, reason: `${UPDATE_FEED_ENV} must not carry a user name or password` };
  if (url.search || url.hash) return { enabled: false, reason: `${UPDATE_FEED_ENV} must be the feed's folder URL, without ?query or #fragment` };
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { enabled: true, url };
}

/** The part of electron-updater's AppUpdater this module uses. */
export interface UpdaterLike {
  checkForUpdates(): Promise<unknown>;
}

export interface UpdatesOptions {
  feed: string | undefined;
  /** Unpackaged runs (`npm start`) never update. */
  isPackaged: boolean;
  /** Builds the updater for a feed; called at most once, and only for a valid feed. */
  createUpdater: (feed: URL) => UpdaterLike | Promise<UpdaterLike>;
  logger: Logger;
  clock: Clock;
  intervalMs?: number;
}

export interface Updates {
  readonly state: { enabled: true; feed: string } | { enabled: false; reason: string };
  /** Runs one check now (also used by the timer); never throws. */
  check(): Promise<void>;
  dispose(): void;
}

export function startUpdates(options: UpdatesOptions): Updates {
  const decision: FeedDecision = options.isPackaged ? resolveUpdateFeed(options.feed) : { enabled: false, reason: 'not a packaged app' };
  if (!decision.enabled) {
    // An invalid feed is an administrator's mistake worth a warning; no feed is the normal case.
    if (options.feed?.trim() && options.isPackaged) options.logger.warn('updates are off', { reason: decision.reason });
    return { state: decision, check: async () => {}, dispose: () => {} };
  }
  const feed = decision.url.href;
  const intervalMs = options.intervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
  let updater: Promise<UpdaterLike> | undefined;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let disposed = false;

  const check = async () => {
    try {
      updater ??= Promise.resolve(options.createUpdater(decision.url));
      await (await updater).checkForUpdates();
    } catch (err) {
      options.logger.warn('update check failed', { feed, error: err });
    }
  };
  const schedule = () => {
    if (disposed) return;
    timer = options.clock.setTimeout(() => void check().finally(schedule), intervalMs);
  };
  options.logger.info('updates are on', { feed });
  void check().finally(schedule);
  return {
    state: { enabled: true, feed },
    check,
    dispose() {
      disposed = true;
      if (timer !== undefined) options.clock.clearTimeout(timer);
    },
  };
}
