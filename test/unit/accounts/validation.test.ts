import { describe, expect, it } from 'vitest';
import { AWS_REGIONS, isKnownRegion, similarRegions } from '../../../main/accounts/regions';
import { validateAccountInput, validateAccountUpdate } from '../../../main/accounts/validation';

const valid = {
  name: 'Operations',
  region: 'eu-west-1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

function failureOf(fn: () => unknown): { code: string; message: string; field?: string } {
  try {
    fn();
  } catch (err) {
    return (err as { appError: { code: string; message: string; field?: string } }).appError;
  }
  throw new Error('expected a failure');
}

describe('regions', () => {
  it('knows commercial, GovCloud and China regions and nothing else', () => {
    for (const r of ['us-east-1', 'eu-central-2', 'ap-southeast-4', 'il-central-1', 'us-gov-west-1', 'cn-northwest-1', 'mx-central-1']) expect(isKnownRegion(r)).toBe(true);
    for (const r of ['us-east-9', 'eu-west', 'US-EAST-1', 'moon-1', '']) expect(isKnownRegion(r)).toBe(false);
    expect(new Set(AWS_REGIONS).size).toBe(AWS_REGIONS.length);
  });

  it('suggests near misses', () => {
    expect(similarRegions('us-east1')).toContain('us-east-1');
    expect(similarRegions('eu-wset-1')[0]).toBe('eu-west-1');
    expect(similarRegions('completely-wrong')).toEqual([]);
  });
});

describe('validateAccountInput', () => {
  it('accepts a valid account and trims pasted whitespace', () => {
    const out = validateAccountInput({ ...valid, accessKeyId: ' AKIAIOSFODNN7EXAMPLE\n', secretAccessKey: `${valid.secretAccessKey}\n`, endpoint: 'http://127.0.0.1:4567/' });
    expect(out).toEqual({ kind: 'keys', ...valid, endpoint: 'http://127.0.0.1:4567' });
  });

  it('an account without a kind is an access-keys account; profile and chain accounts take no keys', () => {
    expect(validateAccountInput({ ...valid, kind: 'keys' }).kind).toBe('keys');
    expect(validateAccountInput({ kind: 'profile', name: 'SSO', region: 'eu-west-1', profile: ' ops\n' })).toEqual({ kind: 'profile', name: 'SSO', region: 'eu-west-1', profile: 'ops' });
    expect(validateAccountInput({ kind: 'chain', name: 'Kiosk', region: 'eu-west-1' })).toEqual({ kind: 'chain', name: 'Kiosk', region: 'eu-west-1' });
    expect(failureOf(() => validateAccountInput({ kind: 'profile', name: 'SSO', region: 'eu-west-1', profile: 'ops', secretAccessKey: valid.secretAccessKey }))).toMatchObject({
      field: 'secretAccessKey',
      message: 'secretAccessKey does not belong to this kind of account.',
    });
    expect(failureOf(() => validateAccountInput({ kind: 'profile', name: 'SSO', region: 'eu-west-1', profile: 'has space' }))).toMatchObject({ field: 'profile', message: expect.stringMatching(/profile name/) });
    expect(failureOf(() => validateAccountInput({ kind: 'profile', name: 'SSO', region: 'eu-west-1' }))).toMatchObject({ field: 'profile' });
    expect(failureOf(() => validateAccountInput({ kind: 'sso', name: 'x', region: 'eu-west-1' }))).toMatchObject({ field: 'kind', message: expect.stringMatching(/access keys, an AWS profile or the default credential chain/) });
  });

  it('an unknown region is UnknownRegion on the region field, with a hint', () => {
    expect(failureOf(() => validateAccountInput({ ...valid, region: 'eu-west-9' }))).toMatchObject({ code: 'UnknownRegion', field: 'region', message: expect.stringMatching(/^eu-west-9 is not an AWS region; did you mean .*eu-west-1/) });
    expect(failureOf(() => validateAccountInput({ ...valid, region: 'Frankfurt' }))).toMatchObject({ code: 'UnknownRegion', field: 'region' });
  });

  it('never echoes a secret pasted into the region field', () => {
    const failure = failureOf(() => validateAccountInput({ ...valid, region: valid.secretAccessKey }));
    expect(failure.code).toBe('UnknownRegion');
    expect(failure.message).not.toContain('wJalr');
  });

  it.each([
    ['AKIA123', /access key id/],
    ['akiaiosfodnn7example', /access key id/],
    ['XKIAIOSFODNN7EXAMPLE', /access key id/],
    ['AKIA IOSFODNN7EXAMPLE', /access key id/],
  ])('rejects the access key id %s', (accessKeyId, message) => {
    expect(failureOf(() => validateAccountInput({ ...valid, accessKeyId }))).toMatchObject({ code: 'InvalidRequest', field: 'accessKeyId', message: expect.stringMatching(message) });
  });

  it('temporary (ASIA) keys need a session token', () => {
    expect(failureOf(() => validateAccountInput({ ...valid, accessKeyId: 'ASIAIOSFODNN7EXAMPLE' }))).toMatchObject({ field: 'sessionToken' });
    expect(validateAccountInput({ ...valid, accessKeyId: 'ASIAIOSFODNN7EXAMPLE', sessionToken: 'FwoGZXIvYXdzEXAMPLE' })).toMatchObject({ sessionToken: 'FwoGZXIvYXdzEXAMPLE' });
  });

  it('checks the secret, role ARN, endpoint and unknown fields', () => {
    expect(failureOf(() => validateAccountInput({ ...valid, secretAccessKey: 'short' }))).toMatchObject({ field: 'secretAccessKey' });
    expect(failureOf(() => validateAccountInput({ ...valid, roleArn: 'arn:aws:iam::12:role/x' }))).toMatchObject({ field: 'roleArn' });
    expect(failureOf(() => validateAccountInput({ ...valid, endpoint: 'ftp://x' }))).toMatchObject({ field: 'endpoint' });
    expect(failureOf(() => validateAccountInput({ ...valid, endpoint: 'https://user:pw@host' }))).toMatchObject({ field: 'endpoint' });
    expect(failureOf(() => validateAccountInput({ ...valid, password: 'x' }))).toMatchObject({ code: 'InvalidRequest', field: 'password', message: 'password does not belong to this kind of account.' });
    expect(failureOf(() => validateAccountInput({ region: 'us-east-1' }))).toMatchObject({ field: 'name', message: 'name is missing or is not text.' });
    expect(failureOf(() => validateAccountInput('nope'))).toMatchObject({ code: 'InvalidRequest' });
  });

  it('the role must live in the region\'s partition', () => {
    expect(validateAccountInput({ ...valid, roleArn: 'arn:aws:iam::123456789012:role/Viewer' })).toMatchObject({ roleArn: 'arn:aws:iam::123456789012:role/Viewer' });
    expect(failureOf(() => validateAccountInput({ ...valid, region: 'cn-north-1', roleArn: 'arn:aws:iam::123456789012:role/Viewer' }))).toMatchObject({ field: 'roleArn', message: expect.stringMatching(/aws-cn/) });
    expect(validateAccountInput({ ...valid, region: 'us-gov-west-1', roleArn: 'arn:aws-us-gov:iam::123456789012:role/Viewer' }).region).toBe('us-gov-west-1');
  });
});

describe('validateAccountUpdate', () => {
  it('accepts partial changes and checks what is given', () => {
    expect(validateAccountUpdate({ id: 'acc-1', name: ' New name ' })).toEqual({ id: 'acc-1', name: 'New name' });
    expect(failureOf(() => validateAccountUpdate({ id: 'acc-1', region: 'us-east-7' }))).toMatchObject({ code: 'UnknownRegion', field: 'region' });
    expect(failureOf(() => validateAccountUpdate({ name: 'x' }))).toMatchObject({ field: 'id' });
  });
});
