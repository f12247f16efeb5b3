import type { z } from 'zod';
import {
  AccountUpdateSchema,
  ChainAccountInputSchema,
  KeysAccountInputSchema,
  ProfileAccountInputSchema,
  type AccountInput,
  type AccountUpdate,
} from '../../shared/model';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import { isKnownRegion, similarRegions } from './regions';

/** Pasted keys often carry a trailing newline or space; those are trimmed, inner whitespace is an error. */
const TRIMMED_FIELDS = ['name', 'region', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'roleArn', 'endpoint', 'profile'] as const;

const INPUT_SCHEMAS = { keys: KeysAccountInputSchema, profile: ProfileAccountInputSchema, chain: ChainAccountInputSchema } as const;

/** Validates a new account from the renderer (untrusted) and returns it normalised. */
export function validateAccountInput(input: unknown): AccountInput {
  const trimmed = trimStrings(input);
  checkRegionField(trimmed);
  const kind = kindOf(trimmed);
  const parsed: AccountInput = parseOrFail(INPUT_SCHEMAS[kind] as z.ZodType<AccountInput>, trimmed);
  const normalised = normaliseEndpoint(parsed);
  if (normalised.kind === 'keys') {
    checkAccountShape({ region: normalised.region, accessKeyId: normalised.accessKeyId, roleArn: normalised.roleArn, hasSessionToken: normalised.sessionToken !== undefined });
  }
  return normalised;
}

/** Validates a change to a stored account; the stored account with the change applied is checked as a whole later. */
export function validateAccountUpdate(input: unknown): AccountUpdate {
  const trimmed = trimStrings(input);
  checkRegionField(trimmed);
  return normaliseEndpoint(parseOrFail(AccountUpdateSchema, trimmed));
}

export interface AccountShape {
  region: string;
  accessKeyId: string;
  roleArn?: string;
  hasSessionToken: boolean;
}

/** Rules across the fields of an access-keys account (new, or stored + update). */
export function checkAccountShape(account: AccountShape): void {
  checkRegion(account.region);
  if (account.accessKeyId.startsWith('ASIA') && !account.hasSessionToken) {
    throw invalid('sessionToken', 'Access key ids starting with ASIA are temporary credentials and need their session token.');
  }
  if (account.roleArn) {
    const partition = /^arn:(aws[a-z-]*):/.exec(account.roleArn)?.[1];
    const expected = partitionOf(account.region);
    if (partition !== expected) {
      throw invalid('roleArn', `The role is in the ${partition} partition but region ${account.region} is in ${expected}; use a role ARN starting with arn:${expected}:.`);
    }
  }
}

export function checkRegion(region: string): void {
  if (isKnownRegion(region)) return;
  const hints = similarRegions(region);
  // Echo only region-like text: a secret pasted into the wrong field must not come back in a message.
  const shown = /^[a-z0-9-]{1,30}$/i.test(region) ? region : 'That';
  throw new AppFailure(
    appError('UnknownRegion', `${shown} is not an AWS region${hints.length ? `; did you mean ${hints.join(' or ')}?` : '.'}`, { field: 'region' }),
  );
}

export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function invalid(field: string | undefined, message: string): AppFailure {
  return new AppFailure(appError('InvalidRequest', message, field ? { field } : {}));
}

/** No kind means access keys, the kind every account had before profiles and the default chain. */
function kindOf(input: unknown): keyof typeof INPUT_SCHEMAS {
  const kind = typeof input === 'object' && input !== null ? (input as { kind?: unknown }).kind : undefined;
  if (kind === undefined || kind === 'keys') return 'keys';
  if (kind === 'profile' || kind === 'chain') return kind;
  throw invalid('kind', 'Choose where the credentials come from: access keys, an AWS profile or the default credential chain.');
}

/** Any region string that is not a known region, malformed or not, is reported as UnknownRegion. */
function checkRegionField(input: unknown): void {
  const region = typeof input === 'object' && input !== null ? (input as { region?: unknown }).region : undefined;
  if (typeof region === 'string') checkRegion(region);
}

function parseOrFail<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  if (issue?.code === 'unrecognized_keys') {
    throw invalid(issue.keys[0], `${issue.keys.slice(0, 5).join(', ')} does not belong to this kind of account.`);
  }
  if (issue?.code === 'invalid_type') throw invalid(field, `${field ?? 'The account'} is missing or is not text.`);
  // The schema messages describe the expected value ("an access key id such as AKIA…") and never echo the input.
  throw invalid(field, `Please enter ${issue?.message ?? 'valid account details'}${field ? ` (${field})` : ''}.`);
}

function trimStrings(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const key of TRIMMED_FIELDS) {
    const value = out[key];
    if (typeof value === 'string') out[key] = value.trim();
  }
  return out;
}

function normaliseEndpoint<T extends { endpoint?: string | null }>(value: T): T {
  return value.endpoint ? { ...value, endpoint: value.endpoint.replace(/\/+$/, '') } : value;
}
