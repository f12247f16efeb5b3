import type { CredentialsProvider } from './credentials';

/** Everything needed to build AWS clients for one account; never serialised or sent to the renderer. */
export interface AccountConnection {
  readonly accountId: string;
  readonly kind: 'aws' | 'demo';
  readonly region: string;
  /** A custom endpoint (emulator, VPC endpoint) for the control plane; absent for AWS's own. */
  readonly endpoint?: string;
  readonly credentials: CredentialsProvider;
  /** Changes whenever any of the above changes: clients built from another revision are stale. */
  readonly revision: string;
}

export interface AccountChange {
  readonly accountId: string;
  readonly change: 'added' | 'updated' | 'removed';
}

/** The part of the account service the AWS layer depends on. */
export interface AccountConnections {
  connectionFor(accountId: string): Promise<AccountConnection>;
  onChange(listener: (change: AccountChange) => void): () => void;
}
