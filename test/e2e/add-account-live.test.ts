import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutCells } from '../../renderer/src/walls/wall-layout';
import { advanced, callApp, probeTiles, startWallRig, waitAllLive, type WallRig } from '../support/e2e-wall';

/**
 * A running app on the Demo cameras; the operator adds an AWS account (here the test emulator, on an
 * origin the page's Content-Security-Policy doesn't allow yet) and places one of its cameras on the
 * wall. Main asks the page to reload for the new origin; the page does so at the first calm moment
 * (the camera placed), comes back on the same panel, and the new camera plays — nobody pressed reload.
 */
describe('adding an account in a running app (browser shell)', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true, addAccount: false });
    page = await rig.open();
    // The Demo wall's tiles appear with the page; then each must play.
    await page.waitForSelector('section.tile', { timeout: 30_000 });
    await waitAllLive(page, (await probeTiles(page)).length, 60_000);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const navigation = () => page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type);

  it('plays the new account’s camera without a manual reload', async () => {
    const emulator = rig.emulator!;
    expect(await navigation()).toBe('navigate');
    await page.getByRole('button', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    for (const [name, value] of Object.entries({
      name: 'Lobby cameras',
      region: emulator.region,
      accessKeyId: emulator.credentials.accessKeyId,
      secretAccessKey: emulator.credentials.secretAccessKey,
      endpoint: emulator.url,
    })) {
      await page.fill(`form.account-form input[name="${name}"]`, value);
    }
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('section.accounts .notice').textContent()).toMatch(/^Added “Lobby cameras”\./);
    // The operator is still reading the panel: the page has not reloaded under them.
    expect(await navigation()).toBe('navigate');
    await page.getByRole('button', { name: 'Pick its cameras' }).click();
    const added = (await callApp(rig.core, 'accounts.list', {})).find((a) => a.name === 'Lobby cameras')!;
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: `Add ${emulator.cameras[0]} to the wall` }).click();
    await reloaded;
    expect(await navigation()).toBe('reload');
    // Back on the new account's cameras.
    await expect.poll(async () => page.locator('.picker li[data-stream]').count(), { timeout: 20_000 }).toBe(emulator.cameras.length);

    const wall = async () => (await callApp(rig.core, 'walls.list', {}))[0]!;
    const position = layoutCells(await wall()).findIndex((p) => p.spec.stream?.accountId === added.id) + 1;
    expect(position).toBeGreaterThan(0);
    const probe = async () => (await probeTiles(page)).find((t) => t.position === position)!;
    await expect.poll(async () => (await probe())?.badge ?? '', { timeout: 30_000, interval: 500 }).toMatch(/^LIVE/);
    const before = await probe();
    await page.waitForTimeout(1500);
    expect(advanced(before, await probe())).toBe(true);
  }, 90_000);
});
