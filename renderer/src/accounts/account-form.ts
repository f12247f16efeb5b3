import {
  AccountUpdateSchema,
  ChainAccountInputSchema,
  KeysAccountInputSchema,
  ProfileAccountInputSchema,
  type AccountInput,
  type AccountSummary,
  type AccountUpdate,
} from '../../../shared/model';

export type StoredKind = 'keys' | 'profile' | 'chain';

/** The form's fields as typed; fields of other kinds and empty optional fields are left out of requests. */
export interface AccountDraft {
  kind: StoredKind;
  name: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  endpoint: string;
  profile: string;
}

export type DraftField = Exclude<keyof AccountDraft, 'kind'> | 'kind';
export type FieldErrors = Partial<Record<DraftField, string>>;

/** Which fields each kind shows, in order. */
export const KIND_FIELDS: Record<StoredKind, ReadonlyArray<Exclude<DraftField, 'kind'>>> = {
  keys: ['name', 'region', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'roleArn', 'endpoint'],
  profile: ['name', 'region', 'profile', 'endpoint'],
  chain: ['name', 'region', 'endpoint'],
};

export const KIND_LABELS: Record<StoredKind, string> = {
  keys: 'Access keys',
  profile: 'AWS profile',
  chain: 'Default chain',
};

export function emptyDraft(kind: StoredKind = 'keys'): AccountDraft {
  return { kind, name: '', region: 'us-east-1', accessKeyId: '', secretAccessKey: '', sessionToken: '', roleArn: '', endpoint: '', profile: '' };
}

/** The form filled from a stored account; secrets are never known to the renderer, so they stay empty. */
export function draftOf(account: AccountSummary): AccountDraft {
  const base = { ...emptyDraft(), name: account.name, region: account.region, endpoint: account.endpoint ?? '' };
  switch (account.kind) {
    case 'keys':
      return { ...base, kind: 'keys', accessKeyId: account.accessKeyId, roleArn: account.roleArn ?? '' };
    case 'profile':
      return { ...base, kind: 'profile', profile: account.profile };
    case 'chain':
    case 'demo':
      return { ...base, kind: 'chain' };
  }
}

const SCHEMAS = { keys: KeysAccountInputSchema, profile: ProfileAccountInputSchema, chain: ChainAccountInputSchema } as const;

function errorsOf(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && !errors[field as DraftField]) errors[field as DraftField] = `Expected ${issue.message}`;
  }
  return errors;
}

/** Validates a new account with the contract's own schema for its kind, so the form and main agree on every rule. */
export function validateDraft(draft: AccountDraft): { input: AccountInput; errors?: undefined } | { input?: undefined; errors: FieldErrors } {
  const candidate: Record<string, string> = { kind: draft.kind };
  for (const field of KIND_FIELDS[draft.kind]) {
    const value = field === 'name' || field === 'secretAccessKey' ? draft[field] : draft[field].trim();
    const optional = field === 'sessionToken' || field === 'roleArn' || field === 'endpoint';
    if (value || !optional) candidate[field] = value;
  }
  const parsed = SCHEMAS[draft.kind].safeParse(candidate);
  if (parsed.success) return { input: parsed.data };
  return { errors: errorsOf(parsed.error.issues) };
}

/**
 * The change an edit makes to a stored account: only what differs. An empty secret keeps the stored
 * one (unless the access key id changed, which main then refuses with a message); an emptied optional
 * field removes it.
 */
export function validateEdit(original: AccountSummary, draft: AccountDraft): { update: AccountUpdate; errors?: undefined } | { update?: undefined; errors: FieldErrors } {
  const before = draftOf(original);
  const change: Record<string, unknown> = { id: original.id };
  const kindChanged = original.kind !== draft.kind;
  if (kindChanged) change['kind'] = draft.kind;
  const differs = (field: Exclude<DraftField, 'kind'>) => kindChanged || draft[field].trim() !== before[field].trim();
  for (const field of KIND_FIELDS[draft.kind]) {
    const value = field === 'name' || field === 'secretAccessKey' ? draft[field] : draft[field].trim();
    if (field === 'secretAccessKey' || field === 'sessionToken') {
      if (value) change[field] = value;
      continue;
    }
    if (!differs(field)) continue;
    const optional = field === 'roleArn' || field === 'endpoint';
    if (value) change[field] = value;
    else if (optional && before[field].trim()) change[field] = null;
    else if (!optional) change[field] = value;
  }
  const parsed = AccountUpdateSchema.safeParse(change);
  if (parsed.success) return { update: parsed.data };
  return { errors: errorsOf(parsed.error.issues) };
}
