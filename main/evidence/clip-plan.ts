import type { Fragment } from '../../shared/model';
import type { TimestampSelector } from '../kvs/session-issuer';
import { timeOf } from './coverage';

/**
 * GetClip answers "the first 100 MB or the first 200 fragments from the specified start timestamp",
 * cutting the rest silently. A longer range is fetched in parts planned from ListFragments' sizes,
 * each under those limits with room to spare: ListFragments' size need not count exactly what the
 * clip holds (sound, MP4 overhead). A part that still comes back short is noticed from its duration
 * and the rest carried to the next one (see `fragmentsCovered`).
 */
export const PART_LIMITS = { maxFragments: 180, maxBytes: 90 * 1024 * 1024 } as const;
export type PartLimits = { maxFragments: number; maxBytes: number };

export interface ClipPart {
  /** The fragments the part should hold, oldest first. */
  fragments: Fragment[];
  /** The GetClip range: a millisecond either side of the first and last fragment's timestamps (KVS's may be finer than ms). */
  start: number;
  end: number;
  /** ListFragments' sizes of its fragments (0 when KVS gave none). */
  bytes: number;
}

export function partOf(fragments: Fragment[], selector: TimestampSelector): ClipPart {
  const first = fragments[0];
  const last = fragments[fragments.length - 1];
  if (!first || !last) throw new RangeError('a clip part needs at least one fragment');
  return {
    fragments,
    start: Math.max(0, timeOf(first, selector) - 1),
    end: timeOf(last, selector) + 1,
    bytes: fragments.reduce((sum, f) => sum + (f.sizeBytes ?? 0), 0),
  };
}

/** Consecutive runs of `sorted` fragments, each within `limits` (at least one fragment each). */
export function planClipParts(sorted: readonly Fragment[], selector: TimestampSelector, limits: PartLimits = PART_LIMITS): ClipPart[] {
  const parts: ClipPart[] = [];
  let run: Fragment[] = [];
  let bytes = 0;
  for (const fragment of sorted) {
    const size = fragment.sizeBytes ?? 0;
    if (run.length > 0 && (run.length >= limits.maxFragments || bytes + size > limits.maxBytes)) {
      parts.push(partOf(run, selector));
      run = [];
      bytes = 0;
    }
    run.push(fragment);
    bytes += size;
  }
  if (run.length > 0) parts.push(partOf(run, selector));
  return parts;
}

/**
 * How many of a part's fragments a clip of `clipMs` holds: the longest run from the first whose
 * durations add up to it, give or take half a fragment (durations are rounded to ticks).
 */
export function fragmentsCovered(fragments: readonly Fragment[], clipMs: number): number {
  let total = 0;
  for (let i = 0; i < fragments.length; i++) {
    const duration = (fragments[i] as Fragment).durationMs;
    if (total + duration / 2 > clipMs) return i;
    total += duration;
  }
  return fragments.length;
}
