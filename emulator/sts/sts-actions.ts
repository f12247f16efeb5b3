import { assumedRoleIdentity, parseRoleArn, type CallerIdentity, type CredentialStore } from '../auth/credentials';
import { StsError, validationError } from './sts-errors';
import { isoSeconds } from './sts-xml';

export const STS_API_VERSION = '2011-06-15';

/** AssumeRole's DurationSeconds: 15 minutes to the role's maximum; the emulated roles allow 12 hours. */
export const MIN_ROLE_DURATION_SECONDS = 900;
export const MAX_ROLE_DURATION_SECONDS = 43_200;
export const DEFAULT_ROLE_DURATION_SECONDS = 3600;
/** Credentials of a role assumed with temporary credentials (role chaining) last at most an hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

export interface StsContext {
  readonly now: () => number;
  readonly credentials: CredentialStore;
  /** Whether the emulated account lets callers assume this role. */
  readonly mayAssume: (roleArn: string) => boolean;
  /** The lowest DurationSeconds accepted (900; lower with test controls so tests can watch expiry). */
  readonly minDurationSeconds: number;
}

export type StsResult = { readonly [element: string]: string | { readonly [element: string]: string } };
export type StsAction = (params: URLSearchParams, caller: CallerIdentity, ctx: StsContext) => StsResult;

/** Parameters the emulator understands per action; anything else is refused rather than silently ignored. */
const KNOWN_PARAMETERS: Record<string, ReadonlySet<string>> = {
  GetCallerIdentity: new Set(['Action', 'Version']),
  AssumeRole: new Set(['Action', 'Version', 'RoleArn', 'RoleSessionName', 'DurationSeconds', 'ExternalId']),
};

export function checkParameters(action: string, params: URLSearchParams): void {
  const known = KNOWN_PARAMETERS[action] ?? new Set<string>();
  for (const name of params.keys()) {
    if (!known.has(name)) throw validationError(`The emulator does not support the ${action} parameter '${name}'.`);
  }
}

/** "Value 'x' at 'field' failed to satisfy constraint: …", STS's validation wording (camelCase field names). */
function problem(value: string | undefined, field: string, constraint: string): string {
  return `Value ${value === undefined ? 'null' : `'${value}'`} at '${field}' failed to satisfy constraint: ${constraint}`;
}

function lengthProblems(value: string | undefined, field: string, min: number, max: number, pattern?: RegExp, patternText?: string): string[] {
  if (value === undefined) return [problem(value, field, 'Member must not be null')];
  if (value.length < min) return [problem(value, field, `Member must have length greater than or equal to ${min}`)];
  if (value.length > max) return [problem(value, field, `Member must have length less than or equal to ${max}`)];
  if (pattern && !pattern.test(value)) return [problem(value, field, `Member must satisfy regular expression pattern: ${patternText ?? pattern.source}`)];
  return [];
}

export const getCallerIdentity: StsAction = (_params, caller) => ({ UserId: caller.userId, Account: caller.account, Arn: caller.arn });

export const assumeRole: StsAction = (params, caller, ctx) => {
  const roleArn = params.get('RoleArn') ?? undefined;
  const sessionName = params.get('RoleSessionName') ?? undefined;
  const durationText = params.get('DurationSeconds') ?? undefined;
  const externalId = params.get('ExternalId') ?? undefined;

  const problems = [
    ...lengthProblems(roleArn, 'roleArn', 20, 2048),
    ...lengthProblems(sessionName, 'roleSessionName', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*'),
    ...(externalId === undefined ? [] : lengthProblems(externalId, 'externalId', 2, 1224, /^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*')),
  ];
  let duration = DEFAULT_ROLE_DURATION_SECONDS;
  if (durationText !== undefined) {
    duration = /^\d{1,9}$/.test(durationText) ? Number(durationText) : Number.NaN;
    if (Number.isNaN(duration)) problems.push(problem(durationText, 'durationSeconds', 'Member must be an integer'));
    else if (duration < ctx.minDurationSeconds) problems.push(problem(durationText, 'durationSeconds', `Member must have value greater than or equal to ${ctx.minDurationSeconds}`));
    else if (duration > MAX_ROLE_DURATION_SECONDS) problems.push(problem(durationText, 'durationSeconds', `Member must have value less than or equal to ${MAX_ROLE_DURATION_SECONDS}`));
  }
  if (problems.length > 0) throw validationError(`${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
  if (roleArn === undefined || sessionName === undefined) throw new Error('unreachable: validated above');

  // AWS's wording for an ARN that is not a role's is not documented; the shape check is the emulator's own.
  if (!parseRoleArn(roleArn)) throw validationError(`RoleArn '${roleArn}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
  if (!ctx.mayAssume(roleArn)) {
    throw new StsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  }
  if (caller.temporary && duration > ROLE_CHAINING_MAX_SECONDS) {
    throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }

  const expiresMs = Math.floor((ctx.now() + duration * 1000) / 1000) * 1000;
  const issued = ctx.credentials.issue(roleArn, sessionName, expiresMs);
  const identity = assumedRoleIdentity(roleArn, sessionName);
  return {
    AssumedRoleUser: { AssumedRoleId: identity.userId, Arn: identity.arn },
    Credentials: { AccessKeyId: issued.accessKeyId, SecretAccessKey: issued.secretAccessKey, SessionToken: issued.sessionToken, Expiration: isoSeconds(issued.expiresMs) },
  };
};
