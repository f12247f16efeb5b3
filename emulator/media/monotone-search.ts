/**
 * The smallest index k ≥ 0 at which a monotone predicate (false … false true … true) turns true.
 * Gallops up from 0 and then bisects, so it costs O(log k) probes whatever k is, with no estimate to
 * get wrong.
 */
export function firstIndexWhere(holds: (index: number) => boolean): number {
  if (holds(0)) return 0;
  let below = 0;
  let above = 1;
  while (!holds(above)) {
    below = above;
    above *= 2;
    if (above > Number.MAX_SAFE_INTEGER / 2) throw new RangeError('no index satisfies the condition');
  }
  // Invariant: holds(below) is false, holds(above) is true.
  while (above - below > 1) {
    const middle = below + Math.floor((above - below) / 2);
    if (holds(middle)) above = middle;
    else below = middle;
  }
  return above;
}

/** The smallest index k ≥ 0 with `valueAt(k) >= target`, for a non-decreasing `valueAt`. */
export function firstIndexAtLeast(valueAt: (index: number) => number, target: number): number {
  return firstIndexWhere((index) => valueAt(index) >= target);
}
