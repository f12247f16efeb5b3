import { randomBytes } from 'node:crypto';
import type { AccountSummary, AwsProfile, ConnectionReport, CredentialStatus, KeychainStatus, StreamRef } from '../../shared/model';
import { appError, type AppError } from '../../shared/errors';
import { AppFailure, isAppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { ClientTuning } from '../kvs/client-config';
import { toAppError } from '../kvs/errors';
import type { AccountCaches } from '../store/account-caches';
import type { AccountRecord, AccountsDoc, AccountsStore } from '../store/accounts-store';
import { applyUpdate, recordFromInput, summaryOf, type SecretsChange } from './account-records';
import { listAwsProfiles } from './aws-profiles';
import type { AccountChange, AccountConnection, AccountConnections } from './connection';
import { runConnectionTest, type ConnectionTestTarget } from './connection-test';
import { describeCredentialFailure, type CredentialProblem } from './credential-problems';
import { credentialSource, type CredentialSpec } from './credential-sources';
import { staticCredentials, type AwsCredentials, type CredentialsProvider } from './credentials';
import { DEMO_ACCOUNT_ID, DEMO_ACCOUNT_NAME, DEMO_DEFAULT_REGION, type DemoSource } from './demo';
import { keychainFailureDetail, type AccountSecrets, type SecretVault } from './keychain';
import { keychainHelp } from './keychain-help';
import type { NetworkProbe } from './network-probe';
import { createRenewingCredentials, type RenewingCredentials, type RenewingCredentialsOptions } from './renewing-credentials';
import { validateAccountInput, validateAccountUpdate } from './validation';

export type ConnectionTestRequest = { id: string } | { draft: unknown } | { edit: unknown };

export interface AccountService extends AccountConnections {
  /** The Demo cameras first (when built in, with `hidden`), then the user's accounts in the order added. */
  list(): Promise<AccountSummary[]>;
  /** Throws AccountNotFound. */
  get(id: string): Promise<AccountSummary>;
  /** Validates; for access keys stores the secret in the keychain first, then the metadata. */
  add(input: unknown): Promise<AccountSummary>;
  /** A partial change by id (see AccountUpdateSchema); identity changes drop everything derived from the old identity. */
  update(input: unknown): Promise<AccountSummary>;
  /** Deletes the keychain entry, the metadata and the account's cached catalogue and endpoints. */
  remove(id: string): Promise<void>;
  /** Hides the Demo cameras from the picker, or brings them back. */
  setDemoHidden(hidden: boolean): Promise<AccountSummary>;
  /** Network, region, credentials, then each permission, in order (connection-test.ts). Never throws. */
  testConnection(request: ConnectionTestRequest): Promise<ConnectionReport>;
  /** Credential status of every account used this run. */
  statuses(): CredentialStatus[];
  /** Try an account's credentials again now. */
  retry(id: string): Promise<CredentialStatus>;
  onStatus(listener: (status: CredentialStatus) => void): () => void;
  /** Probes the OS keychain now. */
  keychain(): Promise<KeychainStatus>;
  /** Profiles in the user's shared AWS files. Never throws. */
  profiles(): Promise<{ profiles: AwsProfile[]; error?: AppError }>;
  /** An AWS call with the account's credentials was refused as expired or unknown: renew, or tell a person. */
  credentialsRefused(accountId: string, err: unknown): void;
  /** The account's credentials for the AWS SDK, renewed before they expire. */
  credentialsFor(id: string): CredentialsProvider;
  /** Stops renewal timers. */
  dispose(): void;
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
  /** How the connection test's clients behave (default: one attempt, short timeouts). */
  testTuning?: ClientTuning;
  /** Creates one real LIVE session through the session service, for Test connection's DASH check. */
  probeSession?: (ref: StreamRef) => Promise<void>;
  /** The connection test's DNS and TCP probes (tests replace them to stand for networks not present here). */
  network?: NetworkProbe;
  /** For the keychain explanation; process.platform by default. */
  platform?: string;
  /** Seconds an assumed role's credentials last (access keys + role); STS's default hour unless set. */
  roleSessionSeconds?: number;
  /** Renewal timing (tests shorten it). */
  renewal?: Pick<RenewingCredentialsOptions, 'maxLeadMs' | 'transientRetry' | 'actionRetryMs' | 'random'>;
}

interface LiveCredentials {
  identity: number;
  renewing: RenewingCredentials;
  problem: (err: unknown) => CredentialProblem;
}

export function createAccountService(deps: AccountServiceDeps): AccountService {
  const newId = deps.newId ?? (() => `acc-${randomBytes(6).toString('hex')}`);
  const platform = deps.platform ?? process.platform;
  const listeners = new Set<(change: AccountChange) => void>();
  const statusListeners = new Set<(status: CredentialStatus) => void>();
  const live = new Map<string, LiveCredentials>();
  let doc: Promise<AccountsDoc> | undefined;
  let demoRegion: string | undefined;
  let lock: Promise<unknown> = Promise.resolve();

  /** Changes run one at a time, so the keychain and accounts.json never disagree because of a race. */
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = lock.then(task, task);
    lock = run.catch(() => undefined);
    return run;
  }

  function loadDoc(): Promise<AccountsDoc> {
    doc ??= deps.store.read().catch((err: unknown) => {
      doc = undefined;
      throw err;
    });
    return doc;
  }

  async function saveDoc(change: (current: AccountsDoc) => AccountsDoc): Promise<AccountsDoc> {
    doc = undefined;
    const saved = await deps.store.update(change);
    doc = Promise.resolve(saved);
    return saved;
  }

  async function recordOf(id: string): Promise<AccountRecord> {
    const found = (await loadDoc()).accounts.find((r) => r.id === id);
    if (!found) throw new AppFailure(appError('AccountNotFound', 'That account no longer exists.'));
    return found;
  }

  function emit(change: AccountChange): void {
    if (change.identityChanged) forgetCredentials(change.accountId);
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (err) {
        deps.logger.error('account change listener failed', { accountId: change.accountId, code: toAppError(err).code });
      }
    }
  }

  function emitStatus(status: CredentialStatus): void {
    for (const listener of statusListeners) {
      try {
        listener(status);
      } catch (err) {
        deps.logger.error('account status listener failed', { accountId: status.accountId, code: toAppError(err).code });
      }
    }
  }

  function forgetCredentials(accountId: string): void {
    live.get(accountId)?.renewing.dispose();
    live.delete(accountId);
  }

  function demoSummary(hidden: boolean): AccountSummary {
    return { id: DEMO_ACCOUNT_ID, kind: 'demo', name: DEMO_ACCOUNT_NAME, region: demoRegion ?? DEMO_DEFAULT_REGION, hidden };
  }

  /** The keychain entry of an access-keys account. */
  async function storedSecrets(record: { id: string; name: string }): Promise<AccountSecrets> {
    const found = await deps.vault.get(record.id);
    if (!found) {
      throw new AppFailure(
        appError('KeychainUnavailable', `The keychain has no secret for the account "${record.name}" (it may have been removed there). Edit the account and enter its secret access key again.`, { field: 'secretAccessKey' }),
      );
    }
    return found;
  }

  function specOf(record: AccountRecord, secrets: () => Promise<AccountSecrets>): CredentialSpec {
    const where = { region: record.region, ...(record.endpoint ? { endpoint: record.endpoint } : {}) };
    switch (record.kind) {
      case 'keys':
        return { kind: 'keys', ...where, accessKeyId: record.accessKeyId, ...(record.roleArn ? { roleArn: record.roleArn } : {}), secrets };
      case 'profile':
        return { kind: 'profile', ...where, profile: record.profile };
      case 'chain':
        return { kind: 'chain', ...where };
    }
  }

  function sourceOptions() {
    return { clock: deps.clock, ...(deps.roleSessionSeconds ? { roleSessionSeconds: deps.roleSessionSeconds } : {}) };
  }

  function liveFor(record: AccountRecord): LiveCredentials {
    const existing = live.get(record.id);
    if (existing && existing.identity === record.identity) return existing;
    existing?.renewing.dispose();
    const source = credentialSource(specOf(record, () => storedSecrets(record)), sourceOptions());
    const problem = (err: unknown) => describeCredentialFailure(err, source.context);
    const renewing = createRenewingCredentials({
      accountId: record.id,
      resolve: () => source.resolve(),
      describe: problem,
      clock: deps.clock,
      logger: deps.logger,
      onStatus: emitStatus,
      ...deps.renewal,
    });
    const entry = { identity: record.identity, renewing, problem };
    live.set(record.id, entry);
    return entry;
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
      credentials: liveFor(record).renewing.provider,
      revision: String(record.identity),
    };
  }

  /** A connection for a test that is not stored (a draft, or stored + unsaved edits): credentials resolved once. */
  function oneOffTarget(accountId: string, spec: CredentialSpec): ConnectionTestTarget {
    const source = credentialSource(spec, sourceOptions());
    let resolved: Promise<AwsCredentials> | undefined;
    return {
      connection: {
        accountId,
        kind: 'aws',
        region: spec.region,
        ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
        credentials: () => (resolved ??= source.resolve()),
        revision: 'test',
      },
      describeCredentials: (err) => describeCredentialFailure(err, source.context),
      stored: false,
    };
  }

  async function testTarget(request: ConnectionTestRequest): Promise<ConnectionTestTarget> {
    if ('draft' in request) {
      const input = validateAccountInput(request.draft);
      const record = recordFromInput('draft', input, deps.clock.now());
      const secrets = input.kind === 'keys' ? { secretAccessKey: input.secretAccessKey, ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}) } : undefined;
      // Only an access-keys spec reads secrets; the others never call this.
      return oneOffTarget('draft', specOf(record, async () => secrets ?? Promise.reject(new Error('this kind of account has no secret'))));
    }
    if ('edit' in request) {
      const change = validateAccountUpdate(request.edit);
      refuseDemo(change.id, 'edited');
      const before = await recordOf(change.id);
      const { after, secrets } = applyUpdate(before, change);
      return oneOffTarget(before.id, specOf(after, () => secretsAfter(before, secrets)));
    }
    if (request.id === DEMO_ACCOUNT_ID && deps.demo) {
      return { connection: await connectionFor(DEMO_ACCOUNT_ID), describeCredentials: (err) => ({ state: 'retrying', error: toAppError(err) }), stored: true };
    }
    const record = await recordOf(request.id);
    const entry = liveFor(record);
    // A test is a fresh look: don't answer with a failure remembered from before.
    if (entry.renewing.status()?.state !== 'ok' && entry.renewing.status() !== undefined) await entry.renewing.retryNow();
    // The failure was already named (with what to do) when the attempt failed; say it the same way.
    const describeCredentials = (err: unknown): CredentialProblem => {
      const status = entry.renewing.status();
      if (status && status.state !== 'ok' && status.error) return { state: status.state, error: status.error, ...(status.action ? { action: status.action } : {}), ...(status.command ? { command: status.command } : {}) };
      return entry.problem(err);
    };
    return { connection: await connectionFor(record.id), describeCredentials, stored: true };
  }

  /** The keychain entry as a change would leave it (for testing unsaved edits). */
  async function secretsAfter(before: AccountRecord, secrets: SecretsChange): Promise<AccountSecrets> {
    if (secrets.action === 'set') {
      const secretAccessKey = secrets.secretAccessKey ?? (await storedSecrets(before)).secretAccessKey;
      return { secretAccessKey, ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}) };
    }
    return storedSecrets(before);
  }

  function refuseDemo(id: string, what: string): void {
    if (id === DEMO_ACCOUNT_ID) throw new AppFailure(appError('InvalidRequest', `The Demo cameras account is built in and cannot be ${what}; it can be hidden.`));
  }

  function checkNameFree(all: readonly AccountRecord[], name: string, exceptId?: string): void {
    const taken = all.some((r) => r.id !== exceptId && r.name.toLocaleLowerCase() === name.toLocaleLowerCase()) || (deps.demo !== undefined && name.toLocaleLowerCase() === DEMO_ACCOUNT_NAME.toLocaleLowerCase());
    if (taken) throw new AppFailure(appError('InvalidRequest', `An account named "${name}" already exists.`, { field: 'name' }));
  }

  /** Keychain trouble while saving a secret, said with what it means and what to use instead. */
  function withKeychainHelp(err: unknown): unknown {
    if (!isAppFailure(err) || err.appError.code !== 'KeychainUnavailable' || err.appError.field) return err;
    const help = keychainHelp(platform);
    return new AppFailure(
      appError(
        'KeychainUnavailable',
        `${err.appError.message} ${help.explanation ?? ''} Add this account as an AWS profile or with the default credential chain instead: those need no stored secret.`.replace(/\s+/g, ' ').trim(),
        { field: 'kind' },
      ),
      { cause: err.cause },
    );
  }

  const service: AccountService = {
    async list() {
      const { accounts, demoHidden } = await loadDoc();
      const mine = accounts.map(summaryOf);
      return deps.demo ? [demoSummary(demoHidden), ...mine] : mine;
    },

    async get(id) {
      if (id === DEMO_ACCOUNT_ID && deps.demo) return demoSummary((await loadDoc()).demoHidden);
      return summaryOf(await recordOf(id));
    },

    add: (raw) =>
      exclusive(async () => {
        const input = validateAccountInput(raw);
        checkNameFree((await loadDoc()).accounts, input.name);
        const id = newId();
        const record = recordFromInput(id, input, deps.clock.now());
        // The secret goes first: if the keychain refuses it, nothing about the account is saved.
        if (input.kind === 'keys') {
          await deps.vault.set(id, { secretAccessKey: input.secretAccessKey, ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}) }).catch((err: unknown) => {
            throw withKeychainHelp(err);
          });
        }
        try {
          await saveDoc((current) => {
            checkNameFree(current.accounts, record.name);
            return { ...current, accounts: [...current.accounts, record] };
          });
        } catch (err) {
          // Don't leave a secret behind for an account that doesn't exist.
          if (input.kind === 'keys') await deps.vault.delete(id).catch(() => false);
          throw err;
        }
        deps.logger.info('account added', { accountId: id, kind: record.kind, region: record.region, customEndpoint: Boolean(record.endpoint) });
        emit({ accountId: id, change: 'added', identityChanged: true });
        return summaryOf(record);
      }),

    update: (raw) =>
      exclusive(async () => {
        const change = validateAccountUpdate(raw);
        refuseDemo(change.id, 'edited');
        const before = await recordOf(change.id);
        if (change.name !== undefined) checkNameFree((await loadDoc()).accounts, change.name, before.id);
        const { after, secrets, identityChanged } = applyUpdate(before, change);
        let previousSecrets: AccountSecrets | undefined;
        if (secrets.action === 'set') {
          previousSecrets = before.kind === 'keys' ? await deps.vault.get(before.id).catch(() => undefined) : undefined;
          const secretAccessKey = secrets.secretAccessKey ?? previousSecrets?.secretAccessKey;
          if (!secretAccessKey) {
            throw new AppFailure(appError('InvalidRequest', 'The keychain has no secret for this account; enter the secret access key too.', { field: 'secretAccessKey' }));
          }
          await deps.vault.set(before.id, { secretAccessKey, ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}) }).catch((err: unknown) => {
            throw withKeychainHelp(err);
          });
        }
        try {
          await saveDoc((current) => ({ ...current, accounts: current.accounts.map((r) => (r.id === after.id ? after : r)) }));
        } catch (err) {
          // Put the old secret back so the keychain still matches the metadata that stayed on disk.
          if (secrets.action === 'set') {
            if (previousSecrets) await deps.vault.set(before.id, previousSecrets).catch(() => undefined);
            else await deps.vault.delete(before.id).catch(() => false);
          }
          throw err;
        }
        if (secrets.action === 'delete') {
          // The account no longer uses keys: their secret must not linger in the keychain.
          await deps.vault.delete(before.id).catch((err: unknown) => deps.logger.warn('old keychain entry not deleted', { accountId: before.id, code: toAppError(err).code }));
        }
        // Listeners drop in-memory state (and stop in-flight work from writing back) before the files go.
        emit({ accountId: after.id, change: 'updated', identityChanged });
        if (identityChanged) await deps.caches.removeAccount(after.id);
        deps.logger.info('account updated', { accountId: after.id, kind: after.kind, secretReplaced: secrets.action !== 'keep', identityChanged });
        return summaryOf(after);
      }),

    remove: (id) =>
      exclusive(async () => {
        refuseDemo(id, 'removed');
        const record = await recordOf(id);
        if (record.kind === 'keys') {
          // Keychain first: if it can't be reached the account stays, rather than leaving an orphaned secret.
          await deps.vault.delete(id).catch((err: unknown) => {
            if (!isAppFailure(err) || err.appError.code !== 'KeychainUnavailable') throw err;
            throw new AppFailure(appError('KeychainUnavailable', `The account was not removed: its secret could not be deleted from the system keychain, which is not available. Unlock the keychain and try again.`), { cause: err.cause });
          });
        }
        await saveDoc((current) => ({ ...current, accounts: current.accounts.filter((r) => r.id !== id) }));
        // Listeners drop in-memory state first, so no write-behind can recreate a cache file just deleted.
        emit({ accountId: id, change: 'removed', identityChanged: true });
        await deps.caches.removeAccount(id);
        deps.logger.info('account removed', { accountId: id, kind: record.kind });
      }),

    setDemoHidden: (hidden) =>
      exclusive(async () => {
        if (!deps.demo) throw new AppFailure(appError('AccountNotFound', 'There are no Demo cameras in this build.'));
        await saveDoc((current) => ({ ...current, demoHidden: hidden }));
        emit({ accountId: DEMO_ACCOUNT_ID, change: 'updated', identityChanged: false });
        return demoSummary(hidden);
      }),

    async testConnection(request) {
      let target: ConnectionTestTarget;
      try {
        target = await testTarget(request);
      } catch (err) {
        const error = toAppError(err);
        return { ok: false, cause: error, checks: [], policy: '' };
      }
      return runConnectionTest(target, {
        clock: deps.clock,
        logger: deps.logger,
        ...(deps.probeSession ? { probeSession: deps.probeSession } : {}),
        ...(deps.network ? { network: deps.network } : {}),
        ...(deps.testTuning ? { tuning: deps.testTuning } : {}),
      });
    },

    statuses() {
      return [...live.values()].map((e) => e.renewing.status()).filter((s): s is CredentialStatus => s !== undefined);
    },

    async retry(id) {
      if (id === DEMO_ACCOUNT_ID && deps.demo) return { accountId: DEMO_ACCOUNT_ID, state: 'ok', checkedAt: deps.clock.now() };
      return liveFor(await recordOf(id)).renewing.retryNow();
    },

    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },

    async keychain() {
      try {
        await deps.vault.probe();
        return { available: true, platform, steps: [] };
      } catch (err) {
        const detail = keychainFailureDetail(err);
        deps.logger.warn('system keychain not available', { reason: detail });
        return { available: false, platform, ...keychainHelp(platform), ...(detail ? { detail } : {}) };
      }
    },

    async profiles() {
      try {
        return { profiles: await listAwsProfiles() };
      } catch (err) {
        return { profiles: [], error: appError('ProfileUnusable', `The AWS config or credentials file could not be read (${toAppError(err).code}).`) };
      }
    },

    credentialsRefused(accountId, err) {
      live.get(accountId)?.renewing.rejected(err);
    },

    credentialsFor(id) {
      return async () => (await connectionFor(id)).credentials();
    },

    connectionFor,

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    dispose() {
      for (const id of [...live.keys()]) forgetCredentials(id);
    },
  };
  return service;
}
