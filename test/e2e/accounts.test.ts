import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startWallRig, type WallRig } from '../support/e2e-wall';

/** Managing accounts in the browser: add with a real Test connection, edit, remove, the demo hidden and back, finding cameras. */
describe('accounts in the UI', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true, addAccount: false });
    page = await rig.open();
    await page.getByRole('button', { name: 'Accounts' }).click();
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const form = () => page.locator('form.account-form');
  async function fill(values: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(values)) await page.fill(`form.account-form input[name="${name}"]`, value);
  }
  /** The check that failed and the message shown for it. */
  async function testResult(): Promise<{ failed: string[]; alert: string | null; ok: string | null }> {
    await page.getByRole('button', { name: 'Test connection' }).click();
    await form().locator('section.report').waitFor();
    return form()
      .locator('section.report')
      .evaluate((report) => ({
        failed: [...report.querySelectorAll('li.check[data-status="failed"]')].map((e) => e.getAttribute('data-check') ?? ''),
        alert: report.querySelector('.verdict.bad')?.textContent ?? null,
        ok: report.querySelector('.verdict.ok')?.textContent?.trim().replace(/\s+/g, ' ') ?? null,
      }));
  }

  it('lists the Demo cameras first; the form says which fields are wrong before asking the service', async () => {
    await page.locator('section.accounts li.account[data-account="demo"]').waitFor();
    await page.getByRole('button', { name: 'Add account' }).click();
    await fill({ name: 'Cameras', region: 'mars-1', accessKeyId: 'nope', secretAccessKey: 'short' });
    await page.getByRole('button', { name: 'Test connection' }).click();
    const errors = await page.$$eval('form.account-form .field-error', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-field'), e.textContent])));
    expect(Object.keys(errors).sort()).toEqual(['accessKeyId', 'region', 'secretAccessKey']);
    expect(errors['region']).toMatch(/AWS region/);
    // The first test also waits for the page's first listing of accounts (the demo's cameras start with it).
  }, 90_000);

  it('wrong keys: the credentials step fails and says which part is wrong', async () => {
    const emulator = rig.emulator!;
    await fill({ region: emulator.region, accessKeyId: 'AKIAWRONGWRONGWRONG1', secretAccessKey: 'wrong-secret-wrong-secret-wrong', endpoint: emulator.url });
    const result = await testResult();
    expect(result.failed).toEqual(['identity']);
    expect(result.alert).toMatch(/^AWS does not recognise the access key id/);
    await screenshot(page, 'account-wrong-keys');
  });

  it('with the right keys: every check passes, the stale result clears on edit, and Save confirms', async () => {
    const emulator = rig.emulator!;
    await fill({ accessKeyId: emulator.credentials.accessKeyId, secretAccessKey: emulator.credentials.secretAccessKey });
    const result = await testResult();
    expect(result.failed).toEqual([]);
    expect(result.ok).toMatch(/^Connected as arn:aws:iam::123456789012:user\/.*: 6 streams\.$/);
    expect(await form().locator('li.check[data-check="GetClip"]').getAttribute('data-status')).toBe('passed');
    expect(await form().locator('details.policy pre').textContent()).toMatch(/kinesisvideo:GetDASHStreamingSessionURL/);
    await screenshot(page, 'account-test-ok');
    // Typing makes the old verdict go away instead of standing next to new values.
    await fill({ name: 'Lobby cameras' });
    expect(await form().locator('section.report').count()).toBe(0);
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('section.accounts .notice').textContent()).toMatch(/^Added “Lobby cameras”\./);
    // The list is read again when main says the accounts changed, a moment after the save's answer.
    await expect.poll(() => page.locator('section.accounts li.account .name').allTextContents()).toEqual(['Demo cameras', 'Lobby cameras']);
  });

  it('finds cameras by any part of the name, ignoring case', async () => {
    await page.getByRole('button', { name: 'Pick its cameras' }).click();
    const names = () => page.$$eval('.picker li[data-stream]', (els) => els.map((e) => e.getAttribute('data-stream')));
    await expect.poll(names).toHaveLength(6);
    await page.fill('.picker input[type="search"]', 'Lob');
    await expect.poll(names).toEqual(['lobby']);
    await page.fill('.picker input[type="search"]', 'dock');
    await expect.poll(names).toEqual(['loading-dock']);
    await page.fill('.picker input[type="search"]', 'ROOM');
    await expect.poll(names).toEqual(['server-room']);
    // Tag values are searched too: the dock is in the logistics zone.
    await page.fill('.picker input[type="search"]', 'logistics');
    await expect.poll(names).toEqual(['loading-dock']);
    await page.fill('.picker input[type="search"]', '');
  });

  it('groups cameras by a KVS tag (ListTagsForStream)', async () => {
    const groupBy = page.getByRole('combobox', { name: 'Group by tag' });
    await groupBy.waitFor();
    expect(await groupBy.locator('option').allTextContents()).toEqual(['nothing', 'floor', 'site', 'zone']);
    await groupBy.selectOption('site');
    const groups = () =>
      page.$$eval('.picker h3.group-head', (heads) =>
        heads.map((h) => {
          const names: string[] = [];
          for (let el = h.nextElementSibling; el && el.tagName === 'UL'; el = el.nextElementSibling) {
            for (const li of el.querySelectorAll('li[data-stream]')) names.push(li.getAttribute('data-stream') ?? '');
          }
          return [h.getAttribute('data-group'), names.sort()];
        }),
      );
    await expect.poll(groups).toEqual([
      ['depot-east', ['warehouse']],
      ['hq', ['gate-2', 'loading-dock', 'lobby', 'parking-north', 'server-room']],
    ]);
    await screenshot(page, 'cameras-grouped-by-site');
    await groupBy.selectOption('');
  });

  it('edit: a wrong region is caught by Test as a region problem, and saved changes are confirmed', async () => {
    await page.getByRole('button', { name: 'Accounts' }).click();
    const row = page.locator('section.accounts li.account', { hasText: 'Lobby cameras' });
    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await page.inputValue('form.account-form input[name="secretAccessKey"]')).toBe('');
    expect(await page.getAttribute('form.account-form input[name="secretAccessKey"]', 'placeholder')).toMatch(/unchanged/);
    await fill({ region: 'eu-central-1' });
    const wrong = await testResult();
    expect(wrong.failed).toEqual(['region']);
    expect(wrong.alert).toMatch(/does not serve region eu-central-1/);
    await fill({ region: rig.emulator!.region, name: 'Front desk' });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('section.accounts .notice').textContent()).toMatch(/^Saved the changes to “Front desk”\./);
  });

  it('remove: says what removing does, then removes the account and its keychain entry', async () => {
    const row = page.locator('section.accounts li.account', { hasText: 'Front desk' });
    const id = await row.getAttribute('data-account');
    expect(await rig.vault.get(id!)).toBeDefined();
    await row.getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove Front desk?' });
    expect(await dialog.textContent()).toMatch(/secret access key is deleted from the system keychain.*cached camera list.*sessions it holds are dropped/);
    await screenshot(page, 'account-remove');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.locator('section.accounts li.account .name').allTextContents()).toEqual(['Demo cameras']);
    expect(await rig.vault.get(id!)).toBeUndefined();
  });

  it('the Demo cameras can be hidden from the picker and brought back, never lost', async () => {
    const demo = page.locator('section.accounts li.account[data-account="demo"]');
    await demo.getByRole('button', { name: 'Hide' }).click();
    await expect.poll(() => demo.getAttribute('class')).toMatch(/hidden-demo/);
    await page.getByRole('button', { name: 'Cameras' }).click();
    expect(await page.locator('aside.panel').textContent()).toMatch(/No account to pick cameras from.*show the Demo cameras/);
    await page.getByRole('button', { name: 'Accounts' }).click();
    await demo.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('button', { name: 'Cameras' }).click();
    await expect.poll(() => page.locator('.picker select').first().inputValue()).toBe('demo');
  });
});
