import { CredentialsProviderError, TokenProviderError } from '@smithy/core/config';
import { STSServiceException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { appError } from '../../../shared/errors';
import { AppFailure } from '../../../main/core/app-failure';
import { describeCredentialFailure, type ProblemContext } from '../../../main/accounts/credential-problems';

const profile: ProblemContext = { kind: 'profile', region: 'eu-west-1', profile: 'ops-viewer', ssoProfile: 'ops' };
const stsError = (name: string, message: string, status = 403) => new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

/** The SDK providers' own error objects and sentences (credential-provider-sso, -ini, -process, -node). */
describe('describeCredentialFailure', () => {
  it.each([
    ['an expired cached token', new CredentialsProviderError('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.')],
    ['no cached token', new CredentialsProviderError('The SSO session associated with this profile is invalid. To refresh this SSO session run aws sso login with the corresponding profile.')],
    ['an sso-session token', new TokenProviderError('The SSO session token associated with profile=ops was not found or is invalid. To refresh this SSO session run \'aws sso login\' with the corresponding profile.')],
    ['the portal refusing the token', new CredentialsProviderError('UnauthorizedException: Session token not found or invalid')],
  ])('SSO: %s → run aws sso login for the SSO profile in the chain', (_what, err) => {
    expect(describeCredentialFailure(err, profile)).toEqual({
      state: 'action',
      error: appError('SsoLoginRequired', "The IAM Identity Center (SSO) sign-in of profile ops has expired or is missing, so KVS Wall can't get new credentials for it.", { retryable: true }),
      action: 'Run aws sso login --profile ops, then press Retry.',
      command: 'aws sso login --profile ops',
    });
  });

  it('MFA: says an unattended wall cannot type the code', () => {
    const err = new CredentialsProviderError('Profile ops-viewer requires multi-factor authentication, but no MFA code callback was provided.');
    expect(describeCredentialFailure(err, profile)).toMatchObject({ state: 'action', error: { code: 'MfaRequired', retryable: true }, action: expect.stringMatching(/without mfa_serial/) });
  });

  it('a role the credentials may not assume', () => {
    expect(describeCredentialFailure(stsError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole'), profile)).toMatchObject({
      state: 'action',
      error: { code: 'RoleDenied', message: 'AWS STS refused to let these credentials assume the role of profile ops-viewer.' },
      action: expect.stringMatching(/trust policy, then press Retry\.$/),
    });
    const keys: ProblemContext = { kind: 'keys', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/Viewer' };
    expect(describeCredentialFailure(new AppFailure(appError('AccessDenied', 'x')), keys).error.message).toMatch(/assume the role arn:aws:iam::123456789012:role\/Viewer/);
  });

  it('credential_process: names the failure without paths under home', () => {
    const err = new CredentialsProviderError('Command failed: /home/ops/bin/get-creds --profile ops\nTraceback: boom');
    const problem = describeCredentialFailure(err, profile);
    expect(problem).toMatchObject({ state: 'action', error: { code: 'CredentialProcessFailed' } });
    expect(problem.error.message).toBe('The credential_process of profile ops-viewer failed: Command failed: [path] --profile ops');
  });

  it('a missing profile, and a profile that cannot give credentials', () => {
    expect(describeCredentialFailure(new AppFailure(appError('ProfileNotFound', 'There is no profile ops-viewer.')), profile)).toMatchObject({ error: { code: 'ProfileNotFound' }, action: expect.stringMatching(/^Add it \(aws configure --profile ops-viewer/) });
    expect(describeCredentialFailure(new CredentialsProviderError('Could not resolve credentials using profile: [ops-viewer] in configuration/credentials file(s).'), profile).error.code).toBe('ProfileNotFound');
    expect(describeCredentialFailure(new CredentialsProviderError('Profile is configured with invalid SSO credentials. Required parameters "sso_account_id"…'), profile).error.code).toBe('ProfileUnusable');
  });

  it('the default chain finding nothing', () => {
    const chain: ProblemContext = { kind: 'chain', region: 'eu-west-1' };
    expect(describeCredentialFailure(new CredentialsProviderError('Could not load credentials from any providers', false), chain)).toMatchObject({ state: 'action', error: { code: 'NoCredentials' }, action: expect.stringMatching(/instance profile/) });
  });

  it('network trouble on the way to STS or the SSO portal retries by itself', () => {
    expect(describeCredentialFailure(new CredentialsProviderError('Error: connect ECONNREFUSED 127.0.0.1:9'), profile)).toMatchObject({ state: 'retrying', error: { code: 'NetworkError', retryable: true } });
    const socket = Object.assign(new Error('getaddrinfo EAI_AGAIN sts.eu-west-1.amazonaws.com'), { code: 'EAI_AGAIN', hostname: 'sts.eu-west-1.amazonaws.com' });
    expect(describeCredentialFailure(socket, profile).state).toBe('retrying');
  });

  it('expired temporary keys: typed into the form vs. in the credentials file', () => {
    const expired = stsError('ExpiredTokenException', 'The security token included in the request is expired', 400);
    expect(describeCredentialFailure(expired, { kind: 'keys', region: 'eu-west-1' }).action).toMatch(/^Edit the account and enter fresh temporary keys, or use an AWS profile/);
    expect(describeCredentialFailure(expired, profile).action).toMatch(/^Refresh the temporary keys of profile ops-viewer/);
  });

  it('keys AWS does not know, and a locked keychain', () => {
    expect(describeCredentialFailure(stsError('InvalidClientTokenId', 'The security token included in the request is invalid.'), { kind: 'keys', region: 'eu-west-1' })).toMatchObject({
      state: 'action',
      error: { code: 'InvalidClientTokenId', field: 'accessKeyId' },
      action: 'Edit the account and check its access key, then press Retry.',
    });
    expect(describeCredentialFailure(new AppFailure(appError('KeychainUnavailable', 'The system keychain is not available.')), { kind: 'keys', region: 'eu-west-1' })).toMatchObject({
      state: 'action',
      error: { code: 'KeychainUnavailable', retryable: true },
      action: expect.stringMatching(/^Unlock the system keychain/),
    });
  });
});
