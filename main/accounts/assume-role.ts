import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import { toAppError } from '../kvs/errors';
import type { AwsCredentials, CredentialsProvider } from './credentials';

export interface AssumeRoleInput {
  roleArn: string;
  region: string;
  /** The account's custom endpoint: STS is asked there too (emulators answer STS on the same origin). */
  endpoint?: string;
  /** The account's own keys, used only to call STS. */
  base: CredentialsProvider;
  /** Shows up in CloudTrail as who assumed the role. */
  sessionName?: string;
  durationSeconds?: number;
  now?: () => number;
}

export const DEFAULT_ROLE_SESSION_SECONDS = 3600;

/**
 * One AssumeRole call with the account's keys, on STS in the account's region (or its custom
 * endpoint). Caching and renewal ahead of expiry are the caller's (see renewing-credentials.ts).
 * Failures are named as STS failures, never as Kinesis Video Streams ones.
 */
export async function assumeRoleWithSts(input: AssumeRoleInput): Promise<AwsCredentials> {
  const sts = new STSClient({
    region: input.region,
    credentials: input.base,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
    ...(input.endpoint ? { endpoint: input.endpoint } : {}),
  });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.sessionName ?? 'kvs-wall',
        DurationSeconds: input.durationSeconds ?? DEFAULT_ROLE_SESSION_SECONDS,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new AppFailure(appError('ServiceUnavailable', 'AWS STS answered AssumeRole without credentials.', { retryable: true }));
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration ? { expiration: c.Expiration } : {}) };
  } catch (err) {
    // The keys' own failure (keychain) passes through; an STS answer is named as one.
    if (err instanceof AppFailure) throw err;
    throw new AppFailure(toAppError(err, { operation: 'AssumeRole', region: input.region, endpoint: input.endpoint, now: input.now?.() }), { cause: err });
  } finally {
    sts.destroy();
  }
}
