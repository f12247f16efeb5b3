import { appError } from '../../shared/errors';
import type { AccountQuota, StreamRef } from '../../shared/model';
import { YES, type BudgetFacts, type QuotaBudget, type Verdict } from './budget';
import { budgetTooSmallWords, sessionsInUseWords } from './budget-words';
import { headroomFor, SESSIONS_MODEL_PACING } from './session-policy';
import type { BudgetView } from './types';

/**
 * The `sessions` model (the seed's documented rule): at most `sessionLimit` active sessions per
 * stream, one more silently closes the oldest, and a session counts until it expires. The ledger
 * counts every session that may exist (leased, pooled, expiring unused, in flight, outcome unknown);
 * a new session for a new tile is created while that count leaves a slot spare for make-before-break
 * renewals, a renewal while it stays under the budget (limit − reserve). So this app never pushes a
 * stream over and never evicts its own sessions. A tile taking a pooled session costs nothing here:
 * that session is already counted.
 */
export class SessionsBudget implements QuotaBudget {
  readonly model = 'sessions' as const;
  readonly pacing = SESSIONS_MODEL_PACING;
  readonly budget: number;
  readonly spacingSlots: number;

  constructor(
    private readonly quota: AccountQuota,
    private readonly facts: BudgetFacts,
  ) {
    this.budget = Math.max(0, quota.sessionLimit - quota.reservePerStream);
    this.spacingSlots = Math.max(1, this.budget);
  }

  unusable() {
    return this.budget <= 0 ? appError('SessionBudgetFull', budgetTooSmallWords()) : undefined;
  }

  admitTile(): Verdict {
    return YES;
  }

  admitSpend(): Verdict {
    return YES;
  }

  mayCreate(stream: StreamRef, purpose: 'first' | 'renew', now: number): Verdict {
    const used = this.facts.ledger.liveCount(stream, now);
    const headroom = headroomFor(this.budget);
    const room = purpose === 'renew' ? this.budget : this.budget - headroom;
    if (used < room) return YES;
    return {
      ok: false,
      until: this.facts.ledger.nextFreeAt(stream, now) ?? now,
      words: (windowId) =>
        sessionsInUseWords({
          used,
          limit: this.quota.sessionLimit,
          here: this.facts.pool.leasedIn(stream, windowId) + this.facts.inFlightFor(stream, windowId),
          reserve: this.quota.reservePerStream,
          renewalSpare: purpose === 'first' && headroom > 0 && used < this.budget,
        }),
    };
  }

  view(stream: StreamRef, now: number): BudgetView {
    const nextFreeAt = this.facts.ledger.nextFreeAt(stream, now);
    return {
      model: 'sessions',
      used: this.facts.ledger.liveCount(stream, now),
      limit: this.budget,
      pooled: this.facts.pool.freeCount(stream, now, this.facts.minReusableLifeMs(stream)),
      ...(nextFreeAt !== undefined ? { nextFreeAt } : {}),
    };
  }
}
