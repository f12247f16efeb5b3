import type { AccountQuota } from '../../shared/model';
import type { BudgetFacts, QuotaBudget } from './budget';
import { PointsBudget } from './points-budget';
import { SessionsBudget } from './sessions-budget';

/** The budget of the account's quota model. Cheap: built afresh at each decision from the current settings. */
export function budgetFor(quota: AccountQuota, facts: BudgetFacts): QuotaBudget {
  return quota.model === 'points' ? new PointsBudget(quota, facts) : new SessionsBudget(quota, facts);
}
