import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../integration/main/helpers';
import { screenshot, startWallRig, type WallRig } from '../support/e2e-wall';

/**
 * Each cause a user meets in the form, made real against the emulator (or this machine's own lack of
 * internet), shows its own message on the step it belongs to, not a neighbouring one.
 */
describe('Test connection in the form names each cause', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ addAccount: false, emulator: { roles: ['arn:aws:iam::123456789012:role/KvsViewer'] } });
    page = await rig.open();
    await page.getByRole('button', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const good = () => ({
    name: 'Cameras',
    region: rig.emulator!.region,
    accessKeyId: rig.emulator!.credentials.accessKeyId,
    secretAccessKey: rig.emulator!.credentials.secretAccessKey,
    sessionToken: '',
    roleArn: '',
    endpoint: rig.emulator!.url,
  });

  /** Fills the form, presses Test connection, and reads which step failed and what it said. */
  async function causeOf(values: Record<string, string>): Promise<{ failed: string[]; message: string }> {
    for (const [name, value] of Object.entries(values)) await page.fill(`form.account-form input[name="${name}"]`, value);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const report = page.locator('form.account-form section.report');
    await report.waitFor();
    return report.evaluate((el) => ({
      failed: [...el.querySelectorAll('li.check[data-status="failed"]')].map((li) => li.getAttribute('data-check') ?? ''),
      message: el.querySelector('.verdict.bad')?.textContent ?? '',
    }));
  }

  it('right keys: connected, nothing failed', async () => {
    expect(await causeOf(good())).toEqual({ failed: [], message: '' });
  });

  it('a wrong secret', async () => {
    expect(await causeOf({ ...good(), secretAccessKey: 'not-the-secret-not-the-secret-0' })).toEqual({ failed: ['identity'], message: expect.stringMatching(/^The secret access key does not match the access key id/) });
  });

  it('an access key AWS does not know', async () => {
    expect(await causeOf({ ...good(), accessKeyId: 'AKIAUNKNOWNUNKNOWN00' })).toEqual({ failed: ['identity'], message: expect.stringMatching(/^AWS does not recognise the access key id/) });
  });

  it('a region the endpoint does not serve: the region, not the key', async () => {
    expect(await causeOf({ ...good(), region: 'ap-southeast-2' })).toEqual({ failed: ['region'], message: expect.stringMatching(/does not serve region ap-southeast-2.*Check the account's region/) });
  });

  it('expired temporary credentials', async () => {
    const e = rig.emulator!;
    const sts = new STSClient({ region: e.region, endpoint: e.url, credentials: e.credentials });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/KvsViewer', RoleSessionName: 'short', DurationSeconds: 1 }));
    sts.destroy();
    await page.waitForTimeout(1500);
    const result = await causeOf({ ...good(), accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! });
    expect(result).toEqual({ failed: ['identity'], message: expect.stringMatching(/temporary credentials have expired/) });
  });

  it('a role the keys may not assume: named as an STS refusal, not a Kinesis Video Streams problem', async () => {
    const result = await causeOf({ ...good(), roleArn: 'arn:aws:iam::123456789012:role/Elsewhere' });
    expect(result).toEqual({ failed: ['identity'], message: expect.stringMatching(/^AWS STS refused to let these credentials assume the role arn:aws:iam::123456789012:role\/Elsewhere\. Allow sts:AssumeRole/) });
    expect(result.message).not.toMatch(/Kinesis Video Streams|endpoint/);
  });

  it('nothing listening at the endpoint', async () => {
    const port = await closedPort();
    expect(await causeOf({ ...good(), endpoint: `http://127.0.0.1:${port}` })).toEqual({ failed: ['network'], message: `The endpoint 127.0.0.1:${port} refused the connection (nothing is listening there). Check the endpoint, or whether the service is running.` });
  });

  it('no network at all (AWS itself; this machine has no DNS for it): the network, not "check the region"', async () => {
    const result = await causeOf({ ...good(), region: 'us-east-1', endpoint: '' });
    expect(result.failed).toEqual(['network']);
    expect(result.message).toMatch(/^This computer can't reach AWS: looking up kinesisvideo\.us-east-1\.amazonaws\.com failed .* There is no network connection or no working DNS\.$/);
    await screenshot(page, 'test-connection-no-network');
  });
});
