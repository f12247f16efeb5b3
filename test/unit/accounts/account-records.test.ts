import { describe, expect, it } from 'vitest';
import { applyUpdate, identityKey, recordFromInput, summaryOf } from '../../../main/accounts/account-records';
import type { AccountRecord } from '../../../main/store/accounts-store';

const keys: AccountRecord = recordFromInput('acc1', { kind: 'keys', name: 'Ops', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) }, 1);
const profile: AccountRecord = recordFromInput('acc2', { kind: 'profile', name: 'SSO', region: 'eu-west-1', profile: 'ops' }, 1);

function failure(fn: () => unknown): { code: string; field?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return (err as { appError: { code: string; field?: string; message: string } }).appError;
  }
  throw new Error('expected a failure');
}

describe('account records', () => {
  it('a rename is not an identity change; the revision moves, the identity does not', () => {
    const { after, identityChanged, secrets } = applyUpdate(keys, { id: 'acc1', name: 'Operations' });
    expect(identityChanged).toBe(false);
    expect(secrets).toEqual({ action: 'keep' });
    expect(after).toMatchObject({ name: 'Operations', revision: 1, identity: 0 });
  });

  it.each([
    ['region', { region: 'us-east-1' }],
    ['endpoint', { endpoint: 'http://127.0.0.1:4567' }],
    ['role', { roleArn: 'arn:aws:iam::123456789012:role/Viewer' }],
    ['secret', { secretAccessKey: 'y'.repeat(40) }],
    ['session token', { sessionToken: 'token' }],
    ['access key', { accessKeyId: 'AKIAIOSFODNN7EXAMPL2', secretAccessKey: 'y'.repeat(40) }],
    ['kind', { kind: 'chain' as const }],
  ])('changing the %s is an identity change', (_what, change) => {
    const { after, identityChanged } = applyUpdate(keys, { id: 'acc1', ...change });
    expect(identityChanged).toBe(true);
    expect(after.identity).toBe(1);
    expect(identityKey(after) !== identityKey(keys) || 'secretAccessKey' in change || 'sessionToken' in change).toBe(true);
  });

  it('a new access key id needs its own secret', () => {
    expect(failure(() => applyUpdate(keys, { id: 'acc1', accessKeyId: 'AKIAIOSFODNN7EXAMPL2' }))).toMatchObject({ code: 'InvalidRequest', field: 'secretAccessKey' });
  });

  it('switching from keys to a profile deletes the keychain entry and refuses stray key fields', () => {
    const { after, secrets } = applyUpdate(keys, { id: 'acc1', kind: 'profile', profile: 'ops' });
    expect(after).toEqual({ id: 'acc1', kind: 'profile', name: 'Ops', region: 'eu-west-1', profile: 'ops', createdAt: 1, revision: 1, identity: 1 });
    expect(secrets).toEqual({ action: 'delete' });
    expect(failure(() => applyUpdate(keys, { id: 'acc1', kind: 'profile', profile: 'ops', roleArn: 'arn:aws:iam::123456789012:role/Viewer' }))).toMatchObject({ field: 'roleArn', message: 'roleArn does not apply to an AWS profile account.' });
    expect(failure(() => applyUpdate(keys, { id: 'acc1', kind: 'profile' }))).toMatchObject({ field: 'profile' });
  });

  it('switching from a profile to keys needs the keys and writes the keychain', () => {
    expect(failure(() => applyUpdate(profile, { id: 'acc2', kind: 'keys' }))).toMatchObject({ field: 'accessKeyId' });
    expect(failure(() => applyUpdate(profile, { id: 'acc2', kind: 'keys', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }))).toMatchObject({ field: 'secretAccessKey' });
    const { after, secrets } = applyUpdate(profile, { id: 'acc2', kind: 'keys', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'z'.repeat(40) });
    expect(summaryOf(after)).toEqual({ id: 'acc2', kind: 'keys', name: 'SSO', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', hasSessionToken: false });
    expect(secrets).toEqual({ action: 'set', secretAccessKey: 'z'.repeat(40) });
  });

  it('null removes a role, an endpoint or a session token; a new secret without a token means long-term keys', () => {
    const withAll = applyUpdate(keys, { id: 'acc1', sessionToken: 'tok', roleArn: 'arn:aws:iam::123456789012:role/Viewer', endpoint: 'http://127.0.0.1:1' }).after;
    expect(summaryOf(withAll)).toMatchObject({ hasSessionToken: true, roleArn: 'arn:aws:iam::123456789012:role/Viewer', endpoint: 'http://127.0.0.1:1' });
    const cleared = applyUpdate(withAll, { id: 'acc1', sessionToken: null, roleArn: null, endpoint: null });
    expect(summaryOf(cleared.after)).toEqual({ id: 'acc1', kind: 'keys', name: 'Ops', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', hasSessionToken: false });
    expect(cleared.secrets).toEqual({ action: 'set' });
    expect(applyUpdate(withAll, { id: 'acc1', secretAccessKey: 'n'.repeat(40) }).after).toMatchObject({ hasSessionToken: false });
  });

  it('a profile account keeps its profile through a region change', () => {
    const { after, identityChanged } = applyUpdate(profile, { id: 'acc2', region: 'us-east-1' });
    expect(summaryOf(after)).toEqual({ id: 'acc2', kind: 'profile', name: 'SSO', region: 'us-east-1', profile: 'ops' });
    expect(identityChanged).toBe(true);
  });
});
