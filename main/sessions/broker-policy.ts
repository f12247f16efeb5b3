/** The broker's fixed numbers: call pacing, backoffs and retry intervals. */

export const DEFAULT_SESSION_LIMIT = 10;
/** KVS allows a burst of 5; one less, so requests that reach it a little bunched still fit. */
export const CALL_BURST = 4;
export const CALL_INTERVAL_MS = 1_000;
export const EVICTION_BACKOFF = { baseMs: 5_000, capMs: 300_000 };
/** No eviction for this long means the last sessions survived: start the backoff from the bottom again. */
export const EVICTION_RESET_MS = 2 * EVICTION_BACKOFF.capMs;
export const THROTTLE_BACKOFF = { baseMs: 1_000, capMs: 30_000 };
export const TRANSIENT_BACKOFF = { baseMs: 5_000, capMs: 300_000 };
export const OFFLINE_RETRY = { minMs: 10_000, maxMs: 30_000 };
/** A 401/403 this close to the expiry is the expiry itself, not another viewer. */
export const EXPIRY_TOLERANCE_MS = 5_000;

/** A spare slot per stream lets renewals make-before-break; with one slot there is nothing to spare. */
export function headroomFor(budget: number): number {
  return budget >= 2 ? 1 : 0;
}
