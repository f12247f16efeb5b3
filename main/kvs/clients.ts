import type { KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import type { KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import type { AccountConnection, AccountConnections } from '../accounts/connection';
import { createArchivedClient, createControlClient, PRICED_TUNING, SESSION_URL_TUNING, type ClientTuning } from './client-config';

/**
 * What an archived-media client is for. `session-url` clients make exactly one attempt per call
 * (GetDASHStreamingSessionURL: every attempt that reaches KVS may create a session); `priced` ones
 * too, for calls that spend many of the stream's points per attempt (GetClip, GetImages), whose
 * callers price and retry each attempt themselves, and with a longer idle timeout for a clip's body;
 * `general` ones retry as the tuning says.
 */
export type ArchivedPurpose = 'general' | 'session-url' | 'priced';

export interface ControlHandle {
  client: KinesisVideoClient;
  connection: AccountConnection;
}
export interface ArchivedHandle {
  client: KinesisVideoArchivedMediaClient;
  connection: AccountConnection;
}

/**
 * AWS clients per account (control plane) and per (account, data endpoint) (archived media), kept
 * for reuse so their connection pools and adaptive rate limiters carry over between calls. All of an
 * account's clients are destroyed when the account changes or is removed.
 */
export interface KvsClients {
  control(accountId: string): Promise<ControlHandle>;
  archived(accountId: string, dataEndpoint: string, purpose?: ArchivedPurpose): Promise<ArchivedHandle>;
  /** Destroys the account's clients; the next call builds fresh ones. */
  forget(accountId: string): void;
  /** Destroys every client and stops following account changes. */
  close(): void;
}

export interface KvsClientsDeps {
  accounts: AccountConnections;
  /**
   * AWS refused an account's credentials on a call (expired session token, unknown key, bad
   * signature): the account service renews them, or tells a person what to do.
   */
  onCredentialsRefused?: (accountId: string, err: unknown) => void;
  tuning?: ClientTuning;
  /** Archived clients kept per account (per endpoint and purpose); the least recently used beyond this are destroyed. */
  maxArchivedPerAccount?: number;
}

interface AccountClients {
  revision: string;
  control?: KinesisVideoClient;
  archived: Map<string, KinesisVideoArchivedMediaClient>;
}

export function createKvsClients(deps: KvsClientsDeps): KvsClients {
  const maxArchived = deps.maxArchivedPerAccount ?? 128;
  const byAccount = new Map<string, AccountClients>();

  function destroy(entry: AccountClients): void {
    entry.control?.destroy();
    for (const client of entry.archived.values()) client.destroy();
    entry.archived.clear();
  }

  function forget(accountId: string): void {
    const entry = byAccount.get(accountId);
    if (!entry) return;
    byAccount.delete(accountId);
    destroy(entry);
  }

  async function entryFor(accountId: string): Promise<{ entry: AccountClients; connection: AccountConnection }> {
    const connection = await deps.accounts.connectionFor(accountId);
    let entry = byAccount.get(accountId);
    if (entry && entry.revision !== connection.revision) {
      forget(accountId);
      entry = undefined;
    }
    if (!entry) {
      entry = { revision: connection.revision, archived: new Map() };
      byAccount.set(accountId, entry);
    }
    return { entry, connection };
  }

  // Clients hold the old identity's credentials and region: drop them. A rename keeps them.
  const unsubscribe = deps.accounts.onChange(({ accountId, identityChanged }) => {
    if (identityChanged) forget(accountId);
  });

  /** Tells the account service when AWS refuses this account's credentials, whichever call it was. */
  function watchRefusals<C extends KinesisVideoClient | KinesisVideoArchivedMediaClient>(client: C, accountId: string): C {
    const report = deps.onCredentialsRefused;
    if (!report) return client;
    (client.middlewareStack as KinesisVideoClient['middlewareStack']).add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          if (isCredentialRefusal(err)) report(accountId, err);
          throw err;
        }
      },
      { step: 'initialize', name: 'kvsWallCredentialRefusals' },
    );
    return client;
  }

  return {
    async control(accountId) {
      const { entry, connection } = await entryFor(accountId);
      entry.control ??= watchRefusals(createControlClient(connection, deps.tuning), accountId);
      return { client: entry.control, connection };
    },
    async archived(accountId, dataEndpoint, purpose = 'general') {
      const { entry, connection } = await entryFor(accountId);
      const key = `${purpose} ${dataEndpoint}`;
      let client = entry.archived.get(key);
      if (client) {
        // Re-insert to mark it most recently used.
        entry.archived.delete(key);
      } else {
        const tuning = purpose === 'session-url' ? { ...deps.tuning, ...SESSION_URL_TUNING } : purpose === 'priced' ? { ...deps.tuning, ...PRICED_TUNING } : deps.tuning;
        client = watchRefusals(createArchivedClient(connection, dataEndpoint, tuning), accountId);
      }
      entry.archived.set(key, client);
      while (entry.archived.size > maxArchived) {
        const [oldest, stale] = entry.archived.entries().next().value as [string, KinesisVideoArchivedMediaClient];
        entry.archived.delete(oldest);
        stale.destroy();
      }
      return { client, connection };
    },
    forget,
    close() {
      unsubscribe();
      for (const accountId of [...byAccount.keys()]) forget(accountId);
    },
  };
}

const REFUSED = new Set(['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch']);

/** AWS refused the credentials themselves (not a permission, not the clock). */
export function isCredentialRefusal(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, message } = err as { name?: unknown; message?: unknown };
  if (typeof name !== 'string' || !REFUSED.has(name)) return false;
  return !(typeof message === 'string' && /signature expired|not yet current/i.test(message));
}
