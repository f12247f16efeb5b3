import type { AccountSecrets, SecretVault } from '../../main/accounts/keychain';

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
