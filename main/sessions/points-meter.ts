import type { StreamRef } from '../../shared/model';
import { NO_POINTS, type Points } from './points-price';
import { streamKey } from './stream-key';

/** Points spent over `[from, to]` (a page's report covers the time since its last one; main's own calls are instants). */
interface Spend {
  from: number;
  to: number;
  points: Points;
}

/** Below this the measured span is too short to say anything; the rate waits for more reports. */
const MIN_COVERED_MS = 1_000;

/**
 * What this app spent of each stream's points lately: the players' manifests and fragments (as
 * their pages report them, every few seconds, for the time since their last report) and the calls
 * main makes itself. The rate is the spend over a sliding window divided by the part of the window
 * the reports cover — the time since the latest report is not known yet (counting it as zero would
 * halve the rate just before each report), and a wall that started within the window spends at the
 * rate of the time it has played.
 */
export class PointsMeter {
  private readonly spends = new Map<string, Spend[]>();

  constructor(readonly windowMs: number) {}

  /** `spanMs`: how long the spend took (a report's interval); 0 for a single call. */
  spend(stream: StreamRef, points: Points, at: number, spanMs = 0): void {
    if (points.media <= 0 && points.metadata <= 0) return;
    const key = streamKey(stream);
    const list = this.spends.get(key) ?? [];
    list.push({ from: at - Math.max(0, spanMs), to: at, points: { ...points } });
    this.spends.set(key, list);
  }

  /** Points per second over the window ending at `now`. */
  rate(stream: StreamRef, now: number): Points {
    return this.rateAt(this.recent(stream, now), now);
  }

  /** The end of the latest report on the stream still in the window (the start of the window when none is). */
  reportedUntil(stream: StreamRef, now: number): number {
    let until = now - this.windowMs;
    for (const s of this.recent(stream, now)) if (s.to > s.from && s.to > until) until = Math.min(s.to, now);
    return until;
  }

  /** When, if nothing more is spent, the rate of `resource` is at most `limit` (now if it already is). */
  fallsTo(stream: StreamRef, resource: keyof Points, limit: number, now: number): number {
    const recent = this.recent(stream, now);
    if (this.rateAt(recent, now)[resource] <= limit) return now;
    // The rate only drops as spends leave the window: try the moments they do.
    const moments = [...new Set(recent.map((s) => s.to + this.windowMs))].sort((a, b) => a - b);
    for (const at of moments) if (this.rateAt(recent, at)[resource] <= limit) return at;
    return now + this.windowMs;
  }

  private rateAt(spends: readonly Spend[], now: number): Points {
    const start = now - this.windowMs;
    const total = { ...NO_POINTS };
    let reportedFrom: number | undefined;
    let reportedUntil: number | undefined;
    for (const s of spends) {
      if (s.to <= start || s.from > now) continue;
      const share = s.to === s.from ? 1 : (Math.min(s.to, now) - Math.max(s.from, start)) / (s.to - s.from);
      total.media += s.points.media * share;
      total.metadata += s.points.metadata * share;
      if (s.to > s.from) {
        reportedFrom = Math.min(reportedFrom ?? now, Math.max(s.from, start));
        reportedUntil = Math.max(reportedUntil ?? start, Math.min(s.to, now));
      }
    }
    // The span the reports cover: a wall that started 3 s ago spends at its 3-s rate, not a tenth of 3 s.
    const coveredMs = reportedUntil === undefined || reportedFrom === undefined ? this.windowMs : Math.max(MIN_COVERED_MS, reportedUntil - reportedFrom);
    return { media: (total.media * 1000) / coveredMs, metadata: (total.metadata * 1000) / coveredMs };
  }

  private recent(stream: StreamRef, now: number): Spend[] {
    const key = streamKey(stream);
    const list = this.spends.get(key);
    if (!list) return [];
    const kept = list.filter((s) => s.to > now - this.windowMs);
    if (kept.length === 0) this.spends.delete(key);
    else if (kept.length !== list.length) this.spends.set(key, kept);
    return kept;
  }
}
