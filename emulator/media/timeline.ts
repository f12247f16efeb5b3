/**
 * A camera's live stream: its clip looped onto a timeline that began at `originMs`, computed rather
 * than stored. Fragment k is clip fragment k mod n, starting `startTicks(k)` after the origin.
 *
 * Timestamps (whole epoch milliseconds):
 * - producer(k) = originMs + startTicks(k) / timescale, floored; duration(k) = producer(k+1) − producer(k),
 *   so fragments tile the producer timeline exactly.
 * - server(k) = producer(k) + ingest delay(k): a deterministic 150–400 ms by default, the time KVS
 *   received the fragment's first frame.
 * - availability: a fragment exists once its whole GOP has reached the server, at server(k) + duration(k)
 *   (the last frame is captured at the end of the GOP and arrives one ingest delay later). The jitter is
 *   kept below half the shortest fragment so server times and availability times both keep increasing.
 * - stops: a fragment whose producer start falls in a [stop, resume) interval never exists; time keeps
 *   running through a stop, so a resumed camera leaves a real gap.
 *
 * Every lookup is a gallop-and-bisect over the index (O(log k)) plus O(1) arithmetic per probe; nothing
 * iterates from the origin, and the only state is the stop log and a small LRU of rewritten fragments.
 */
import type { Clip, Timeline, TimelineFragment, TrackNumber, TrackTiming } from './api';
import { rewriteFragment } from './fragment-rewriter';
import { fragmentNumbering } from './fragment-numbers';
import { ingestDelays } from './ingest-delay';
import { createLoopSchedule } from './loop-schedule';
import { LruCache } from './lru-cache';
import { firstIndexAtLeast, firstIndexWhere } from './monotone-search';
import { StopLog } from './stop-log';

export interface TimelineOptions {
  /** Epoch ms of fragment 0's first frame. */
  readonly originMs: number;
  /** Makes this stream's fragment numbers and ingest jitter its own (e.g. the stream name); default from the origin. */
  readonly fragmentNumberSeed?: string;
  /** Smallest delay between capture and receipt; default 150 ms. */
  readonly ingestDelayMs?: number;
  /** Spread of the delay above that; default 250 ms, capped at half the shortest fragment. */
  readonly ingestJitterMs?: number;
  /** Rewritten fragments kept for reuse (many sessions fetch the same few live fragments). */
  readonly cachedFragments?: number;
}

const DEFAULT_INGEST_DELAY_MS = 150;
const DEFAULT_INGEST_JITTER_MS = 250;
const DEFAULT_CACHED_FRAGMENTS = 32;

function requireFinite(...times: number[]): void {
  for (const time of times) if (!Number.isFinite(time)) throw new RangeError(`times must be finite epoch milliseconds, got ${time}`);
}

export function createTimeline(clip: Clip, options: TimelineOptions): Timeline {
  const { originMs } = options;
  if (!Number.isFinite(originMs)) throw new RangeError(`originMs must be a finite epoch time, got ${originMs}`);
  const schedule = createLoopSchedule(clip.fragments.map((f) => f.durationTicks));
  // The audio loops on the video's period, so sound and picture stay together however long it runs.
  const audio = clip.audio;
  const audioSchedule = audio && createLoopSchedule(audio.fragments.map((f) => f.durationTicks), (schedule.loopTicks * audio.timescale) / clip.timescale);
  const seed = options.fragmentNumberSeed ?? `origin-${originMs}`;
  const numberOf = fragmentNumbering(seed);
  const stops = new StopLog();
  const cache = new LruCache<string, Uint8Array>(options.cachedFragments ?? DEFAULT_CACHED_FRAGMENTS);

  const producerMs = (index: number): number => Math.floor(originMs + (schedule.startTicksOf(index) * 1000) / clip.timescale);
  const durationMs = (index: number): number => producerMs(index + 1) - producerMs(index);
  const shortestFragmentMs = Math.min(...clip.fragments.map((_, i) => durationMs(i)));
  const jitterMs = Math.max(0, Math.min(options.ingestJitterMs ?? DEFAULT_INGEST_JITTER_MS, Math.floor(shortestFragmentMs / 2) - 1));
  const delayOf = ingestDelays(seed, options.ingestDelayMs ?? DEFAULT_INGEST_DELAY_MS, jitterMs);
  const serverMs = (index: number): number => producerMs(index) + delayOf(index);
  const availableAtMs = (index: number): number => serverMs(index) + durationMs(index);
  const timestampOf = (selector: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP') => (selector === 'SERVER_TIMESTAMP' ? serverMs : producerMs);

  const isStoppedFragment = (index: number): boolean => stops.intervalAt(producerMs(index)) !== undefined;
  const exists = (index: number, nowMs: number): boolean => availableAtMs(index) <= nowMs && !isStoppedFragment(index);

  /** The first fragment at or after `index` that is not inside a stop, or undefined if a stop is still open. */
  const nextUnstopped = (index: number): number | undefined => {
    const interval = stops.intervalAt(producerMs(index));
    if (!interval) return index;
    const resumeMs = interval.endMs;
    return resumeMs === undefined ? undefined : firstIndexAtLeast(producerMs, resumeMs);
  };

  /**
   * The audio of fragment `index`. A clip's sound that runs a little past the loop is cut short in the
   * timing (never overlapping the next loop's first fragment); one that stops short leaves a gap.
   */
  const audioTiming = (index: number): TrackTiming | undefined => {
    if (!audio || !audioSchedule) return undefined;
    const startTicks = audioSchedule.startTicksOf(index);
    const durationTicks = Math.min(audioSchedule.durationTicksOf(index), audioSchedule.startTicksOf(index + 1) - startTicks);
    const sizeBytes = (audio.fragments[audioSchedule.clipIndexOf(index)] as Clip['fragments'][number]).data.length;
    return { startTicks, durationTicks, sizeBytes };
  };

  const describe = (index: number): TimelineFragment => ({
    index,
    fragmentNumber: numberOf(index),
    producerTimestampMs: producerMs(index),
    serverTimestampMs: serverMs(index),
    durationMs: durationMs(index),
    startTicks: schedule.startTicksOf(index),
    durationTicks: schedule.durationTicksOf(index),
    sizeBytes: (clip.fragments[schedule.clipIndexOf(index)] as Clip['fragments'][number]).data.length,
    ...(audio ? { audio: audioTiming(index) } : {}),
  });

  return {
    clip,
    originMs,

    fragmentsBetween(fromMs, toMs, selector, nowMs) {
      requireFinite(fromMs, toMs, nowMs);
      const timestamp = timestampOf(selector);
      const found: TimelineFragment[] = [];
      let index: number | undefined = firstIndexAtLeast(timestamp, fromMs);
      while (index !== undefined && timestamp(index) < toMs && availableAtMs(index) <= nowMs) {
        const unstopped = nextUnstopped(index);
        if (unstopped !== index) {
          index = unstopped;
          continue;
        }
        found.push(describe(index));
        index += 1;
      }
      return found;
    },

    newest(count, nowMs) {
      const found: TimelineFragment[] = [];
      requireFinite(nowMs);
      // The first fragment not yet available, minus one, is the newest that is.
      let index = firstIndexWhere((i) => availableAtMs(i) > nowMs) - 1;
      while (found.length < count && index >= 0) {
        const interval = stops.intervalAt(producerMs(index));
        if (interval) {
          index = firstIndexAtLeast(producerMs, interval.startMs) - 1;
          continue;
        }
        found.push(describe(index));
        index -= 1;
      }
      return found.reverse();
    },

    fragment(index, nowMs) {
      if (!Number.isSafeInteger(index) || index < 0) return undefined;
      return exists(index, nowMs) ? describe(index) : undefined;
    },

    fragmentBytes(index, track: TrackNumber = 1) {
      if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`fragment index must be a non-negative integer, got ${index}`);
      const trackSchedule = track === 2 ? audioSchedule : schedule;
      const fragments = track === 2 ? audio?.fragments : clip.fragments;
      if (!trackSchedule || !fragments) throw new RangeError(`track ${track} does not exist in this clip`);
      const key = `${track}:${index}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const source = (fragments[trackSchedule.clipIndexOf(index)] as Clip['fragments'][number]).data;
      const bytes = rewriteFragment(source, { baseMediaDecodeTime: trackSchedule.startTicksOf(index), sequenceNumber: index + 1 });
      cache.set(key, bytes);
      return bytes;
    },

    clipFragmentIndex(index) {
      if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`fragment index must be a non-negative integer, got ${index}`);
      return schedule.clipIndexOf(index);
    },

    stop(atMs) {
      stops.stop(atMs);
    },

    resume(atMs) {
      stops.resume(atMs);
    },

    isStopped(nowMs) {
      return stops.intervalAt(nowMs) !== undefined;
    },
  };
}
