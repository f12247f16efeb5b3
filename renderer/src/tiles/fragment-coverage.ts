import type { Fragment } from '../../../shared/model';

/** A stretch of recorded video, as fractions (0–1) of the look-back window. */
export interface CoveredSpan {
  from: number;
  to: number;
}

/** Merges fragments into continuous spans; a gap longer than `toleranceMs` splits them. */
export function coverageSpans(fragments: readonly Fragment[], windowStart: number, windowEnd: number, toleranceMs = 1000): CoveredSpan[] {
  const width = windowEnd - windowStart;
  if (width <= 0) return [];
  const sorted = [...fragments].sort((a, b) => a.producerTimestamp - b.producerTimestamp);
  const spans: Array<{ start: number; end: number }> = [];
  for (const f of sorted) {
    const start = f.producerTimestamp;
    const end = start + f.durationMs;
    const last = spans[spans.length - 1];
    if (last && start - last.end <= toleranceMs) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
  }
  const frac = (t: number): number => Math.min(1, Math.max(0, (t - windowStart) / width));
  return spans.map((s) => ({ from: frac(s.start), to: frac(s.end) })).filter((s) => s.to > s.from);
}
