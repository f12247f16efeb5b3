import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { toAppError } from '../kvs/errors';
import type { AwsCredentials, CredentialsProvider } from './credentials';

export interface AssumeRoleOptions {
  roleArn: string;
  region: string;
  /** The account's own keys, used only to call STS. */
  base: CredentialsProvider;
  clock: Clock;
  logger: Logger;
  /** Shows up in CloudTrail as who assumed the role. */
  sessionName?: string;
  durationSeconds?: number;
  /** Fetch new credentials this long before the old ones expire, so no call ever goes out with them. */
  refreshBeforeMs?: number;
  /** Sends AssumeRole; replaceable so the caching can be tested without STS. */
  assumeRole?: (input: { roleArn: string; sessionName: string; durationSeconds: number; region: string; base: CredentialsProvider }) => Promise<AwsCredentials>;
}

export const DEFAULT_ROLE_SESSION_SECONDS = 3600;
export const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * Credentials of an assumed role, cached and renewed ahead of expiry. Concurrent callers share one
 * AssumeRole call. If a renewal fails while the old credentials are still valid they keep being used,
 * so a brief STS outage doesn't take the wall down.
 */
export function createAssumeRoleProvider(options: AssumeRoleOptions): CredentialsProvider {
  const duration = options.durationSeconds ?? DEFAULT_ROLE_SESSION_SECONDS;
  const refreshBefore = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  const sessionName = options.sessionName ?? 'kvs-wall';
  const assume = options.assumeRole ?? assumeWithSts;
  let current: AwsCredentials | undefined;
  let inFlight: Promise<AwsCredentials> | undefined;

  const expiresAt = (c: AwsCredentials) => c.expiration?.getTime() ?? Number.POSITIVE_INFINITY;

  function renew(): Promise<AwsCredentials> {
    inFlight ??= assume({ roleArn: options.roleArn, sessionName, durationSeconds: duration, region: options.region, base: options.base })
      .then((fresh) => {
        current = fresh;
        return fresh;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return async () => {
    const now = options.clock.now();
    if (current && expiresAt(current) - now > refreshBefore) return current;
    try {
      return await renew();
    } catch (err) {
      if (current && expiresAt(current) > now) {
        options.logger.warn('role credentials renewal failed; using the current ones until they expire', { roleArn: options.roleArn, code: toAppError(err).code });
        return current;
      }
      const mapped = toAppError(err, { region: options.region });
      const why = mapped.code === 'AccessDenied' || mapped.code === 'AccessDeniedException'
        ? "the account's keys may not call sts:AssumeRole on it, or the role's trust policy does not allow them."
        : mapped.message;
      throw new AppFailure(appError(mapped.code, `KVS Wall could not assume the role ${options.roleArn}: ${why}`, { retryable: mapped.retryable, retryAt: mapped.retryAt }));
    }
  };
}

async function assumeWithSts(input: { roleArn: string; sessionName: string; durationSeconds: number; region: string; base: CredentialsProvider }): Promise<AwsCredentials> {
  const sts = new STSClient({ region: input.region, credentials: input.base, maxAttempts: 3 });
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: input.sessionName, DurationSeconds: input.durationSeconds }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new AppFailure(appError('ServiceUnavailable', 'STS answered AssumeRole without credentials.', { retryable: true }));
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } finally {
    sts.destroy();
  }
}
