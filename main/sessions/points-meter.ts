import type { StreamRef } from '../../shared/model';
import { NO_POINTS, type Points } from './points-price';
import { streamKey } from './stream-key';

/**
 * Points spent over `[from, to]` by one source (a session, as its page reports it for the time
 * since its last report), or at an instant by main's own calls (`source` undefined, `from === to`).
 */
interface Spend {
  source: string | undefined;
  from: number;
  to: number;
  points: Points;
}

/** A source reported over less than this is taken as this long, so one early report can't blow its rate up. */
const MIN_COVERED_MS = 1_000;

/**
 * What this app spent of each stream's points lately. A stream's rate is the sum of its sources'
 * rates — each session's spend divided by the span its reports cover within the window (a tile that
 * started 2 s ago spends at its 2-s rate, not a fifth of it; the time since its latest report is not
 * known yet and is not counted as zero) — plus main's own calls spread over the window.
 */
export class PointsMeter {
  private readonly spends = new Map<string, Spend[]>();

  constructor(readonly windowMs: number) {}

  /** `spanMs`: how long the spend took (0 for a single call); `source`: the session that spent it. */
  spend(stream: StreamRef, points: Points, at: number, spanMs = 0, source?: string): void {
    if (points.media <= 0 && points.metadata <= 0 && source === undefined) return;
    const key = streamKey(stream);
    const list = this.spends.get(key) ?? [];
    list.push({ source, from: at - Math.max(0, spanMs), to: at, points: { ...points } });
    this.spends.set(key, list);
  }

  /** Points per second over the window ending at `now`. */
  rate(stream: StreamRef, now: number): Points {
    return this.rateAt(this.recent(stream, now), now);
  }

  /** When the source's spend was last reported (undefined: not within the window). */
  lastReportOf(stream: StreamRef, source: string, now: number): number | undefined {
    let last: number | undefined;
    for (const s of this.recent(stream, now)) if (s.source === source && (last === undefined || s.to > last)) last = s.to;
    return last;
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
    const instant = { ...NO_POINTS };
    const bySource = new Map<string, { total: Points; from: number; to: number }>();
    for (const s of spends) {
      if (s.to <= start || s.from > now) continue;
      if (s.source === undefined || s.to === s.from) {
        instant.media += s.points.media;
        instant.metadata += s.points.metadata;
        continue;
      }
      const share = (Math.min(s.to, now) - Math.max(s.from, start)) / (s.to - s.from);
      const acc = bySource.get(s.source) ?? { total: { ...NO_POINTS }, from: Math.max(s.from, start), to: Math.min(s.to, now) };
      acc.total.media += s.points.media * share;
      acc.total.metadata += s.points.metadata * share;
      acc.from = Math.min(acc.from, Math.max(s.from, start));
      acc.to = Math.max(acc.to, Math.min(s.to, now));
      bySource.set(s.source, acc);
    }
    const rate = { media: (instant.media * 1000) / this.windowMs, metadata: (instant.metadata * 1000) / this.windowMs };
    for (const { total, from, to } of bySource.values()) {
      const coveredMs = Math.max(MIN_COVERED_MS, to - from);
      rate.media += (total.media * 1000) / coveredMs;
      rate.metadata += (total.metadata * 1000) / coveredMs;
    }
    return rate;
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
