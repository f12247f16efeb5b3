import { appError, type AppError } from '../../shared/errors';
import type { AccountKind } from '../../shared/model';
import { isAppFailure } from '../core/app-failure';
import { cleanAwsMessage, toAppError } from '../kvs/errors';

/** Why an account's credentials can't be had right now, and what a person should do about it. */
export interface CredentialProblem {
  error: AppError;
  /** `retrying`: it may pass on its own (network, throttling); `action`: a person must act, then press Retry. */
  state: 'retrying' | 'action';
  /** One sentence saying what to do. */
  action?: string;
  /** A command to run in a terminal. */
  command?: string;
}

export interface ProblemContext {
  kind: Exclude<AccountKind, 'demo'>;
  region: string;
  endpoint?: string;
  /** The account's profile (profile accounts). */
  profile?: string;
  /** The profile whose IAM Identity Center sign-in the chain depends on, when known. */
  ssoProfile?: string;
  roleArn?: string;
}

const RETRY = 'then press Retry';
/** Network-level failures the SDK providers report only in words (they drop the error code). */
const NETWORK_WORDS = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|TimeoutError|timed out)\b/i;
const SSO_WORDS = /SSO session .*(?:expired|invalid)|SSO session token .*not found or is invalid|Token is expired|UnauthorizedException|Session token not found or invalid|sso.*(?:refresh|login)/i;
const MFA_WORDS = /multi-factor authentication|mfa code/i;
const PROCESS_WORDS = /credential_process|Command failed/i;
const PROFILE_MISSING_WORDS = /could not be found in shared credentials file|Could not resolve credentials using profile|Profile \S+ was not found/i;
const PROFILE_BROKEN_WORDS = /invalid SSO credentials|Conflicting SSO|is missing required property|Unsupported credential source|Detected a cycle|is not configured with SSO credentials/i;
const CHAIN_EMPTY_WORDS = /Could not load credentials from any providers/i;

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : '';
}

/** AWS's or the SDK's words, first line only, without anything that could be a key or a path under home. */
function quoted(err: unknown): string {
  const first = messageOf(err).split('\n')[0] ?? '';
  return cleanAwsMessage(first).replace(/(?:\/home|\/Users|[A-Z]:\\Users)[^\s'"]*/g, '[path]').slice(0, 200);
}

/**
 * Names the real reason credentials could not be obtained. Inputs are the AWS SDK's credential
 * providers' errors (they carry no codes, only sentences), STS errors, our own AppFailures (keychain),
 * and network errors. Every resulting error is retryable: KVS Wall retries on its own, and a person
 * can press Retry after doing what `action` says.
 */
export function describeCredentialFailure(err: unknown, ctx: ProblemContext): CredentialProblem {
  const profileName = ctx.profile ?? 'default';
  const ssoProfile = ctx.ssoProfile ?? ctx.profile;

  if (isAppFailure(err) && err.appError.code === 'KeychainUnavailable') {
    return action(err.appError, `Unlock the system keychain (or enter the secret again by editing the account), ${RETRY}.`);
  }

  const text = messageOf(err);
  const mapped = isAppFailure(err) ? err.appError : toAppError(err, { operation: ctx.roleArn || ctx.kind === 'profile' ? 'AssumeRole' : 'GetCallerIdentity', region: ctx.region, endpoint: ctx.endpoint });

  if (SSO_WORDS.test(text)) {
    const command = `aws sso login --profile ${ssoProfile ?? profileName}`;
    return {
      state: 'action',
      error: appError('SsoLoginRequired', `The IAM Identity Center (SSO) sign-in${ssoProfile ? ` of profile ${ssoProfile}` : ''} has expired or is missing, so KVS Wall can't get new credentials for it.`, { retryable: true }),
      action: `Run ${command}, ${RETRY}.`,
      command,
    };
  }
  if (MFA_WORDS.test(text)) {
    return action(
      appError('MfaRequired', `Profile ${profileName} assumes its role with an MFA code (mfa_serial), which an unattended wall can't type.`, { retryable: true }),
      `Use a profile without mfa_serial (for example one that signs in with IAM Identity Center), ${RETRY}.`,
    );
  }
  if (ctx.kind === 'profile' && PROCESS_WORDS.test(text)) {
    return action(
      appError('CredentialProcessFailed', `The credential_process of profile ${profileName} failed: ${quoted(err)}`, { retryable: true }),
      `Run that command in a terminal to see why, fix it, ${RETRY}.`,
    );
  }
  if (ctx.kind === 'profile' && ((isAppFailure(err) && err.appError.code === 'ProfileNotFound') || PROFILE_MISSING_WORDS.test(text))) {
    return action(
      appError('ProfileNotFound', `No usable profile ${profileName} was found in the AWS config or credentials file.`, { retryable: true }),
      `Add it (aws configure --profile ${profileName}, or aws configure sso), or edit the account to use another profile, ${RETRY}.`,
    );
  }
  if (ctx.kind === 'profile' && PROFILE_BROKEN_WORDS.test(text)) {
    return action(
      appError('ProfileUnusable', `Profile ${profileName} can't give credentials: ${quoted(err)}`, { retryable: true }),
      `Fix the profile in the AWS config file, ${RETRY}.`,
    );
  }
  if (ctx.kind === 'chain' && CHAIN_EMPTY_WORDS.test(text)) {
    return action(
      appError('NoCredentials', 'The default credential chain found no credentials: no AWS_ACCESS_KEY_ID in the environment, no default profile, no container or instance role.', { retryable: true }),
      `Give this machine a role (instance profile, ECS task role) or set the environment before starting KVS Wall, ${RETRY}.`,
    );
  }
  if (mapped.code === 'AccessDenied' || mapped.code === 'AccessDeniedException') {
    const role = ctx.roleArn ? `the role ${ctx.roleArn}` : `the role of profile ${profileName}`;
    return action(
      appError('RoleDenied', `AWS STS refused to let these credentials assume ${role}.`, { retryable: true }),
      `Allow sts:AssumeRole on it for the source credentials, and trust them in the role's trust policy, ${RETRY}.`,
    );
  }
  if (mapped.code === 'ExpiredToken' || mapped.code === 'ExpiredTokenException') {
    const what =
      ctx.kind === 'keys'
        ? 'Edit the account and enter fresh temporary keys, or use an AWS profile (SSO, a role, credential_process) so they renew on their own'
        : `Refresh the temporary keys of profile ${profileName} in the credentials file`;
    return action({ ...mapped, retryable: true, message: 'The temporary credentials have expired and cannot renew on their own.' }, `${what}, ${RETRY}.`);
  }
  if (mapped.field === 'accessKeyId' || mapped.field === 'secretAccessKey') {
    const what = ctx.kind === 'keys' ? 'Edit the account and check its access key' : `Check the keys behind profile ${profileName}`;
    return action({ ...mapped, retryable: true }, `${what}, ${RETRY}.`);
  }
  if (mapped.field === 'region') return action({ ...mapped, retryable: true }, `Edit the account's region, ${RETRY}.`);
  if (mapped.retryable || NETWORK_WORDS.test(text)) {
    const error = mapped.retryable ? mapped : appError('NetworkError', `The credentials could not be fetched: ${quoted(err)}. Check the network connection.`, { retryable: true });
    return { state: 'retrying', error };
  }
  // Anything else: say what the SDK said, and that the account needs a look.
  const fallback = ctx.kind === 'chain' ? 'NoCredentials' : ctx.kind === 'profile' ? 'ProfileUnusable' : mapped.code;
  return action(appError(fallback, `The account's credentials could not be obtained: ${mapped.code === 'Internal' ? quoted(err) : mapped.message}`, { retryable: true }), `Check the account's settings, ${RETRY}.`);
}

function action(error: AppError, what: string): CredentialProblem {
  return { state: 'action', error: { ...error, retryable: true }, action: capitalise(what) };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
