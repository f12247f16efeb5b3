import type { StreamRef } from '../../shared/model';
import { NO_POINTS, type Points } from './points-price';
import { streamKey } from './stream-key';

interface Spend {
  at: number;
  points: Points;
}

/**
 * What this app spent of each stream's points lately: the players' manifests and fragments (as
 * their pages report them) and the calls main makes itself. The rate is the spend over a sliding
 * window; pages report every few seconds, so the window spans at least two reports.
 */
export class PointsMeter {
  private readonly spends = new Map<string, Spend[]>();

  constructor(readonly windowMs: number) {}

  spend(stream: StreamRef, points: Points, at: number): void {
    if (points.media <= 0 && points.metadata <= 0) return;
    const key = streamKey(stream);
    const list = this.spends.get(key) ?? [];
    list.push({ at, points: { ...points } });
    this.spends.set(key, list);
  }

  /** Points per second over the window ending now. */
  rate(stream: StreamRef, now: number): Points {
    const total = { ...NO_POINTS };
    for (const s of this.recent(stream, now)) {
      total.media += s.points.media;
      total.metadata += s.points.metadata;
    }
    const seconds = this.windowMs / 1000;
    return { media: total.media / seconds, metadata: total.metadata / seconds };
  }

  /** When, if nothing more is spent, the rate of `resource` is at most `limit` (now if it already is). */
  fallsTo(stream: StreamRef, resource: keyof Points, limit: number, now: number): number {
    const recent = this.recent(stream, now);
    let rate = recent.reduce((sum, s) => sum + s.points[resource], 0) / (this.windowMs / 1000);
    if (rate <= limit) return now;
    // Spends leave the window oldest first, each lowering the rate by its share.
    for (const s of recent) {
      rate -= s.points[resource] / (this.windowMs / 1000);
      if (rate <= limit) return s.at + this.windowMs;
    }
    return now + this.windowMs;
  }

  private recent(stream: StreamRef, now: number): Spend[] {
    const key = streamKey(stream);
    const list = this.spends.get(key);
    if (!list) return [];
    const from = now - this.windowMs;
    const kept = list.filter((s) => s.at > from);
    if (kept.length === 0) this.spends.delete(key);
    else if (kept.length !== list.length) this.spends.set(key, kept);
    return kept.filter((s) => s.at <= now);
  }
}
