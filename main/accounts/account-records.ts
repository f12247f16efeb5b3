import type { AccountInput, AccountSummary, AccountUpdate } from '../../shared/model';
import type { AccountRecord } from '../store/accounts-store';
import { checkAccountShape, invalid } from './validation';

/** What happens to the keychain entry when an account is saved. */
export type SecretsChange =
  | { action: 'keep' }
  /** Write the entry; an absent secret means "the one stored now" (only the session token changes). */
  | { action: 'set'; secretAccessKey?: string; sessionToken?: string }
  | { action: 'delete' };

export interface AppliedUpdate {
  after: AccountRecord;
  secrets: SecretsChange;
  /** The account now reaches AWS as someone else or somewhere else; false for a rename. */
  identityChanged: boolean;
}

const KEYS_ONLY = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'roleArn'] as const;
const KIND_WORDS = { keys: 'an access-keys account', profile: 'an AWS profile account', chain: 'a default-chain account' } as const;

export function recordFromInput(id: string, input: AccountInput, now: number): AccountRecord {
  const base = { id, name: input.name, region: input.region, ...(input.endpoint ? { endpoint: input.endpoint } : {}), createdAt: now, revision: 0, identity: 0 };
  switch (input.kind) {
    case 'keys':
      return {
        ...base,
        kind: 'keys',
        accessKeyId: input.accessKeyId,
        hasSessionToken: input.sessionToken !== undefined,
        ...(input.roleArn ? { roleArn: input.roleArn } : {}),
      };
    case 'profile':
      return { ...base, kind: 'profile', profile: input.profile };
    case 'chain':
      return { ...base, kind: 'chain' };
  }
}

/** The fields that decide who an account is to AWS and where its calls go. */
export function identityKey(record: AccountRecord): string {
  return JSON.stringify([
    record.kind,
    record.region,
    record.endpoint ?? '',
    record.kind === 'keys' ? record.accessKeyId : '',
    record.kind === 'keys' ? (record.roleArn ?? '') : '',
    record.kind === 'profile' ? record.profile : '',
  ]);
}

/**
 * Applies a change to a stored account. Fields left out keep their value; `null` removes an optional
 * one. Switching kind needs the new kind's fields, and fields of another kind are refused rather than
 * silently dropped. `revision` and `identity` are bumped as the change warrants.
 */
export function applyUpdate(before: AccountRecord, change: AccountUpdate): AppliedUpdate {
  const kind = change.kind ?? before.kind;
  if (kind !== 'keys') {
    for (const field of KEYS_ONLY) {
      if (change[field] !== undefined && change[field] !== null) throw invalid(field, `${field} does not apply to ${KIND_WORDS[kind]}.`);
    }
  }
  if (kind !== 'profile' && change.profile !== undefined) throw invalid('profile', `profile does not apply to ${KIND_WORDS[kind]}.`);

  const endpoint = change.endpoint === undefined ? before.endpoint : (change.endpoint ?? undefined);
  const common = {
    id: before.id,
    name: change.name ?? before.name,
    region: change.region ?? before.region,
    ...(endpoint ? { endpoint } : {}),
    createdAt: before.createdAt,
    revision: before.revision + 1,
    identity: before.identity,
  };

  let after: AccountRecord;
  let secrets: SecretsChange = before.kind === 'keys' && kind !== 'keys' ? { action: 'delete' } : { action: 'keep' };
  switch (kind) {
    case 'keys': {
      const wasKeys = before.kind === 'keys';
      const accessKeyId = change.accessKeyId ?? (wasKeys ? before.accessKeyId : undefined);
      if (!accessKeyId) throw invalid('accessKeyId', 'Enter the access key id.');
      const keyChanged = !wasKeys || accessKeyId !== before.accessKeyId;
      // A stored secret belongs to its access key id: a new key id needs its own secret.
      if (keyChanged && change.secretAccessKey === undefined) throw invalid('secretAccessKey', 'Enter the secret access key that goes with this access key id.');
      const newSecret = change.secretAccessKey !== undefined;
      const newToken = change.sessionToken !== undefined;
      const roleArn = change.roleArn === undefined ? (wasKeys ? before.roleArn : undefined) : (change.roleArn ?? undefined);
      // A new secret without a token means the new keys are long-term ones.
      const hasSessionToken = typeof change.sessionToken === 'string' || (wasKeys && !newSecret && change.sessionToken !== null && before.hasSessionToken);
      after = { ...common, kind: 'keys', accessKeyId, hasSessionToken, ...(roleArn ? { roleArn } : {}) };
      checkAccountShape({ region: after.region, accessKeyId, roleArn, hasSessionToken });
      if (newSecret || newToken) {
        secrets = {
          action: 'set',
          ...(change.secretAccessKey !== undefined ? { secretAccessKey: change.secretAccessKey } : {}),
          ...(typeof change.sessionToken === 'string' ? { sessionToken: change.sessionToken } : {}),
        };
      }
      break;
    }
    case 'profile': {
      const profile = change.profile ?? (before.kind === 'profile' ? before.profile : undefined);
      if (!profile) throw invalid('profile', 'Enter the name of a profile from your AWS config.');
      after = { ...common, kind: 'profile', profile };
      break;
    }
    case 'chain':
      after = { ...common, kind: 'chain' };
      break;
  }
  const identityChanged = identityKey(after) !== identityKey(before) || secrets.action !== 'keep';
  if (identityChanged) after = { ...after, identity: before.identity + 1 };
  return { after, secrets, identityChanged };
}

export function summaryOf(record: AccountRecord): AccountSummary {
  const base = { id: record.id, name: record.name, region: record.region, ...(record.endpoint ? { endpoint: record.endpoint } : {}) };
  switch (record.kind) {
    case 'keys':
      return { ...base, kind: 'keys', accessKeyId: record.accessKeyId, hasSessionToken: record.hasSessionToken, ...(record.roleArn ? { roleArn: record.roleArn } : {}) };
    case 'profile':
      return { ...base, kind: 'profile', profile: record.profile };
    case 'chain':
      return { ...base, kind: 'chain' };
  }
}
