import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import type { AccountConnections } from '../accounts/connection';

/**
 * A counter per account, moved on every identity change (kind, region, keys, profile, endpoint, role)
 * and on removal. Work that started under one generation checks it before writing its result
 * anywhere: an answer AWS gave the old identity must never be cached for the new one.
 */
export interface IdentityGenerations {
  current(accountId: string): number;
  /** Throws a retryable AccountChanged when `accountId` moved on since `generation`. */
  check(accountId: string, generation: number): void;
  /** Moves the account on (also done by the account service's change events). */
  bump(accountId: string): void;
  stop(): void;
}

export function trackIdentityGenerations(accounts: Pick<AccountConnections, 'onChange'> | undefined, onBump?: (accountId: string) => void): IdentityGenerations {
  const generations = new Map<string, number>();
  const bump = (accountId: string) => {
    generations.set(accountId, (generations.get(accountId) ?? 0) + 1);
    onBump?.(accountId);
  };
  const unsubscribe = accounts?.onChange(({ accountId, identityChanged }) => {
    if (identityChanged) bump(accountId);
  });
  return {
    current: (accountId) => generations.get(accountId) ?? 0,
    check(accountId, generation) {
      if ((generations.get(accountId) ?? 0) !== generation) {
        throw new AppFailure(appError('AccountChanged', "The account's settings changed while this was under way; KVS Wall asks again with the new ones.", { retryable: true }));
      }
    },
    bump,
    stop: () => unsubscribe?.(),
  };
}
