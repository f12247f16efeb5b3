/**
 * Where each fragment of a clip looped forever falls, in exact integer ticks: fragment k plays clip
 * fragment k mod n and starts at the sum of every duration before it, so decode times run on across
 * loop seams without drift. Every lookup is arithmetic plus a binary search over one loop.
 */
export interface LoopSchedule {
  readonly fragmentsPerLoop: number;
  readonly loopTicks: number;
  /** The clip fragment that timeline fragment `index` replays. */
  clipIndexOf(index: number): number;
  startTicksOf(index: number): number;
  durationTicksOf(index: number): number;
}

export function createLoopSchedule(durationsTicks: readonly number[]): LoopSchedule {
  const count = durationsTicks.length;
  if (count === 0) throw new RangeError('a loop needs at least one fragment');
  for (const d of durationsTicks) {
    if (!Number.isSafeInteger(d) || d <= 0) throw new RangeError(`fragment durations must be positive integers of ticks, got ${d}`);
  }
  // prefix[i] = ticks before clip fragment i within one loop; prefix[count] = one whole loop.
  const prefix = [0];
  for (const d of durationsTicks) prefix.push((prefix[prefix.length - 1] as number) + d);
  const loopTicks = prefix[count] as number;

  const clipIndexOf = (index: number): number => index % count;
  return {
    fragmentsPerLoop: count,
    loopTicks,
    clipIndexOf,
    startTicksOf: (index) => Math.floor(index / count) * loopTicks + (prefix[clipIndexOf(index)] as number),
    durationTicksOf: (index) => durationsTicks[clipIndexOf(index)] as number,
  };
}
