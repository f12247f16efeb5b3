import type { AccountChange } from './accounts';
import type { Logger } from './core/logger';
import type { AccountSummary } from '../shared/model';

/** Who an account is at AWS: what its sessions were created under. A rename or a new secret keeps it. */
function identityOf(a: Pick<AccountSummary, 'region' | 'endpoint' | 'accessKeyId' | 'roleArn'>): string {
  return JSON.stringify([a.region, a.endpoint ?? '', a.accessKeyId, a.roleArn ?? '']);
}

export interface AccountSessionsDeps {
  accounts: {
    list(): Promise<AccountSummary[]>;
    get(id: string): Promise<AccountSummary>;
    onChange(listener: (change: AccountChange) => void): () => void;
  };
  /** The account's identity changed or it was removed. */
  onIdentityChanged(accountId: string): void;
  logger: Logger;
}

/**
 * Tells the session service when an account's sessions no longer belong to it: the account was
 * removed, or its identity (region, endpoint, access key id, role) changed. A change that says
 * whether the identity changed (`identityChanged`) is taken at its word; one that only says
 * added / updated / removed is compared with the identity seen before. Renaming an account renews
 * nothing.
 */
export function followAccountIdentities(deps: AccountSessionsDeps): { ready: Promise<void>; close(): void } {
  const known = new Map<string, string>();
  const remember = (a: AccountSummary) => known.set(a.id, identityOf(a));
  const ready = deps.accounts
    .list()
    .then((all) => {
      for (const a of all) if (!known.has(a.id)) remember(a);
    })
    .catch((err: unknown) => deps.logger.warn('could not read the accounts to follow their identities', { error: String(err) }));

  const off = deps.accounts.onChange((change) => {
    const told = (change as { identityChanged?: unknown }).identityChanged;
    if (typeof told === 'boolean') {
      if (told || change.change === 'removed') deps.onIdentityChanged(change.accountId);
      return;
    }
    if (change.change === 'removed') {
      known.delete(change.accountId);
      deps.onIdentityChanged(change.accountId);
      return;
    }
    void deps.accounts
      .get(change.accountId)
      .then((account) => {
        const before = known.get(account.id);
        remember(account);
        if (change.change === 'updated' && before !== undefined && before !== identityOf(account)) deps.onIdentityChanged(account.id);
      })
      .catch((err: unknown) => deps.logger.warn('could not read a changed account', { accountId: change.accountId, error: String(err) }));
  });
  return { ready, close: off };
}
