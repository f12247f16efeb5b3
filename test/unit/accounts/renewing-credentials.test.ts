import { describe, expect, it } from 'vitest';
import { appError } from '../../../shared/errors';
import type { CredentialStatus } from '../../../shared/model';
import { AppFailure } from '../../../main/core/app-failure';
import { silentLogger } from '../../../main/core/logger';
import type { CredentialProblem } from '../../../main/accounts/credential-problems';
import type { AwsCredentials } from '../../../main/accounts/credentials';
import { createRenewingCredentials } from '../../../main/accounts/renewing-credentials';
import { FakeClock } from '../kvs/fake-clock';

const MIN = 60_000;

/** A credential source standing in for STS or SSO: each call is recorded; failures are set by the test. */
function setup(options: { lifetimeMs?: number; permanent?: boolean } = {}) {
  const clock = new FakeClock();
  const calls: number[] = [];
  const statuses: CredentialStatus[] = [];
  let fail: unknown;
  let hold: Promise<void> | undefined;
  const resolve = async (): Promise<AwsCredentials> => {
    calls.push(clock.now());
    if (hold) await hold;
    if (fail) throw fail;
    return {
      accessKeyId: `ASIA${String(calls.length).padStart(16, '0')}`,
      secretAccessKey: 's',
      sessionToken: `t${calls.length}`,
      ...(options.permanent ? {} : { expiration: new Date(clock.now() + (options.lifetimeMs ?? 60 * MIN)) }),
    };
  };
  const describe = (err: unknown): CredentialProblem =>
    err instanceof AppFailure && err.appError.code === 'SsoLoginRequired'
      ? { state: 'action', error: err.appError, action: 'Run aws sso login --profile ops, then press Retry.', command: 'aws sso login --profile ops' }
      : { state: 'retrying', error: appError('NetworkError', 'offline', { retryable: true }) };
  const creds = createRenewingCredentials({
    accountId: 'acc1',
    resolve,
    describe,
    clock,
    logger: silentLogger,
    onStatus: (s) => statuses.push(s),
    transientRetry: { baseMs: 5_000, capMs: 60_000 },
    actionRetryMs: MIN,
    random: () => 0.5,
  });
  return {
    clock,
    calls,
    statuses,
    creds,
    failWith: (e: unknown) => (fail = e),
    heal: () => (fail = undefined),
    holdNext: () => {
      let release!: () => void;
      hold = new Promise<void>((r) => (release = r));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

const ssoExpired = () => new AppFailure(appError('SsoLoginRequired', 'The IAM Identity Center (SSO) sign-in of profile ops has expired.'));

describe('renewing credentials', () => {
  it('fetches once, shares the first fetch between concurrent callers, and reuses the result', async () => {
    const { creds, calls, holdNext } = setup();
    const release = holdNext();
    const all = Promise.all([creds.provider(), creds.provider(), creds.provider()]);
    release();
    const got = await all;
    expect(calls).toHaveLength(1);
    expect(new Set(got.map((c) => c.accessKeyId)).size).toBe(1);
    expect(await creds.provider()).toEqual(got[0]);
    expect(calls).toHaveLength(1);
  });

  it('renews on its own 5 minutes before an hour-long expiry, callers never waiting or seeing the gap', async () => {
    const { creds, calls, clock, statuses } = setup();
    const first = await creds.provider();
    await clock.advance(54 * MIN);
    expect(calls).toHaveLength(1);
    await clock.advance(MIN + 1);
    // The timer renewed without anyone asking.
    expect(calls).toEqual([calls[0], calls[0]! + 55 * MIN]);
    const second = await creds.provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(statuses.map((s) => s.state)).toEqual(['ok', 'ok']);
    expect(statuses[1]?.expiresAt).toBe(clock.now() - 1 + 60 * MIN);
  });

  it('short-lived credentials renew at two thirds of their life', async () => {
    const { creds, calls, clock } = setup({ lifetimeMs: 15_000 });
    await creds.provider();
    await clock.advance(9_999);
    expect(calls).toHaveLength(1);
    await clock.advance(2);
    expect(calls).toHaveLength(2);
    await clock.advance(10_001);
    expect(calls).toHaveLength(3);
  });

  it('long-term keys are fetched once and never renewed', async () => {
    const { creds, calls, clock, statuses } = setup({ permanent: true });
    await creds.provider();
    await clock.advance(24 * 60 * MIN);
    await creds.provider();
    expect(calls).toHaveLength(1);
    expect(statuses).toEqual([{ accountId: 'acc1', state: 'ok', checkedAt: expect.any(Number) }]);
  });

  it('keeps the current credentials through failed renewals until they expire, retrying before then', async () => {
    const { creds, calls, clock, statuses, failWith } = setup();
    const first = await creds.provider();
    failWith(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
    await clock.advance(55 * MIN + 1);
    expect(calls).toHaveLength(2);
    expect(statuses.at(-1)).toMatchObject({ state: 'retrying', error: { code: 'NetworkError', retryable: true }, expiresAt: first.expiration!.getTime() });
    // Tiles keep working on the current credentials.
    expect(await creds.provider()).toEqual(first);
    // Backoff: 5 s, 10 s, 20 s …
    await clock.advance(5_000);
    expect(calls).toHaveLength(3);
    await clock.advance(10_000);
    expect(calls).toHaveLength(4);
    await clock.advance(5 * MIN);
    // Once expired, callers get the failure at once, not a fetch each.
    const before = calls.length;
    await expect(creds.provider()).rejects.toMatchObject({ appError: { code: 'NetworkError', retryable: true } });
    await expect(creds.provider()).rejects.toMatchObject({ appError: { code: 'NetworkError' } });
    expect(calls.length).toBe(before);
  });

  it('an expired SSO sign-in asks a person, retries every minute on its own, and recovers on Retry', async () => {
    const { creds, calls, clock, statuses, failWith, heal } = setup();
    await creds.provider();
    failWith(ssoExpired());
    await clock.advance(55 * MIN + 1);
    expect(statuses.at(-1)).toMatchObject({
      state: 'action',
      error: { code: 'SsoLoginRequired', retryable: true },
      action: 'Run aws sso login --profile ops, then press Retry.',
      command: 'aws sso login --profile ops',
    });
    expect(statuses.at(-1)!.retryAt! - statuses.at(-1)!.checkedAt).toBe(MIN);
    const n = calls.length;
    await clock.advance(MIN);
    expect(calls.length).toBe(n + 1);
    heal();
    const status = await creds.retryNow();
    expect(status).toMatchObject({ state: 'ok' });
    expect(statuses.at(-1)?.state).toBe('ok');
    expect((await creds.provider()).sessionToken).toBe(`t${calls.length}`);
  });

  it('a status is published only when it changes', async () => {
    const { creds, clock, statuses, failWith } = setup({ permanent: true });
    failWith(ssoExpired());
    await expect(creds.provider()).rejects.toMatchObject({ appError: { code: 'SsoLoginRequired' } });
    await clock.advance(MIN);
    await clock.advance(MIN);
    // Three failed attempts, one status: the same problem is not announced again every minute.
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ state: 'action', error: { code: 'SsoLoginRequired' } });
  });

  it('AWS refusing temporary credentials renews them at once', async () => {
    const { creds, calls } = setup();
    const first = await creds.provider();
    creds.rejected(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }));
    const next = await creds.provider();
    expect(calls).toHaveLength(2);
    expect(next.accessKeyId).not.toBe(first.accessKeyId);
  });

  it('AWS refusing long-term keys asks a person (they cannot renew themselves)', async () => {
    const { creds, calls, statuses } = setup({ permanent: true });
    await creds.provider();
    creds.rejected(ssoExpired());
    expect(statuses.at(-1)).toMatchObject({ state: 'action', error: { code: 'SsoLoginRequired' } });
    await expect(creds.provider()).rejects.toMatchObject({ appError: { code: 'SsoLoginRequired' } });
    expect(calls).toHaveLength(1);
  });

  it('credentials that arrive already expired are a failure, not a success', async () => {
    const { creds, statuses } = setup({ lifetimeMs: -1000 });
    await expect(creds.provider()).rejects.toBeInstanceOf(AppFailure);
    expect(statuses.at(-1)?.state).toBe('retrying');
  });

  it('after dispose no timer is left and calls fail', async () => {
    const { creds, clock } = setup();
    await creds.provider();
    expect(clock.pending()).toBe(1);
    creds.dispose();
    expect(clock.pending()).toBe(0);
  });
});
