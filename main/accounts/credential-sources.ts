import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import { assumeRoleWithSts } from './assume-role';
import { profileFacts } from './aws-profiles';
import type { ProblemContext } from './credential-problems';
import type { AwsCredentials } from './credentials';

/** Everything about an account that decides who it is to AWS and where its calls go. */
export type CredentialSpec =
  | {
      kind: 'keys';
      region: string;
      endpoint?: string;
      accessKeyId: string;
      roleArn?: string;
      /** Reads the secret half from the keychain (or a draft's form). */
      secrets: () => Promise<{ secretAccessKey: string; sessionToken?: string }>;
    }
  | { kind: 'profile'; region: string; endpoint?: string; profile: string }
  | { kind: 'chain'; region: string; endpoint?: string };

export interface CredentialSourceOptions {
  clock: Clock;
  /** How long an assumed role's credentials last (STS default 1 h); tests use seconds with the emulator. */
  roleSessionSeconds?: number;
}

export interface CredentialSource {
  /** Obtains fresh credentials once. */
  resolve(): Promise<AwsCredentials>;
  /** What failures are about, for `describeCredentialFailure`; filled in as resolving learns more. */
  readonly context: ProblemContext;
}

/**
 * Where each kind of account gets its credentials. Profiles and the default chain go through the AWS
 * SDK's own providers (`fromIni`, `fromNodeProviderChain`), which read the shared files, run
 * `credential_process`, use the cached `aws sso login` token and chain roles exactly as the AWS CLI
 * does. Their inner STS and SSO clients are pointed at the account's custom endpoint when it has one,
 * so an emulator answers them too. Nothing here caches: see renewing-credentials.ts.
 */
export function credentialSource(spec: CredentialSpec, options: CredentialSourceOptions): CredentialSource {
  const context: ProblemContext = {
    kind: spec.kind,
    region: spec.region,
    ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
    ...(spec.kind === 'profile' ? { profile: spec.profile } : {}),
    ...(spec.kind === 'keys' && spec.roleArn ? { roleArn: spec.roleArn } : {}),
  };
  // The SDK's inner STS/SSO clients: the custom endpoint when there is one, few retries (ours retry on a schedule).
  const clientConfig = { maxAttempts: 2, ...(spec.endpoint ? { endpoint: spec.endpoint } : {}) };
  // Only a fallback: a profile's own `region` (or its sso_region) wins, as with the AWS CLI.
  const parentClientConfig = { region: spec.region };

  switch (spec.kind) {
    case 'keys': {
      const base = async (): Promise<AwsCredentials> => {
        const s = await spec.secrets();
        return { accessKeyId: spec.accessKeyId, secretAccessKey: s.secretAccessKey, ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}) };
      };
      const roleArn = spec.roleArn;
      if (!roleArn) return { context, resolve: base };
      return {
        context,
        resolve: () =>
          assumeRoleWithSts({
            roleArn,
            region: spec.region,
            ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
            base,
            ...(options.roleSessionSeconds ? { durationSeconds: options.roleSessionSeconds } : {}),
            now: () => options.clock.now(),
          }),
      };
    }
    case 'profile':
      return {
        context,
        async resolve() {
          const facts = await profileFacts(spec.profile).catch(() => undefined);
          if (facts?.ssoProfile) context.ssoProfile = facts.ssoProfile;
          if (facts && !facts.exists) {
            throw new AppFailure(appError('ProfileNotFound', `There is no profile ${spec.profile} in the AWS config or credentials file.`));
          }
          // A new provider each time, re-reading the files: a profile fixed or an `aws sso login` done since is seen.
          const provider = fromIni({ profile: spec.profile, ignoreCache: true, clientConfig, parentClientConfig });
          return plain(await provider());
        },
      };
    case 'chain':
      return {
        context,
        async resolve() {
          const provider = fromNodeProviderChain({ ignoreCache: true, clientConfig, parentClientConfig });
          return plain(await provider());
        },
      };
  }
}

function plain(c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }): AwsCredentials {
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    ...(c.expiration ? { expiration: c.expiration } : {}),
  };
}
