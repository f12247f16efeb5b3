import type { AccountSecrets, SecretVault } from '../../main/accounts/keychain';
import type { SealingKeySource } from '../../main/store/sealed-file';

/**
 * A secret vault in memory, for suites that exercise sessions and walls rather than the keychain
 * (the real keychain has its own integration tests). Never used by the app.
 */
export function memoryVault(): SecretVault {
  const entries = new Map<string, AccountSecrets>();
  return {
    get: async (id) => entries.get(id),
    set: async (id, secrets) => void entries.set(id, secrets),
    delete: async (id) => entries.delete(id),
    probe: async () => undefined,
  };
}

/**
 * A keychain entry in memory for the session pool's key, kept across app restarts within one process:
 * for benches, which run without a keyring. Never used by the app.
 */
export function memorySealingKey(): SealingKeySource {
  let value: string | undefined;
  return {
    read: async () => value,
    write: async (next) => void (value = next),
  };
}
