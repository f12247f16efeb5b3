import { AccountInputSchema, type AccountInput } from '../../../shared/model';

/** The form's fields as typed; empty optional fields are left out of the request. */
export interface AccountDraft {
  name: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  endpoint: string;
}

export type FieldErrors = Partial<Record<keyof AccountDraft, string>>;

export function emptyDraft(): AccountDraft {
  return { name: '', region: 'us-east-1', accessKeyId: '', secretAccessKey: '', sessionToken: '', roleArn: '', endpoint: '' };
}

/** Validates with the contract's own schema, so the form and main agree on every rule. */
export function validateDraft(draft: AccountDraft): { input: AccountInput; errors?: undefined } | { input?: undefined; errors: FieldErrors } {
  const candidate: Record<string, string> = {
    name: draft.name,
    region: draft.region.trim(),
    accessKeyId: draft.accessKeyId.trim(),
    secretAccessKey: draft.secretAccessKey,
  };
  for (const key of ['sessionToken', 'roleArn', 'endpoint'] as const) {
    const value = draft[key].trim();
    if (value) candidate[key] = value;
  }
  const parsed = AccountInputSchema.safeParse(candidate);
  if (parsed.success) return { input: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && field in draft && !errors[field as keyof AccountDraft]) {
      errors[field as keyof AccountDraft] = `Expected ${issue.message}`;
    }
  }
  return { errors };
}
