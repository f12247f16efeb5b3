import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionReport } from '../../../shared/model';
import type { NetworkProbe } from '../../../main/accounts/network-probe';
import { accountInputFor, capturingLogger, closedPort, denyingProxy, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { createServices } from './services';

/**
 * Test connection names the real cause: each wrong thing a user can get wrong, made wrong for real
 * against the emulator (or, for networks this machine doesn't have, a stand-in DNS), and the one check
 * that reports it. Drafts only: nothing here needs the keychain.
 */
let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ roles: ['arn:aws:iam::123456789012:role/KvsViewer'] });
});
afterAll(async () => {
  await emulator?.stop();
});

let dir: { path: string; remove: () => Promise<void> };
let services: ReturnType<typeof createServices>;
beforeEach(async () => {
  dir = await tempDir('causes');
  services = createServices({ dir: dir.path, logger: capturingLogger().logger });
  emulator.control.clearFaults();
});
afterEach(async () => {
  await services.close();
  await dir.remove();
});

const test = (overrides: Record<string, unknown> = {}) => services.accounts.testConnection({ draft: accountInputFor(emulator, overrides) });
const failed = (report: ConnectionReport) => report.checks.filter((c) => c.status === 'failed').map((c) => c.check);

describe('Test connection names the real cause (real SDK against the emulator)', () => {
  it('right keys: every check a draft can run passes', async () => {
    const report = await test();
    expect(report).toMatchObject({ ok: true, streamCount: emulator.cameras.length });
    expect(failed(report)).toEqual([]);
    expect(report.checks.find((c) => c.check === 'GetDASHStreamingSessionURL')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/once the account is saved/) });
  });

  it('wrong secret → the credentials step, naming the secret', async () => {
    const report = await test({ secretAccessKey: 'definitely-not-the-right-secret-key' });
    expect(failed(report)).toEqual(['identity']);
    expect(report.cause).toMatchObject({ field: 'secretAccessKey', message: expect.stringMatching(/^The secret access key does not match the access key id/) });
  });

  it('unknown access key id → the credentials step, naming the key', async () => {
    const report = await test({ accessKeyId: 'AKIAUNKNOWNKEY000000' });
    expect(failed(report)).toEqual(['identity']);
    expect(report.cause).toMatchObject({ field: 'accessKeyId', message: expect.stringMatching(/^AWS does not recognise the access key id/) });
  });

  it('a region the endpoint does not serve → the region step, not "wrong key"', async () => {
    const report = await test({ region: 'eu-central-1' });
    expect(failed(report)).toEqual(['region']);
    expect(report.cause).toMatchObject({ field: 'region', message: expect.stringMatching(/does not serve region eu-central-1/) });
    expect(report.checks.find((c) => c.check === 'identity')?.status).toBe('skipped');
  });

  it('expired temporary credentials → the credentials step says they expired', async () => {
    const sts = new STSClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.credentials });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/KvsViewer', RoleSessionName: 'expiring', DurationSeconds: 1 }));
    sts.destroy();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await test({ accessKeyId: Credentials!.AccessKeyId, secretAccessKey: Credentials!.SecretAccessKey, sessionToken: Credentials!.SessionToken });
    expect(failed(report)).toEqual(['identity']);
    expect(report.cause).toMatchObject({ code: expect.stringMatching(/^ExpiredToken/), message: expect.stringMatching(/expired/) });
  });

  it('a role the keys may not assume → the credentials step names the role and what to allow', async () => {
    const report = await test({ roleArn: 'arn:aws:iam::123456789012:role/NotAllowed' });
    expect(failed(report)).toEqual(['identity']);
    expect(report.cause).toMatchObject({ code: 'RoleDenied', message: expect.stringMatching(/assume the role arn:aws:iam::123456789012:role\/NotAllowed\. Allow sts:AssumeRole/) });
  });

  it('a role the keys may assume: the checks run as the role', async () => {
    const report = await test({ roleArn: 'arn:aws:iam::123456789012:role/KvsViewer' });
    expect(report).toMatchObject({ ok: true, identity: { arn: expect.stringMatching(/^arn:aws:sts::123456789012:assumed-role\/KvsViewer\//) } });
  });

  it('nothing listening at the endpoint → the network step, naming the endpoint', async () => {
    const port = await closedPort();
    const report = await test({ endpoint: `http://127.0.0.1:${port}` });
    expect(failed(report)).toEqual(['network']);
    expect(report.cause?.message).toBe(`The endpoint 127.0.0.1:${port} refused the connection (nothing is listening there). Check the endpoint, or whether the service is running.`);
  });

  it('no network at all (AWS itself, no DNS on this machine) → the network step, not "check the region"', async () => {
    const report = await services.accounts.testConnection({ draft: { name: 'AWS', region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) } });
    expect(failed(report)).toEqual(['network']);
    expect(report.cause).toMatchObject({ code: 'NetworkError', message: expect.stringMatching(/^This computer can't reach AWS: looking up kinesisvideo\.us-east-1\.amazonaws\.com failed/) });
    expect(report.cause?.message).not.toMatch(/region/i);
  });

  it('a region without Kinesis Video Streams (DNS answers for AWS but not for that region) → the region step', async () => {
    // A stand-in resolver for a network this machine doesn't have: sts.amazonaws.com resolves, the region's KVS host doesn't.
    const network: NetworkProbe = {
      resolve: async (host) => {
        if (host !== 'sts.amazonaws.com') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
      reach: async () => undefined,
    };
    const withNetwork = createServices({ dir: dir.path, logger: capturingLogger().logger, accountOptions: { network } });
    try {
      const report = await withNetwork.accounts.testConnection({ draft: { name: 'AWS', region: 'me-central-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) } });
      expect(report.checks.slice(0, 2).map((c) => [c.check, c.status])).toEqual([
        ['network', 'passed'],
        ['region', 'failed'],
      ]);
      expect(report.cause).toMatchObject({ code: 'UnknownRegion', field: 'region', message: 'Kinesis Video Streams is not offered in region me-central-1: kinesisvideo.me-central-1.amazonaws.com does not exist. Check the region.' });
    } finally {
      await withNetwork.close();
    }
  });

  it('a missing permission → that permission, by its IAM action; the other checks still run', async () => {
    const proxy = await denyingProxy(emulator.url, ['/describeStream']);
    try {
      const report = await test({ endpoint: proxy.url });
      expect(failed(report)).toEqual(['DescribeStream']);
      expect(report.cause).toMatchObject({ code: 'AccessDeniedException', message: "The account's credentials lack kinesisvideo:DescribeStream permission. Add it to the IAM policy of the user or role." });
      expect(report.checks.find((c) => c.check === 'GetDataEndpoint')?.status).toBe('passed');
      expect(report.checks.find((c) => c.check === 'ListFragments')?.status).toBe('passed');
    } finally {
      await proxy.stop();
    }
  });

  it('throttled by the service → retryable, on the step that was throttled', async () => {
    emulator.control.throttle('listStreams', 1);
    const report = await test();
    expect(failed(report)).toEqual(['ListStreams']);
    expect(report.cause).toMatchObject({ code: 'ClientLimitExceededException', retryable: true });
  });

  it('a service outage → retryable ServiceUnavailable', async () => {
    emulator.control.failNext('listStreams', 1, 503);
    expect(await test()).toMatchObject({ ok: false, cause: { code: 'ServiceUnavailable', retryable: true } });
  });

  it('a region that does not exist is refused before any call', async () => {
    expect(await test({ region: 'us-west-9' })).toMatchObject({ ok: false, cause: { code: 'UnknownRegion', field: 'region' }, checks: [] });
  });
});
