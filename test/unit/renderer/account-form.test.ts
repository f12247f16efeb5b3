import { describe, expect, it } from 'vitest';
import { draftOf, emptyDraft, validateDraft, validateEdit } from '../../../renderer/src/accounts/account-form';
import { removalText, sourceText, statusText } from '../../../renderer/src/accounts/account-text';
import { coverageSpans } from '../../../renderer/src/tiles/fragment-coverage';
import type { AccountSummary } from '../../../shared/model';

describe('account form validation', () => {
  it('reports each invalid field with the contract schema message', () => {
    const result = validateDraft({ ...emptyDraft(), name: ' ', region: 'mars', accessKeyId: 'nope', secretAccessKey: 'short' });
    expect(Object.keys(result.errors ?? {}).sort()).toEqual(['accessKeyId', 'name', 'region', 'secretAccessKey']);
    expect(result.errors?.region).toMatch(/AWS region/);
    expect(result.errors?.accessKeyId).toMatch(/AKIA/);
  });

  it('leaves empty optional fields out and accepts a valid draft', () => {
    const result = validateDraft({ ...emptyDraft(), name: 'Emulator', accessKeyId: 'AKIAKVSWALLDEMO00001', secretAccessKey: 'x'.repeat(20), endpoint: 'http://127.0.0.1:4567' });
    expect(result.input).toEqual({ kind: 'keys', name: 'Emulator', region: 'us-east-1', accessKeyId: 'AKIAKVSWALLDEMO00001', secretAccessKey: 'x'.repeat(20), endpoint: 'http://127.0.0.1:4567' });
  });

  it('sends only the fields of the chosen kind, whatever else was typed', () => {
    const typed = { ...emptyDraft(), name: 'SSO', accessKeyId: 'AKIAKVSWALLDEMO00001', secretAccessKey: 'x'.repeat(20), profile: ' ops ' };
    expect(validateDraft({ ...typed, kind: 'profile' }).input).toEqual({ kind: 'profile', name: 'SSO', region: 'us-east-1', profile: 'ops' });
    expect(validateDraft({ ...typed, kind: 'chain' }).input).toEqual({ kind: 'chain', name: 'SSO', region: 'us-east-1' });
    expect(validateDraft({ ...typed, kind: 'profile', profile: '' }).errors?.profile).toMatch(/profile name/);
  });

  it('rejects an endpoint carrying credentials', () => {
    const result = validateDraft({ ...emptyDraft(), name: 'E', accessKeyId: 'AKIAKVSWALLDEMO00001', secretAccessKey: 'x'.repeat(20), endpoint: 'http://u:p@127.0.0.1' });
    expect(result.errors?.endpoint).toMatch(/without credentials/);
  });
});

describe('editing an account', () => {
  const stored: AccountSummary = { id: 'acc1', kind: 'keys', name: 'Ops', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', hasSessionToken: false, roleArn: 'arn:aws:iam::123456789012:role/Viewer', endpoint: 'http://127.0.0.1:1' };

  it('sends only what changed; an empty secret keeps the stored one; an emptied option is removed', () => {
    const draft = draftOf(stored);
    expect(draft.secretAccessKey).toBe('');
    expect(validateEdit(stored, draft).update).toEqual({ id: 'acc1' });
    expect(validateEdit(stored, { ...draft, name: 'Operations', region: 'us-east-1' }).update).toEqual({ id: 'acc1', name: 'Operations', region: 'us-east-1' });
    expect(validateEdit(stored, { ...draft, roleArn: '', endpoint: ' ' }).update).toEqual({ id: 'acc1', roleArn: null, endpoint: null });
    expect(validateEdit(stored, { ...draft, secretAccessKey: 'n'.repeat(40) }).update).toEqual({ id: 'acc1', secretAccessKey: 'n'.repeat(40) });
  });

  it('switching kind sends the new kind with its fields only', () => {
    expect(validateEdit(stored, { ...draftOf(stored), kind: 'profile', profile: 'ops' }).update).toEqual({ id: 'acc1', kind: 'profile', name: 'Ops', region: 'eu-west-1', profile: 'ops', endpoint: 'http://127.0.0.1:1' });
    // An endpoint emptied while switching kind is removed, not kept behind the user's back.
    expect(validateEdit(stored, { ...draftOf(stored), kind: 'chain', endpoint: '' }).update).toEqual({ id: 'acc1', kind: 'chain', name: 'Ops', region: 'eu-west-1', endpoint: null });
  });
});

describe('account texts', () => {
  it('never shows a whole access key id, and says what removal does per kind', () => {
    expect(sourceText({ id: 'a', kind: 'keys', name: 'A', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', hasSessionToken: true })).toBe('Access key AKIA…MPLE (temporary)');
    expect(removalText({ id: 'a', kind: 'keys', name: 'A', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', hasSessionToken: false })[0]).toMatch(/keychain/);
    expect(removalText({ id: 'a', kind: 'profile', name: 'A', region: 'eu-west-1', profile: 'ops' }).join(' ')).toMatch(/config and credentials files are not touched.*sessions it holds are dropped/);
  });

  it('a failing status says until when tiles keep playing', () => {
    const now = Date.UTC(2025, 0, 1, 12);
    const text = statusText({ accountId: 'a', state: 'action', error: { code: 'SsoLoginRequired', message: 'The SSO sign-in has expired.', retryable: true }, expiresAt: now + 60_000, checkedAt: now }, now);
    expect(text).toMatch(/^The SSO sign-in has expired\. Tiles keep playing until /);
    expect(statusText({ accountId: 'a', state: 'ok', checkedAt: now })).toBe('Credentials OK');
  });
});

describe('look-back coverage', () => {
  it('merges adjacent fragments and splits at gaps', () => {
    const f = (t: number) => ({ fragmentNumber: String(t), producerTimestamp: t, serverTimestamp: t, durationMs: 2000 });
    expect(coverageSpans([f(0), f(2000), f(4000), f(10_000)], 0, 20_000)).toEqual([
      { from: 0, to: 0.3 },
      { from: 0.5, to: 0.6 },
    ]);
  });
});
