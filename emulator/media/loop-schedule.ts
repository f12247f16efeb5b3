/**
 * Where each fragment of a clip looped forever falls, in exact integer ticks: fragment k plays clip
 * fragment k mod n and starts at the sum of every duration before it, so decode times run on across
 * loop seams without drift. Every lookup is arithmetic plus a binary search over one loop.
 */
export interface LoopSchedule {
  readonly fragmentsPerLoop: number;
  /** Ticks in one loop: the sum of the durations, or the period a second track follows. */
  readonly loopTicks: number;
  /** The clip fragment that timeline fragment `index` replays. */
  clipIndexOf(index: number): number;
  startTicksOf(index: number): number;
  durationTicksOf(index: number): number;
}

/**
 * `loopTicks` (default: the sum of the durations) is how far each loop starts after the previous one. A
 * second track of the same clip loops on the first track's period converted to its own timescale, which
 * need not be a whole number of its ticks: loop n then starts at floor(n × loopTicks), computed from n
 * each time, so the tracks never drift apart.
 */
export function createLoopSchedule(durationsTicks: readonly number[], loopTicksOverride?: number): LoopSchedule {
  const count = durationsTicks.length;
  if (count === 0) throw new RangeError('a loop needs at least one fragment');
  for (const d of durationsTicks) {
    if (!Number.isSafeInteger(d) || d <= 0) throw new RangeError(`fragment durations must be positive integers of ticks, got ${d}`);
  }
  // prefix[i] = ticks before clip fragment i within one loop; prefix[count] = one whole loop.
  const prefix = [0];
  for (const d of durationsTicks) prefix.push((prefix[prefix.length - 1] as number) + d);
  const loopTicks = loopTicksOverride ?? (prefix[count] as number);
  if (!Number.isFinite(loopTicks) || loopTicks <= 0) throw new RangeError(`a loop must last a positive number of ticks, got ${loopTicks}`);

  const clipIndexOf = (index: number): number => index % count;
  return {
    fragmentsPerLoop: count,
    loopTicks,
    clipIndexOf,
    startTicksOf: (index) => Math.floor(Math.floor(index / count) * loopTicks) + (prefix[clipIndexOf(index)] as number),
    durationTicksOf: (index) => durationsTicks[clipIndexOf(index)] as number,
  };
}
