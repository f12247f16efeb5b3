import type { ManifestTimeline } from './kvs-timeline';

/**
 * When to poll a KVS live manifest and where to start playing it.
 *
 * A 2 s fragment is listed only once its whole GOP has been ingested: a little after its last frame was
 * captured. A player that polls every 2 s at the phase its `load()` happened to land on learns of each
 * fragment up to 2 s late, and has to sit that much further behind to never run dry; that phase, not
 * the presentation delay, is what spread Shaka's start-up latency over 3.2–5.1 s. So the layer times
 * each poll for just after the next fragment is due (its capture end + an ingest lag, learnt upward
 * when a poll comes too early), and starts the picture as close behind as that schedule allows.
 */

/** What a dynamic manifest tells us about its newest fragment. */
export interface LiveEdge {
  /** Presentation seconds at the end of the newest fragment. */
  newestEndSec: number;
  /** Epoch ms at which the newest fragment's last frame was captured (its kvs:ts + duration). */
  newestEndCaptureMs: number;
  /** Duration of the newest fragment: the best guess for the next one. */
  fragmentSec: number;
  /** Presentation seconds at the start of the oldest listed fragment. */
  oldestStartSec: number;
}

/** The live edge of a dynamic manifest, when it carries the camera's timestamps (KVS's kvs:ts). */
export function liveEdgeOf(timeline: ManifestTimeline): LiveEdge | undefined {
  const newest = timeline.fragments[timeline.fragments.length - 1];
  const oldest = timeline.fragments[0];
  if (!timeline.dynamic || !newest || !oldest || newest.timestampMs === undefined) return undefined;
  return {
    newestEndSec: timeline.newestEndSec,
    newestEndCaptureMs: newest.timestampMs + newest.durationSec * 1000,
    fragmentSec: newest.durationSec,
    oldestStartSec: oldest.startSec,
  };
}

/** Poll period when the schedule can't be predicted (no timestamps, a silent camera, a skewed clock). */
export const FALLBACK_POLL_SEC = 2;
/**
 * Capture end → listed in the manifest, before anything is learnt. The emulator ingests 150–400 ms after
 * capture; real KVS is documented as similar. A poll that finds nothing new raises it.
 */
const INITIAL_INGEST_LAG_MS = 450;
const INGEST_LAG_STEP_MS = 100;
/**
 * A timed poll that found its fragment at once lowers the lag a little, back towards the initial guess:
 * one slow stretch (a busy service, a congested uplink) must not keep a wall later than it needs for
 * weeks. Small against the step up, so about one poll in ten comes too early where the lag is steady.
 */
const INGEST_LAG_DECAY_MS = 10;
const MAX_INGEST_LAG_MS = 1500;
/** After a poll that came too early, one more look this soon rather than a whole period later. */
const RETRY_AFTER_MISS_MS = 300;
/** Never poll faster than this, whatever the clocks say (KVS allows 5 manifest requests/s per session). */
const MIN_POLL_MS = 250;
/**
 * Shaka pauses to rebuffer when less than this is buffered ahead (its "typical" threshold, 0.5 s, as
 * long as rebufferingGoal ≥ 1).
 */
const STARVING_SEC = 0.5;
/** Fetch and append of the next fragment, timer lateness and a busy renderer. */
const SAFETY_SEC = 0.2;
/**
 * How close behind the newest listed fragment a start may be: the newest fragment's first frame, a key
 * frame Shaka can show at once with a whole fragment (≥ its initial rebufferingGoal, 1.5 s) buffered. A
 * start at the newest fragment can sit up to one fragment later than the live target; catch-up
 * (catch-up.ts) closes that within seconds instead of a slower first frame.
 */
export const START_BEHIND_NEWEST_SEC = 2;
/**
 * Shaka's presentation delay: its seek range ends this far behind the live edge it locks from the first
 * manifest, and the browser clamps every seek (a catch-up jump too) to that range. A first manifest can
 * arrive up to one fragment + ingest lag after the newest fragment was captured, so a delay of more than
 * STARVING_SEC + SAFETY_SEC would put the live target out of reach for the whole session.
 */
export const PRESENTATION_DELAY_SEC = 0.5;
/** Shaka's own start before the polls were timed: 1.5 × minBufferTime (2 s) behind the newest fragment. */
const UNTIMED_START_BEHIND_NEWEST_SEC = 3;

export class LivePhase {
  private ingestLagMs = INITIAL_INGEST_LAG_MS;
  private newestEndSec = -Infinity;
  /** The last poll was timed for a fragment that should have been listed by then. */
  private expecting = false;
  private retried = false;

  /**
   * Seconds from the start of the manifest request that returned `edge` to the next poll. Called once
   * per manifest response.
   */
  nextPollSec(edge: LiveEdge | undefined, requestStartMs: number, nowMs: number): number {
    if (!edge) return FALLBACK_POLL_SEC;
    const advanced = edge.newestEndSec > this.newestEndSec + 0.001;
    this.newestEndSec = Math.max(this.newestEndSec, edge.newestEndSec);
    if (!advanced) {
      if (!this.expecting) return FALLBACK_POLL_SEC;
      // Timed for a fragment that wasn't there yet: this stream ingests more slowly than assumed.
      this.ingestLagMs = Math.min(MAX_INGEST_LAG_MS, this.ingestLagMs + INGEST_LAG_STEP_MS);
      if (!this.retried) {
        this.retried = true;
        return Math.max(MIN_POLL_MS, nowMs + RETRY_AFTER_MISS_MS - requestStartMs) / 1000;
      }
      // Still nothing: a late or silent camera; back to the plain period until a fragment shows up.
      this.expecting = false;
      return FALLBACK_POLL_SEC;
    }
    if (this.expecting && !this.retried) this.ingestLagMs = Math.max(INITIAL_INGEST_LAG_MS, this.ingestLagMs - INGEST_LAG_DECAY_MS);
    this.retried = false;
    const dueMs = edge.newestEndCaptureMs + edge.fragmentSec * 1000 + this.ingestLagMs;
    const waitMs = dueMs - requestStartMs;
    // A due time further away than one fragment (or already past) means the clocks disagree: don't
    // pretend to know the phase.
    if (!(waitMs >= MIN_POLL_MS && waitMs <= edge.fragmentSec * 1000 + this.ingestLagMs + MIN_POLL_MS)) {
      this.expecting = false;
      return FALLBACK_POLL_SEC;
    }
    this.expecting = true;
    return waitMs / 1000;
  }

  /**
   * Where a live picture should be now (presentation seconds): far enough behind "now" that each
   * fragment, learnt one ingest lag after its capture ends, is buffered before the playhead gets within
   * Shaka's starving threshold of it. Never so close to the newest listed fragment that the playhead
   * would reach its end before the next one is due (a late fragment moves the target back, not the
   * picture forward into a stall).
   */
  targetSec(edge: LiveEdge, nowMs: number): number {
    const sinceNewestMs = nowMs - edge.newestEndCaptureMs;
    // Our clock and the camera's disagree, or this isn't a live edge (a replay, a silent camera): the
    // polls can't be timed either, so keep Shaka's former margin for a random poll phase.
    if (sinceNewestMs < 0 || sinceNewestMs > edge.fragmentSec * 1000 + MAX_INGEST_LAG_MS) return untimedStartSec(edge);
    const nowSec = edge.newestEndSec + sinceNewestMs / 1000;
    const behindNowSec = edge.fragmentSec + this.ingestLagMs / 1000 + STARVING_SEC + SAFETY_SEC;
    return Math.max(edge.oldestStartSec, Math.min(nowSec - behindNowSec, edge.newestEndSec - STARVING_SEC - SAFETY_SEC));
  }

  /**
   * Where a fresh live player should start (presentation seconds): the live target, or the newest
   * fragment's first frame when that is earlier, so the first picture is a key frame with a whole
   * fragment buffered behind it.
   */
  startSec(edge: LiveEdge, nowMs: number): number {
    return Math.max(edge.oldestStartSec, Math.min(this.targetSec(edge, nowMs), edge.newestEndSec - START_BEHIND_NEWEST_SEC));
  }
}

/** A start for a manifest whose schedule can't be timed (no kvs:ts, disagreeing clocks, a silent camera). */
export function untimedStartSec(edge: Pick<LiveEdge, 'newestEndSec' | 'oldestStartSec'>): number {
  return Math.max(edge.oldestStartSec, edge.newestEndSec - UNTIMED_START_BEHIND_NEWEST_SEC);
}

/** Rewrites the MPD's `minimumUpdatePeriod` (Shaka's poll period when `manifest.updatePeriod` is -1). */
export function withUpdatePeriod(mpd: string, seconds: number): string {
  return mpd.replace(/(<MPD\b[^>]*?\bminimumUpdatePeriod=")[^"]*(")/, `$1PT${Number(seconds.toFixed(3))}S$2`);
}
