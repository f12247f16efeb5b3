import type { AccountQuota, StreamRef } from '../../shared/model';
import { YES, type BudgetFacts, type QuotaBudget, type Verdict } from './budget';
import { pauseWords, pointsShareWords } from './budget-words';
import { STREAM_POINTS_PER_SECOND, type Points } from './points-price';
import { DEFAULT_SESSION_LIMIT, DEFAULT_TILE_POINTS, POINTS_MODEL_PACING } from './session-policy';
import type { BudgetView } from './types';

/**
 * The `points` model (AWS's current rule): no session cap; every session and archived-media API on a
 * stream shares 500 media and 10,000 metadata points a second. This app keeps its own measured spend
 * under `pointsShare` of each: a new tile is admitted while the stream's spend rate plus one more
 * tile's estimated cost stays under the share, and main's own calls wait for room. Creating a
 * session costs no points (it is only paced); renewals replace a tile's spend, they don't add to it.
 * While the stream is backing off after throttling, no new tile starts on it.
 */
export class PointsBudget implements QuotaBudget {
  readonly model = 'points' as const;
  readonly pacing = POINTS_MODEL_PACING;
  readonly spacingSlots = DEFAULT_SESSION_LIMIT;
  readonly share: Points;

  constructor(
    quota: AccountQuota,
    private readonly facts: BudgetFacts,
  ) {
    this.share = { media: STREAM_POINTS_PER_SECOND.media * quota.pointsShare, metadata: STREAM_POINTS_PER_SECOND.metadata * quota.pointsShare };
  }

  unusable() {
    return undefined;
  }

  admitTile(stream: StreamRef, now: number): Verdict {
    const pause = this.facts.pauseOf(stream, now);
    if (pause?.cause === 'throttled') return { ok: false, until: pause.until, words: () => pauseWords('throttled') };
    // Tiles playing that no report has measured yet, and tiles about to play, are not in the measured
    // rate: count their estimates too.
    const estimate = this.tileEstimate(stream, now);
    const unreported = this.facts.pool.leasedOn(stream).filter((s) => (this.facts.meter.lastReportOf(stream, s.sessionId, now) ?? -1) < (s.leasedAt ?? 0)).length;
    const unmeasured = unreported + this.facts.startingTiles(stream);
    return this.admitRate(stream, { media: estimate.media * (1 + unmeasured), metadata: estimate.metadata * (1 + unmeasured) }, now);
  }

  /** A call's points land at once; in the meter's window they add points ÷ window to the rate. */
  admitSpend(stream: StreamRef, points: Points, now: number): Verdict {
    const seconds = this.facts.meter.windowMs / 1000;
    return this.admitRate(stream, { media: points.media / seconds, metadata: points.metadata / seconds }, now);
  }

  private admitRate(stream: StreamRef, extra: Points, now: number): Verdict {
    const rate = this.facts.meter.rate(stream, now);
    for (const resource of ['media', 'metadata'] as const) {
      const wouldBe = rate[resource] + extra[resource];
      if (wouldBe <= this.share[resource]) continue;
      const share = this.share[resource];
      // Room appears when enough of the recent spend leaves the meter's window.
      const until = Math.max(now + 1, this.facts.meter.fallsTo(stream, resource, share - extra[resource], now));
      return { ok: false, until, words: () => pointsShareWords(resource, wouldBe, share) };
    }
    return YES;
  }

  mayCreate(): Verdict {
    return YES;
  }

  view(stream: StreamRef, now: number): BudgetView {
    const rate = this.facts.meter.rate(stream, now);
    return {
      model: 'points',
      used: this.facts.ledger.liveCount(stream, now),
      pooled: this.facts.pool.freeCount(stream, now, this.facts.minReusableLifeMs(stream)),
      points: {
        mediaPerSecond: round1(rate.media),
        metadataPerSecond: round1(rate.metadata),
        mediaShare: round1(this.share.media),
        metadataShare: round1(this.share.metadata),
      },
    };
  }

  /** One more live tile's cost: what the stream's tiles spend on average, at least a typical live tile's. */
  private tileEstimate(stream: StreamRef, now: number): Points {
    const tiles = this.facts.pool.leasedCount(stream);
    if (tiles === 0) return { ...DEFAULT_TILE_POINTS };
    const rate = this.facts.meter.rate(stream, now);
    const average = { media: rate.media / tiles, metadata: rate.metadata / tiles };
    return { media: Math.max(DEFAULT_TILE_POINTS.media, average.media), metadata: Math.max(DEFAULT_TILE_POINTS.metadata, average.metadata) };
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

