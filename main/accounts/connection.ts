import type { CredentialsProvider } from './credentials';

/** What the AWS layer needs to call AWS for one account. Never crosses to the renderer. */
export interface AccountConnection {
  readonly accountId: string;
  readonly kind: 'aws' | 'demo';
  readonly region: string;
  /** A custom endpoint (emulator, LocalStack-style tools) for every AWS call of the account; absent for AWS's own. */
  readonly endpoint?: string;
  /** Current credentials; temporary ones renew on their own (see renewing-credentials.ts). */
  readonly credentials: CredentialsProvider;
  /** Changes whenever the identity (kind, region, keys, profile, endpoint, role) changes: clients built from another revision are stale. */
  readonly revision: string;
}

export interface AccountChange {
  readonly accountId: string;
  readonly change: 'added' | 'updated' | 'removed';
  /**
   * The account now reaches AWS as someone else or somewhere else (kind, region, keys or secret,
   * profile, endpoint, role), or is gone: everything derived from the old identity (clients, data
   * endpoints, the stream catalogue, pooled sessions) must be dropped, including work still in flight.
   * False for cosmetic changes (a rename, the demo hidden or shown).
   */
  readonly identityChanged: boolean;
}

/** The part of the account service the AWS layer depends on. */
export interface AccountConnections {
  connectionFor(accountId: string): Promise<AccountConnection>;
  /** Listeners run synchronously, before the change's cache files are deleted. */
  onChange(listener: (change: AccountChange) => void): () => void;
}
