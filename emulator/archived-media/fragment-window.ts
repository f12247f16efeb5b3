import type { TimelineFragment } from '../media/api';
import type { DashSession, TimestampSelector } from '../sessions/dash-session';
import type { StreamRecord } from '../streams/stream';

/** KVS refuses a LIVE session when nothing arrived in this long. */
export const LIVE_FRESHNESS_MS = 30_000;
/** A LIVE_REPLAY manifest starts with this many fragments so a player has something to buffer. */
export const REPLAY_INITIAL_FRAGMENTS = 3;

export const timestampOf = (f: TimelineFragment, selector: TimestampSelector): number =>
  selector === 'SERVER_TIMESTAMP' ? f.serverTimestampMs : f.producerTimestampMs;

/** The oldest moment still archived: older fragments have passed the stream's retention. */
export function retainedSinceMs(stream: StreamRecord, nowMs: number): number {
  return nowMs - stream.dataRetentionInHours * 3_600_000;
}

function retained(stream: StreamRecord, fragments: TimelineFragment[], nowMs: number): TimelineFragment[] {
  const since = retainedSinceMs(stream, nowMs);
  return fragments.filter((f) => f.serverTimestampMs >= since);
}

/** Archived fragments whose selected timestamp is in [fromMs, toMs), oldest first. */
export function fragmentsInRange(stream: StreamRecord, fromMs: number, toMs: number, selector: TimestampSelector, nowMs: number): TimelineFragment[] {
  if (!stream.media || toMs <= fromMs) return [];
  return retained(stream, stream.media.timeline.fragmentsBetween(fromMs, toMs, selector, nowMs), nowMs);
}

/** The newest fragment if it arrived within the LIVE freshness window. */
export function freshestFragment(stream: StreamRecord, nowMs: number): TimelineFragment | undefined {
  const newest = stream.media?.timeline.newest(1, nowMs)[0];
  return newest && newest.serverTimestampMs >= nowMs - LIVE_FRESHNESS_MS ? newest : undefined;
}

/**
 * How much media a replay releases at once: the first few fragments, measured in media time (ticks)
 * so the arithmetic is exact; after that one fragment duration per duration elapsed.
 */
export function replayLeadMs(first: TimelineFragment, maxResults: number, timescale: number): number {
  return (Math.min(REPLAY_INITIAL_FRAGMENTS, maxResults) * first.durationTicks * 1000) / timescale;
}

/** Jitter between a fragment's selected timestamp and its media time is well under this. */
const TIMESTAMP_SLACK_MS = 1000;

/** The fragments a session's manifest lists right now, oldest first. */
export function manifestFragments(session: DashSession, stream: StreamRecord, nowMs: number): TimelineFragment[] {
  const timeline = stream.media?.timeline;
  if (!timeline) return [];
  switch (session.mode) {
    case 'LIVE':
      return retained(stream, timeline.newest(session.maxResults, nowMs), nowMs);
    case 'ON_DEMAND':
      return retained(stream, [...(session.onDemand ?? [])], nowMs);
    case 'LIVE_REPLAY': {
      const first = session.replayFirst;
      if (!first) return [];
      const timescale = stream.media?.clip.timescale ?? 1;
      // A fragment is released once its end, in media time after the replay's first fragment, is within
      // the replay's progress: the lead at creation plus the time elapsed since.
      const releasedMs = nowMs - session.createdMs + replayLeadMs(first, session.maxResults, timescale);
      const endOffsetMs = (f: TimelineFragment) => ((f.startTicks + f.durationTicks - first.startTicks) * 1000) / timescale;
      const firstTs = timestampOf(first, session.selector);
      const until = Math.min(session.endMs === undefined ? Number.POSITIVE_INFINITY : session.endMs + 1, firstTs + releasedMs + TIMESTAMP_SLACK_MS);
      const released = fragmentsInRange(stream, firstTs, until, session.selector, nowMs).filter((f) => endOffsetMs(f) <= releasedMs);
      return released.slice(-session.maxResults);
    }
  }
}

/**
 * The wall-clock time of media time 0 in a session's manifest. LIVE and ON_DEMAND use the timeline's
 * origin; a replay shifts it so that "now" in the MPD is the replay's own edge, which keeps a player's
 * live-edge arithmetic consistent with the fragments it is offered.
 */
export function manifestOriginMs(session: DashSession, stream: StreamRecord, timescale: number): number {
  const origin = stream.media?.timeline.originMs ?? 0;
  const first = session.replayFirst;
  if (session.mode !== 'LIVE_REPLAY' || !first) return origin;
  return session.createdMs - replayLeadMs(first, session.maxResults, timescale) - (first.startTicks / timescale) * 1000;
}
