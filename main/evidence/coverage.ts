import { MAX_COVERAGE_INTERVALS, type Coverage, type CoveredInterval, type Fragment, type StreamRef } from '../../shared/model';
import type { Clock } from '../core/clock';
import type { FragmentLister, TimestampSelector } from '../kvs/session-issuer';
import { streamKey } from '../sessions/stream-key';

/**
 * Two fragments this far apart or closer are one recording: producer timestamps follow each other to
 * the millisecond, server timestamps jitter by the upload's own timing. Anything wider is a real gap
 * (a camera that stopped, a network outage), which the timeline shows.
 */
export const COVERAGE_GAP_TOLERANCE_MS = 1_000;
/** The most fragments one coverage answer lists: 12 h of 1-s fragments, with room to spare. */
export const MAX_COVERAGE_FRAGMENTS = 50_000;
/** Recent ranges change as the camera records; older ones only as KVS's listing settles (< 1 s). */
const RECENT_TTL_MS = 5_000;
const SETTLED_TTL_MS = 120_000;
/** A range ending this long ago or more is settled. */
const SETTLED_AFTER_MS = 60_000;
const CACHE_ENTRIES = 64;
/** KVS's longest fragment: one that began this long before a range may still cover its start. */
export const MAX_FRAGMENT_MS = 20_000;

export const timeOf = (fragment: Fragment, selector: TimestampSelector): number =>
  selector === 'PRODUCER_TIMESTAMP' ? fragment.producerTimestamp : fragment.serverTimestamp;

/**
 * Sorted fragments → covered intervals [start, end). A fragment covers its own duration from its
 * timestamp; the next one continues the interval when it starts within `toleranceMs` of its end.
 * Overlapping fragments (KVS keeps duplicates from retried uploads) merge.
 */
export function mergeCoverage(sorted: readonly Fragment[], selector: TimestampSelector, toleranceMs = COVERAGE_GAP_TOLERANCE_MS): CoveredInterval[] {
  const out: CoveredInterval[] = [];
  for (const fragment of sorted) {
    const start = timeOf(fragment, selector);
    const end = start + Math.max(1, fragment.durationMs);
    const last = out[out.length - 1];
    if (last && start - last.end <= toleranceMs) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

export interface CoverageService {
  /** Where the camera recorded between `start` and `end`. */
  coverage(ref: StreamRef, selector: TimestampSelector, start: number, end: number): Promise<Coverage>;
}

export interface CoverageDeps {
  fragments: Pick<FragmentLister, 'fragmentsIn'>;
  clock: Clock;
}

/**
 * The timeline's coverage: every ListFragments page of the range (priced by the lister), sorted and
 * merged. Answers are cached per range briefly, so the timeline's redraws, pans back and several
 * windows on one camera don't list the same fragments again; a range whose end is a minute old or
 * more is cached longer, as nothing more will be recorded in it.
 */
export function createCoverageService(deps: CoverageDeps): CoverageService {
  const cache = new Map<string, { at: number; ttl: number; value: Promise<Coverage> }>();

  function remember(key: string, entry: { at: number; ttl: number; value: Promise<Coverage> }): void {
    cache.delete(key);
    cache.set(key, entry);
    while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  }

  async function compute(ref: StreamRef, selector: TimestampSelector, start: number, end: number): Promise<Coverage> {
    // ListFragments selects by a fragment's start: look a fragment's length earlier for one covering `start`.
    const { fragments, truncated } = await deps.fragments.fragmentsIn(ref, Math.max(0, start - MAX_FRAGMENT_MS), end, selector, MAX_COVERAGE_FRAGMENTS);
    const all = mergeCoverage(fragments, selector);
    const intervals = all.slice(0, MAX_COVERAGE_INTERVALS).map((i) => ({ start: Math.max(start, i.start), end: Math.min(end, i.end) }));
    return {
      intervals: intervals.filter((i) => i.end > i.start),
      fragmentCount: fragments.filter((f) => timeOf(f, selector) < end && timeOf(f, selector) + f.durationMs > start).length,
      truncated: truncated || all.length > MAX_COVERAGE_INTERVALS,
      fetchedAt: deps.clock.now(),
    };
  }

  return {
    coverage(ref, selector, start, end) {
      const now = deps.clock.now();
      const key = `${streamKey(ref)}|${selector}|${start}|${end}`;
      const hit = cache.get(key);
      if (hit && now - hit.at < hit.ttl) return hit.value;
      const value = compute(ref, selector, start, end);
      const entry = { at: now, ttl: end <= now - SETTLED_AFTER_MS ? SETTLED_TTL_MS : RECENT_TTL_MS, value };
      remember(key, entry);
      // A failure is not remembered: the next ask tries again.
      value.catch(() => {
        if (cache.get(key) === entry) cache.delete(key);
      });
      return value;
    },
  };
}
