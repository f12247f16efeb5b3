import type { AppError } from '../../shared/errors';
import type { AccountQuota, QuotaModel, StreamRef } from '../../shared/model';
import type { PauseCause } from './budget-words';
import type { PointsMeter } from './points-meter';
import type { Points } from './points-price';
import type { SessionLedger } from './session-ledger';
import type { SessionPool } from './session-pool';
import { DEFAULT_POINTS_SHARE, DEFAULT_SESSION_LIMIT } from './session-policy';
import type { BudgetView, SessionConfig } from './types';

/** A budget's answer: yes, or not until `until`, with the words a tile of a given window shows. */
export type Verdict = { ok: true } | { ok: false; until: number; words: (windowId: string) => string };

export const YES: Verdict = Object.freeze({ ok: true });

/**
 * "May we create a session, or admit a tile, on this stream now?" — one interface, one
 * implementation per quota model, chosen per account at each decision so settings apply at once.
 * A shared, team-wide authority (leases in DynamoDB) would implement this instead of counting in
 * the local ledger.
 */
export interface QuotaBudget {
  readonly model: QuotaModel;
  /** GetDASHStreamingSessionURL pacing on one stream: a burst, then one call per interval. */
  readonly pacing: { readonly burst: number; readonly intervalMs: number };
  /** How many sessions one stream may hold at once (what the expiry spacing spreads). */
  readonly spacingSlots: number;
  /** Why no tile can ever play on the stream under this budget, if that is the case. */
  unusable(): AppError | undefined;
  /** May one more tile start playing on the stream (on a pooled session or a new one)? */
  admitTile(stream: StreamRef, now: number): Verdict;
  /** May main spend these points on the stream now (a call it makes itself)? */
  admitSpend(stream: StreamRef, points: Points, now: number): Verdict;
  /** May one more session be created on the stream, for a tile without one or for a renewal? */
  mayCreate(stream: StreamRef, purpose: 'first' | 'renew', now: number): Verdict;
  view(stream: StreamRef, now: number): BudgetView;
}

export interface LanePause {
  until: number;
  cause: PauseCause;
}

/** What the budgets read; they keep no state of their own. */
export interface BudgetFacts {
  readonly ledger: SessionLedger;
  readonly pool: SessionPool;
  readonly meter: PointsMeter;
  /** Sessions being created now for tiles of one window (the ledger counts them too). */
  inFlightFor(stream: StreamRef, windowId: string): number;
  /** Tiles admitted whose first session is still being created: they will spend soon. */
  startingTiles(stream: StreamRef): number;
  /** The stream's current pause (eviction or throttling backoff), if any. */
  pauseOf(stream: StreamRef, now: number): LanePause | undefined;
  minReusableLifeMs(stream: StreamRef): number;
}

/** The account's quota, with the defaults: `sessions` model, limit 10, the settings' reserve, half the points. */
export function quotaOf(config: SessionConfig, accountId: string): AccountQuota {
  return (
    config.quotaFor?.(accountId) ?? {
      model: 'sessions',
      sessionLimit: DEFAULT_SESSION_LIMIT,
      reservePerStream: config.reservePerStream,
      pointsShare: DEFAULT_POINTS_SHARE,
    }
  );
}
