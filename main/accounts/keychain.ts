import { z } from 'zod';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';

/** The secret half of an AWS account. Lives only in the OS keychain, never on disk or in logs. */
export interface AccountSecrets {
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SecretVault {
  get(accountId: string): Promise<AccountSecrets | undefined>;
  set(accountId: string, secrets: AccountSecrets): Promise<void>;
  /** True when an entry existed and was deleted. */
  delete(accountId: string): Promise<boolean>;
  /** Throws KeychainUnavailable when the keychain cannot be reached. */
  probe(): Promise<void>;
}

/** The keytar API, as `@napi-rs/keyring/keytar` provides it. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null | undefined>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export const KEYCHAIN_SERVICE = 'kvs-wall';
/**
 * A service name nothing is stored under: searching it shows whether the keychain answers without
 * reading any real secret into memory.
 */
const probeService = (service: string) => `${service}:probe`;

const StoredSecretsSchema = z
  .object({ secretAccessKey: z.string().min(1).max(256), sessionToken: z.string().min(1).max(4096).optional() })
  .strict();

export interface KeychainVaultOptions {
  service?: string;
  /** Loads the keytar module; a load failure (no native binary) is reported as an unavailable keychain. */
  loadKeytar?: () => Promise<KeytarApi>;
}

/**
 * Raw entries of the app's keychain service: the one way KVS Wall reaches the OS keychain (account
 * secrets, the session pool's key). Any failure to reach it is KeychainUnavailable, with the values
 * in play scrubbed from the reason.
 */
export interface KeychainEntries {
  /** The stored text, or undefined when there is no entry. */
  get(account: string): Promise<string | undefined>;
  set(account: string, value: string): Promise<void>;
  /** True when an entry existed and was deleted. */
  delete(account: string): Promise<boolean>;
  /** Throws KeychainUnavailable when the keychain cannot be reached. */
  probe(): Promise<void>;
}

export function createKeychainEntries(options: KeychainVaultOptions = {}): KeychainEntries {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const load = options.loadKeytar ?? loadNapiKeytar;
  let keytar: Promise<KeytarApi> | undefined;
  let reachable = false;

  /** Runs one keychain call; any failure becomes KeychainUnavailable with the secret scrubbed from the reason. */
  async function call<T>(action: (api: KeytarApi) => Promise<T>, secretsInPlay: string[] = []): Promise<T> {
    try {
      keytar ??= load();
      return await action(await keytar);
    } catch (err) {
      keytar = undefined;
      reachable = false;
      throw keychainUnavailable(err, secretsInPlay);
    }
  }

  /**
   * getPassword can report "no entry" when the Secret Service is not reachable at all (seen with
   * @napi-rs/keyring 2.1 on the first call of a process), so "missing" is only believed once a
   * search, which does fail loudly, has succeeded.
   */
  async function probe(): Promise<void> {
    await call((api) => api.findCredentials(probeService(service)));
    reachable = true;
  }

  async function ensureReachable(): Promise<void> {
    if (!reachable) await probe();
  }

  return {
    async get(account) {
      await ensureReachable();
      const stored = await call((api) => api.getPassword(service, account));
      if (stored === null || stored === undefined) {
        await probe();
        return undefined;
      }
      return stored;
    },
    async set(account, value) {
      await ensureReachable();
      await call((api) => api.setPassword(service, account, value), [value]);
    },
    async delete(account) {
      await ensureReachable();
      return call((api) => api.deletePassword(service, account));
    },
    probe,
  };
}

export function createKeychainVault(options: KeychainVaultOptions = {}): SecretVault {
  const entries = createKeychainEntries(options);
  return {
    async get(accountId) {
      const stored = await entries.get(accountId);
      if (stored === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(stored);
      } catch {
        parsed = undefined;
      }
      const checked = StoredSecretsSchema.safeParse(parsed);
      if (!checked.success) {
        throw new AppFailure(
          appError('StoreCorrupt', 'The keychain entry for this account is not one KVS Wall can read. Edit the account and enter its secret access key again.', { field: 'secretAccessKey' }),
        );
      }
      return checked.data;
    },
    async set(accountId, secrets) {
      const parsed = StoredSecretsSchema.safeParse(secrets);
      if (!parsed.success) {
        throw new AppFailure(appError('InvalidRequest', 'The secret access key or session token has an unexpected length.', { field: parsed.error.issues[0]?.path.join('.') ?? 'secretAccessKey' }));
      }
      const text = JSON.stringify(parsed.data);
      try {
        await entries.set(accountId, text);
      } catch (err) {
        // The entry's JSON was scrubbed from the reason; the bare values may appear in it too.
        throw scrubbed(err, [parsed.data.secretAccessKey, parsed.data.sessionToken].filter((v): v is string => Boolean(v)));
      }
    },
    delete: (accountId) => entries.delete(accountId),
    probe: () => entries.probe(),
  };
}

/** With the extension: the package has no `exports` map, and Node's ESM resolver needs the file name. */
async function loadNapiKeytar(): Promise<KeytarApi> {
  const mod = (await import('@napi-rs/keyring/keytar.js')) as KeytarApi & { default?: KeytarApi };
  return typeof mod.getPassword === 'function' ? mod : (mod.default as KeytarApi);
}

function scrubbed(err: unknown, secrets: string[]): unknown {
  if (!(err instanceof AppFailure)) return err;
  let message = err.appError.message;
  for (const secret of secrets) message = message.split(secret).join('[redacted]');
  return message === err.appError.message ? err : new AppFailure({ ...err.appError, message });
}

function keychainUnavailable(err: unknown, secretsInPlay: string[]): AppFailure {
  if (err instanceof AppFailure) return err;
  let reason = err instanceof Error ? err.message : String(err);
  for (const secret of secretsInPlay) reason = reason.split(secret).join('[redacted]');
  reason = reason.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no reason given';
  // The library's words (a D-Bus address, "zbus error") mean nothing to most people: they travel as the
  // cause, for the log and the "technical detail" line, and the message says what it means.
  return new AppFailure(
    appError('KeychainUnavailable', 'The system keychain is not available, so KVS Wall cannot store or read access keys (and will not keep them anywhere else).'),
    { cause: new Error(reason) },
  );
}

/** The keychain library's own reason for a KeychainUnavailable failure, already scrubbed of secrets. */
export function keychainFailureDetail(err: unknown): string | undefined {
  const cause = err instanceof AppFailure ? err.cause : undefined;
  return cause instanceof Error ? cause.message : undefined;
}
