import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/logger';
import { createAssumeRoleProvider } from '../../../main/accounts/assume-role';
import type { AwsCredentials } from '../../../main/accounts/credentials';
import { FakeClock } from '../kvs/fake-clock';

function setup() {
  const clock = new FakeClock();
  const calls: number[] = [];
  let fail: unknown;
  const provider = createAssumeRoleProvider({
    roleArn: 'arn:aws:iam::123456789012:role/Viewer',
    region: 'us-east-1',
    base: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) }),
    clock,
    logger: silentLogger,
    durationSeconds: 3600,
    refreshBeforeMs: 5 * 60_000,
    // STS itself can't be reached from tests; this stands in for the network call only.
    assumeRole: async (): Promise<AwsCredentials> => {
      calls.push(clock.now());
      if (fail) throw fail;
      return { accessKeyId: `ASIA${calls.length}XXXXXXXXXXXXXXX`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(clock.now() + 3600_000) };
    },
  });
  return { clock, calls, provider, setFail: (e: unknown) => (fail = e) };
}

describe('assume-role credentials', () => {
  it('caches until 5 minutes before expiry, then renews once for concurrent callers', async () => {
    const { clock, calls, provider } = setup();
    const first = await provider();
    await clock.advance(54 * 60_000);
    expect(await provider()).toBe(first);
    expect(calls).toHaveLength(1);
    await clock.advance(60_001);
    const renewed = await Promise.all([provider(), provider(), provider()]);
    expect(calls).toHaveLength(2);
    expect(renewed[0]).not.toBe(first);
    expect(new Set(renewed).size).toBe(1);
  });

  it('keeps the current credentials through a failed renewal until they expire, then fails with the role named', async () => {
    const { clock, provider, setFail } = setup();
    const first = await provider();
    await clock.advance(57 * 60_000);
    setFail(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
    expect(await provider()).toBe(first);
    await clock.advance(4 * 60_000);
    await expect(provider()).rejects.toMatchObject({ appError: { code: 'NetworkError', message: expect.stringMatching(/could not assume the role arn:aws:iam::123456789012:role\/Viewer/) } });
  });

  it('an AccessDenied from STS explains the trust policy', async () => {
    const { provider, setFail } = setup();
    setFail(Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    await expect(provider()).rejects.toMatchObject({ appError: { code: 'AccessDenied', message: expect.stringMatching(/sts:AssumeRole .*trust policy/) } });
  });
});
