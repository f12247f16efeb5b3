import { describe, expect, it } from 'vitest';
import type { AccountChange, AccountConnection, AccountConnections } from '../../../main/accounts/connection';
import { createKvsClients, isCredentialRefusal } from '../../../main/kvs/clients';
import { DEFAULT_TUNING } from '../../../main/kvs/client-config';
import { UNKNOWN_OUTCOME_GRACE_MS } from '../../../main/sessions/session-ledger';

/** Connections as the account service hands them out; clients are only built here, never sent. */
function accountsWith(region = 'eu-west-1') {
  const listeners = new Set<(c: AccountChange) => void>();
  let revision = 0;
  let currentRegion = region;
  const accounts: AccountConnections = {
    connectionFor: async (accountId): Promise<AccountConnection> => ({
      accountId,
      kind: 'aws',
      region: currentRegion,
      endpoint: 'http://127.0.0.1:9',
      credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) }),
      revision: String(revision),
    }),
    onChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    accounts,
    change(accountId: string, newRegion?: string) {
      revision++;
      if (newRegion) currentRegion = newRegion;
      for (const l of listeners) l({ accountId, change: 'updated', identityChanged: true });
    },
    rename(accountId: string) {
      for (const l of listeners) l({ accountId, change: 'updated', identityChanged: false });
    },
    listenerCount: () => listeners.size,
  };
}

describe('KVS clients registry', () => {
  it('reuses one control client per account and one archived client per data endpoint', async () => {
    const { accounts } = accountsWith();
    const clients = createKvsClients({ accounts });
    const a = await clients.control('acc1');
    expect((await clients.control('acc1')).client).toBe(a.client);
    expect((await clients.control('acc2')).client).not.toBe(a.client);
    const x = await clients.archived('acc1', 'https://b-1.example');
    expect((await clients.archived('acc1', 'https://b-1.example')).client).toBe(x.client);
    expect((await clients.archived('acc1', 'https://b-2.example')).client).not.toBe(x.client);
    expect(await a.client.config.region()).toBe('eu-west-1');
    expect(a.client.config.maxAttempts).toBeDefined();
    expect(await a.client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    clients.close();
  });

  it('builds new clients after the account changes, with the new settings', async () => {
    const { accounts, change, listenerCount } = accountsWith();
    const clients = createKvsClients({ accounts });
    const before = await clients.control('acc1');
    const archivedBefore = await clients.archived('acc1', 'https://b-1.example');
    change('acc1', 'us-east-2');
    const after = await clients.control('acc1');
    expect(after.client).not.toBe(before.client);
    expect(await after.client.config.region()).toBe('us-east-2');
    expect((await clients.archived('acc1', 'https://b-1.example')).client).not.toBe(archivedBefore.client);
    clients.close();
    expect(listenerCount()).toBe(0);
  });

  it('GetDASHStreamingSessionURL gets a client of its own that makes one attempt: the session service owns its retries', async () => {
    const { accounts } = accountsWith();
    const clients = createKvsClients({ accounts });
    const general = await clients.archived('acc1', 'https://b-1.example');
    const sessionUrl = await clients.archived('acc1', 'https://b-1.example', 'session-url');
    expect(sessionUrl.client).not.toBe(general.client);
    expect(await sessionUrl.client.config.maxAttempts()).toBe(1);
    expect(await general.client.config.maxAttempts()).toBe(DEFAULT_TUNING.maxAttempts);
    expect((await clients.archived('acc1', 'https://b-1.example', 'session-url')).client).toBe(sessionUrl.client);
    clients.close();
  });

  it('gives up on a request before the ledger stops counting what it may have created', () => {
    expect(DEFAULT_TUNING.requestTimeoutMs).toBeLessThan(UNKNOWN_OUTCOME_GRACE_MS);
  });

  it('keeps its clients when only the name changed', async () => {
    const { accounts, rename } = accountsWith();
    const clients = createKvsClients({ accounts });
    const before = await clients.control('acc1');
    const archivedBefore = await clients.archived('acc1', 'https://b-1.example');
    rename('acc1');
    expect((await clients.control('acc1')).client).toBe(before.client);
    expect((await clients.archived('acc1', 'https://b-1.example')).client).toBe(archivedBefore.client);
    clients.close();
  });

  it('tells refused credentials (expired, unknown, bad signature) from permissions and clock skew', () => {
    const err = (name: string, message = 'x') => Object.assign(new Error(message), { name });
    for (const name of ['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch']) {
      expect(isCredentialRefusal(err(name)), name).toBe(true);
    }
    expect(isCredentialRefusal(err('AccessDeniedException'))).toBe(false);
    expect(isCredentialRefusal(err('ClientLimitExceededException'))).toBe(false);
    expect(isCredentialRefusal(err('InvalidSignatureException', 'Signature expired: 20250101T000000Z is now earlier than …'))).toBe(false);
    expect(isCredentialRefusal('ExpiredTokenException')).toBe(false);
  });

  it('keeps a bounded number of archived clients per account', async () => {
    const { accounts } = accountsWith();
    const clients = createKvsClients({ accounts, maxArchivedPerAccount: 2 });
    const first = await clients.archived('acc1', 'https://b-1.example');
    await clients.archived('acc1', 'https://b-2.example');
    await clients.archived('acc1', 'https://b-3.example');
    expect((await clients.archived('acc1', 'https://b-1.example')).client).not.toBe(first.client);
    clients.close();
  });
});
