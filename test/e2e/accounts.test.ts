import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startWallRig, type WallRig } from '../support/e2e-wall';

/** Adding an AWS account: inline validation, a real "Test connection", then the stream picker. */
describe('adding an account', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true });
    page = await rig.open();
    await page.getByRole('button', { name: 'Add account' }).click();
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  async function fill(values: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(values)) await page.fill(`form.account-form input[name="${name}"]`, value);
  }

  it('says which fields are wrong before asking the service', async () => {
    await fill({ name: 'Cameras', region: 'mars-1', accessKeyId: 'nope', secretAccessKey: 'short' });
    await page.getByRole('button', { name: 'Test connection' }).click();
    const errors = await page.$$eval('form.account-form .field-error', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-field'), e.textContent])));
    expect(Object.keys(errors).sort()).toEqual(['accessKeyId', 'region', 'secretAccessKey']);
    expect(errors['region']).toMatch(/AWS region/);
  });

  it('shows the service’s specific error for wrong keys', async () => {
    const emulator = rig.emulator!;
    await fill({ region: emulator.region, accessKeyId: 'AKIAWRONGWRONGWRONG1', secretAccessKey: 'wrong-secret-wrong-secret-wrong', endpoint: emulator.url });
    await page.getByRole('button', { name: 'Test connection' }).click();
    const alert = page.locator('form.account-form .form-error');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toMatch(/UnrecognizedClientException|InvalidSignatureException|NotAuthorizedException|AccessDenied/);
    await screenshot(page, 'account-wrong-keys');
  });

  it('with the emulator’s keys, tests the connection and lists the streams', async () => {
    const emulator = rig.emulator!;
    await fill({ accessKeyId: emulator.credentials.accessKeyId, secretAccessKey: emulator.credentials.secretAccessKey });
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.locator('form.account-form .test-ok').textContent()).toMatch(/Connected: \d+/);
    await page.getByRole('button', { name: 'Save account' }).click();
    await page.waitForSelector('.picker li .name');
    const names = await page.$$eval('.picker li .name', (els) => els.map((e) => e.textContent));
    expect(names.sort()).toEqual([...emulator.cameras].sort());
    await screenshot(page, 'account-streams');
  });
});
