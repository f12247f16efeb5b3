import { SESSION_URL_CALLS_PER_SECOND } from './points-price';

/** The session service's fixed numbers: call pacing, backoffs, retry intervals, defaults. */

/** The `sessions` model's cap per stream, as the seed documents it; an 11th session closes the oldest. */
export const DEFAULT_SESSION_LIMIT = 10;
/** The `points` model: the share of each stream's points this app may spend unless told otherwise. */
export const DEFAULT_POINTS_SHARE = 0.5;

/**
 * GetDASHStreamingSessionURL pacing per stream, a burst then one call per interval:
 * - `sessions` model (the seed's quota table: 5 calls/s burst, 1/s sustained): a burst of 4, one
 *   under KVS's 5, so requests that reach it a little bunched still fit;
 * - `points` model (25 calls/s per stream): a burst of 10, then 20 a second.
 */
export const SESSIONS_MODEL_PACING = { burst: 4, intervalMs: 1_000 } as const;
export const POINTS_MODEL_PACING = { burst: 10, intervalMs: Math.ceil(1_000 / (SESSION_URL_CALLS_PER_SECOND - 5)) } as const;

export const EVICTION_BACKOFF = { baseMs: 5_000, capMs: 300_000 };
/** No eviction for this long means the last sessions survived: start the backoff from the bottom again. */
export const EVICTION_RESET_MS = 2 * EVICTION_BACKOFF.capMs;
export const THROTTLE_BACKOFF = { baseMs: 1_000, capMs: 30_000 };
/** No throttling for this long: the next one starts the stream's backoff from the bottom again. */
export const THROTTLE_RESET_MS = 2 * THROTTLE_BACKOFF.capMs;
export const TRANSIENT_BACKOFF = { baseMs: 5_000, capMs: 300_000 };
export const OFFLINE_RETRY = { minMs: 10_000, maxMs: 30_000 };
/** A 401/403 this close to the expiry is the expiry itself, not another viewer. */
export const EXPIRY_TOLERANCE_MS = 5_000;
/** Main-made calls (ListFragments) wait at most this long for room in the points share, then are refused. */
export const MAX_SPEND_WAIT_MS = 5_000;
/** A live tile's points per second until its stream has measured ones: a manifest a second of 5 fragments, a 2-s video and audio fragment pair. */
export const DEFAULT_TILE_POINTS = { media: 1, metadata: 5 } as const;
/** The points meter's window: long enough to hold two page heartbeats' worth of reports. */
export const MIN_POINTS_WINDOW_MS = 10_000;

/** A spare slot per stream lets renewals make-before-break; with one slot there is nothing to spare. */
export function headroomFor(budget: number): number {
  return budget >= 2 ? 1 : 0;
}

/**
 * A tile switching to another stream of its camera (its sub-stream and back) keeps showing the old
 * session's picture until the new one has frames (a player gives up on a new one after 20 s): the old
 * session is offered to no other tile this long, so two players never share one URL.
 */
export const HANDOVER_HOLD_MS = 20_000;
