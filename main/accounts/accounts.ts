import { randomBytes } from 'node:crypto';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import type { AccountInput, AccountSummary } from '../../shared/model';
import { appError, type AppError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { createControlClient, type ClientTuning } from '../kvs/client-config';
import { toAppError } from '../kvs/errors';
import type { AccountCaches } from '../store/account-caches';
import type { AccountRecord, AccountsStore } from '../store/accounts-store';
import { createAssumeRoleProvider, type AssumeRoleOptions } from './assume-role';
import type { AccountChange, AccountConnection, AccountConnections } from './connection';
import { staticCredentials, type CredentialsProvider } from './credentials';
import { DEMO_ACCOUNT_ID, DEMO_ACCOUNT_NAME, DEMO_DEFAULT_REGION, type DemoSource } from './demo';
import type { AccountSecrets, SecretVault } from './keychain';
import { checkAccountShape, validateAccountInput, validateAccountUpdate } from './validation';

export type ConnectionTestRequest = { id: string } | { draft: unknown };
export type ConnectionTestResult = { ok: true; streamCount: number; truncated: boolean } | { ok: false; error: AppError };

export interface AccountService extends AccountConnections {
  /** AWS accounts in the order they were added; the demo account first when it is shown (see below). */
  list(): Promise<AccountSummary[]>;
  /** Throws AccountNotFound. */
  get(id: string): Promise<AccountSummary>;
  /** Validates, stores the secret in the keychain first, then the metadata. */
  add(input: unknown): Promise<AccountSummary>;
  /** A partial change by id; a new secret replaces the stored secret and session token together. */
  update(input: unknown): Promise<AccountSummary>;
  /** Deletes the keychain entry, the metadata and the account's cached catalogue and endpoints. */
  remove(id: string): Promise<void>;
  /** A real ListStreams (MaxResults 100) with a stored account or an unsaved draft. Never throws. */
  testConnection(request: ConnectionTestRequest): Promise<ConnectionTestResult>;
  /** The account's credentials for the AWS SDK, resolved lazily and cached until the account changes. */
  credentialsFor(id: string): CredentialsProvider;
}

export interface AccountServiceDeps {
  store: AccountsStore;
  vault: SecretVault;
  caches: Pick<AccountCaches, 'removeAccount'>;
  clock: Clock;
  logger: Logger;
  /** The embedded emulator behind the "Demo cameras" account; without it there is no demo account. */
  demo?: DemoSource;
  newId?: () => string;
  /** How the connection test's client behaves: one attempt, short timeouts, so the form answers quickly. */
  testTuning?: ClientTuning;
  /** Replaces the STS call (tests). */
  assumeRole?: AssumeRoleOptions['assumeRole'];
}

const TEST_TUNING: ClientTuning = { maxAttempts: 1, connectionTimeoutMs: 5_000, requestTimeoutMs: 10_000 };
const TEST_PAGE_SIZE = 100;

/**
 * The demo account is listed only while no AWS account exists: a new user sees cameras at once, and
 * an operator with real cameras isn't shown a fake account. It stays resolvable by id afterwards,
 * so walls built on demo cameras keep playing after an AWS account is added.
 */
export function createAccountService(deps: AccountServiceDeps): AccountService {
  const newId = deps.newId ?? (() => `acc-${randomBytes(6).toString('hex')}`);
  const listeners = new Set<(change: AccountChange) => void>();
  const credentialCache = new Map<string, { revision: number; provider: CredentialsProvider }>();
  let records: Promise<AccountRecord[]> | undefined;
  let demoRegion: string | undefined;
  let lock: Promise<unknown> = Promise.resolve();

  /** Changes run one at a time, so the keychain and accounts.json never disagree because of a race. */
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = lock.then(task, task);
    lock = run.catch(() => undefined);
    return run;
  }

  function loadRecords(): Promise<AccountRecord[]> {
    records ??= deps.store.list().catch((err: unknown) => {
      records = undefined;
      throw err;
    });
    return records;
  }

  async function saveRecords(change: (current: AccountRecord[]) => AccountRecord[]): Promise<AccountRecord[]> {
    records = undefined;
    const saved = await deps.store.update(change);
    records = Promise.resolve(saved);
    return saved;
  }

  async function recordOf(id: string): Promise<AccountRecord> {
    const found = (await loadRecords()).find((r) => r.id === id);
    if (!found) throw new AppFailure(appError('AccountNotFound', 'That account no longer exists.'));
    return found;
  }

  function emit(change: AccountChange): void {
    credentialCache.delete(change.accountId);
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (err) {
        deps.logger.error('account change listener failed', { accountId: change.accountId, code: toAppError(err).code });
      }
    }
  }

  function demoSummary(): AccountSummary {
    return { id: DEMO_ACCOUNT_ID, kind: 'demo', name: DEMO_ACCOUNT_NAME, region: demoRegion ?? DEMO_DEFAULT_REGION, accessKeyId: '', hasSessionToken: false };
  }

  function providerFor(record: AccountRecord): CredentialsProvider {
    const cached = credentialCache.get(record.id);
    if (cached && cached.revision === record.revision) return cached.provider;
    let secrets: Promise<AccountSecrets> | undefined;
    const base: CredentialsProvider = async () => {
      secrets ??= deps.vault.get(record.id).then((found) => {
        if (!found) {
          throw new AppFailure(
            appError('KeychainUnavailable', `The keychain has no secret for the account "${record.name}" (it may have been removed there). Edit the account and enter its secret access key again.`, { field: 'secretAccessKey' }),
          );
        }
        return found;
      });
      try {
        const s = await secrets;
        return { accessKeyId: record.accessKeyId, secretAccessKey: s.secretAccessKey, ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}) };
      } catch (err) {
        secrets = undefined;
        throw err;
      }
    };
    const provider = record.roleArn
      ? createAssumeRoleProvider({ roleArn: record.roleArn, region: record.region, base, clock: deps.clock, logger: deps.logger, ...(deps.assumeRole ? { assumeRole: deps.assumeRole } : {}) })
      : base;
    credentialCache.set(record.id, { revision: record.revision, provider });
    return provider;
  }

  async function connectionFor(id: string): Promise<AccountConnection> {
    if (id === DEMO_ACCOUNT_ID && deps.demo) {
      const demo = await deps.demo.ensureStarted();
      demoRegion = demo.region;
      return {
        accountId: DEMO_ACCOUNT_ID,
        kind: 'demo',
        region: demo.region,
        endpoint: demo.endpoint,
        credentials: staticCredentials({ accessKeyId: demo.accessKeyId, secretAccessKey: demo.secretAccessKey }),
        revision: `demo@${demo.endpoint}`,
      };
    }
    const record = await recordOf(id);
    return {
      accountId: record.id,
      kind: 'aws',
      region: record.region,
      ...(record.endpoint ? { endpoint: record.endpoint } : {}),
      credentials: providerFor(record),
      revision: String(record.revision),
    };
  }

  function draftConnection(input: AccountInput): AccountConnection {
    const base = staticCredentials({ accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}) });
    return {
      accountId: 'draft',
      kind: 'aws',
      region: input.region,
      ...(input.endpoint ? { endpoint: input.endpoint } : {}),
      credentials: input.roleArn
        ? createAssumeRoleProvider({ roleArn: input.roleArn, region: input.region, base, clock: deps.clock, logger: deps.logger, ...(deps.assumeRole ? { assumeRole: deps.assumeRole } : {}) })
        : base,
      revision: 'draft',
    };
  }

  function refuseDemo(id: string, what: string): void {
    if (id === DEMO_ACCOUNT_ID) throw new AppFailure(appError('InvalidRequest', `The Demo cameras account is built in and cannot be ${what}.`));
  }

  function checkNameFree(all: AccountRecord[], name: string, exceptId?: string): void {
    const taken = all.some((r) => r.id !== exceptId && r.name.toLocaleLowerCase() === name.toLocaleLowerCase());
    if (taken) throw new AppFailure(appError('InvalidRequest', `An account named "${name}" already exists.`, { field: 'name' }));
  }

  const service: AccountService = {
    async list() {
      const all = await loadRecords();
      const aws = all.map(summaryOf);
      return deps.demo && aws.length === 0 ? [demoSummary()] : aws;
    },

    async get(id) {
      if (id === DEMO_ACCOUNT_ID && deps.demo) return demoSummary();
      return summaryOf(await recordOf(id));
    },

    add: (raw) =>
      exclusive(async () => {
        const input = validateAccountInput(raw);
        checkNameFree(await loadRecords(), input.name);
        const id = newId();
        // The secret goes first: if the keychain refuses it, nothing about the account is saved.
        await deps.vault.set(id, { secretAccessKey: input.secretAccessKey, ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}) });
        const record: AccountRecord = {
          id,
          name: input.name,
          region: input.region,
          accessKeyId: input.accessKeyId,
          hasSessionToken: input.sessionToken !== undefined,
          ...(input.roleArn ? { roleArn: input.roleArn } : {}),
          ...(input.endpoint ? { endpoint: input.endpoint } : {}),
          createdAt: deps.clock.now(),
          revision: 0,
        };
        try {
          await saveRecords((current) => {
            checkNameFree(current, record.name);
            return [...current, record];
          });
        } catch (err) {
          // Don't leave a secret behind for an account that doesn't exist.
          await deps.vault.delete(id).catch(() => false);
          throw err;
        }
        deps.logger.info('account added', { accountId: id, region: record.region, roleArn: Boolean(record.roleArn), customEndpoint: Boolean(record.endpoint) });
        emit({ accountId: id, change: 'added' });
        return summaryOf(record);
      }),

    update: (raw) =>
      exclusive(async () => {
        const change = validateAccountUpdate(raw);
        refuseDemo(change.id, 'edited');
        const before = await recordOf(change.id);
        if (change.name !== undefined) checkNameFree(await loadRecords(), change.name, before.id);
        const newSecret = change.secretAccessKey !== undefined;
        // `null` removes the token; either way the keychain entry is rewritten.
        const newToken = change.sessionToken !== undefined;
        const { roleArn: _oldRole, endpoint: _oldEndpoint, ...kept } = before;
        const roleArn = change.roleArn === undefined ? before.roleArn : (change.roleArn ?? undefined);
        const endpoint = change.endpoint === undefined ? before.endpoint : (change.endpoint ?? undefined);
        const after: AccountRecord = {
          ...kept,
          ...(change.name !== undefined ? { name: change.name } : {}),
          ...(change.region !== undefined ? { region: change.region } : {}),
          ...(change.accessKeyId !== undefined ? { accessKeyId: change.accessKeyId } : {}),
          ...(roleArn ? { roleArn } : {}),
          ...(endpoint ? { endpoint } : {}),
          // A new secret without a token means the new keys are long-term ones.
          hasSessionToken: typeof change.sessionToken === 'string' || (!newSecret && change.sessionToken !== null && before.hasSessionToken),
          revision: before.revision + 1,
        };
        checkAccountShape(after);
        const previousSecrets = newSecret || newToken ? await deps.vault.get(before.id) : undefined;
        if (newSecret || newToken) {
          const secretAccessKey = change.secretAccessKey ?? previousSecrets?.secretAccessKey;
          if (!secretAccessKey) {
            throw new AppFailure(appError('InvalidRequest', 'The keychain has no secret for this account; enter the secret access key too.', { field: 'secretAccessKey' }));
          }
          await deps.vault.set(before.id, { secretAccessKey, ...(change.sessionToken ? { sessionToken: change.sessionToken } : {}) });
        }
        try {
          await saveRecords((current) => current.map((r) => (r.id === after.id ? after : r)));
        } catch (err) {
          // Put the old secret back so the keychain still matches the metadata that stayed on disk.
          if (previousSecrets) await deps.vault.set(before.id, previousSecrets).catch(() => undefined);
          throw err;
        }
        const identityChanged = after.region !== before.region || after.endpoint !== before.endpoint || after.accessKeyId !== before.accessKeyId || after.roleArn !== before.roleArn;
        // Streams and data endpoints belong to the old region/endpoint/identity; don't serve them for the new one.
        emit({ accountId: after.id, change: 'updated' });
        if (identityChanged) await deps.caches.removeAccount(after.id);
        deps.logger.info('account updated', { accountId: after.id, secretReplaced: newSecret || newToken, identityChanged });
        return summaryOf(after);
      }),

    remove: (id) =>
      exclusive(async () => {
        refuseDemo(id, 'removed');
        await recordOf(id);
        // Keychain first: if it can't be reached the account stays, rather than leaving an orphaned secret.
        await deps.vault.delete(id);
        await saveRecords((current) => current.filter((r) => r.id !== id));
        // Listeners drop in-memory state first, so no write-behind can recreate a cache file just deleted.
        emit({ accountId: id, change: 'removed' });
        await deps.caches.removeAccount(id);
        deps.logger.info('account removed', { accountId: id });
      }),

    async testConnection(request) {
      let connection: AccountConnection;
      try {
        connection = 'draft' in request ? draftConnection(validateAccountInput(request.draft)) : await connectionFor(request.id);
      } catch (err) {
        return { ok: false, error: toAppError(err) };
      }
      const client = createControlClient(connection, { ...TEST_TUNING, ...deps.testTuning });
      try {
        const out = await client.send(new ListStreamsCommand({ MaxResults: TEST_PAGE_SIZE }));
        const streams = Array.isArray(out.StreamInfoList) ? out.StreamInfoList : [];
        return { ok: true, streamCount: streams.length, truncated: typeof out.NextToken === 'string' && out.NextToken.length > 0 };
      } catch (err) {
        const error = toAppError(err, { operation: 'ListStreams', region: connection.region, endpoint: connection.endpoint, now: deps.clock.now() });
        deps.logger.info('connection test failed', { accountId: connection.accountId, code: error.code });
        return { ok: false, error };
      } finally {
        client.destroy();
      }
    },

    credentialsFor(id) {
      return async () => (await connectionFor(id)).credentials();
    },

    connectionFor,

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return service;
}

function summaryOf(record: AccountRecord): AccountSummary {
  return {
    id: record.id,
    kind: 'aws',
    name: record.name,
    region: record.region,
    accessKeyId: record.accessKeyId,
    hasSessionToken: record.hasSessionToken,
    ...(record.roleArn ? { roleArn: record.roleArn } : {}),
    ...(record.endpoint ? { endpoint: record.endpoint } : {}),
  };
}
