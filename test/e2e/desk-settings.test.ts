import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, callApp, screenshot, startWallRig, wallOf, type WallRig } from '../support/e2e-wall';

/**
 * Settings changed in the UI take effect: a tour set up in Settings › Tour starts rotating the wall
 * once the panel closes, and a refused value is named next to its field and not saved.
 */
describe('settings in the UI', () => {
  let rig: WallRig;
  let page: Page;
  const streamsShown = () => page.$$eval('section.tile', (tiles) => [...new Set(tiles.map((t) => (t as HTMLElement).dataset['stream'] ?? ''))].join(','));

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: ['cam-a', 'cam-b'].map((name) => ({ name, file: join(ROOT, 'emulator', 'clips', 'lobby.mp4') })) } });
    await callApp(rig.core, 'walls.save', wallOf('ui-b', rig.account!.id, ['cam-b']));
    page = await rig.open(wallOf('ui-a', rig.account!.id, ['cam-a']));
    await page.waitForSelector('section.tile[data-stream="cam-a"]', { timeout: 20_000 });
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('refuses a tour interval out of range, naming the rule, and saves nothing', async () => {
    await page.click('[data-panel="settings"]');
    const tour = page.locator('form[aria-label="Tour"]');
    await tour.locator('input[name="tourEnabled"]').check();
    await tour.locator('input[name="tourWall"][value="ui-a"]').check();
    await tour.locator('input[name="tourWall"][value="ui-b"]').check();
    await tour.locator('input[name="intervalSeconds"]').fill('2');
    await tour.locator('button[type="submit"]').click();
    await expect.poll(() => tour.locator('[data-field="intervalSeconds"]').textContent()).toBe('Each wall shows for: enter a whole number of seconds from 5 to 3600.');
    expect((await callApp(rig.core, 'settings.get', {})).tour).toBeUndefined();
  }, 30_000);

  it('starts the tour it saves once the panel is closed', async () => {
    const tour = page.locator('form[aria-label="Tour"]');
    await tour.locator('input[name="intervalSeconds"]').fill('5');
    await tour.locator('input[name="resumeAfterSeconds"]').fill('5');
    await tour.locator('button[type="submit"]').click();
    await expect.poll(() => tour.locator('.saved').textContent()).toMatch(/^Saved\. The tour runs now/);
    expect((await callApp(rig.core, 'settings.get', {})).tour).toEqual({ enabled: true, wallIds: ['ui-b', 'ui-a'], intervalSeconds: 5, resumeAfterSeconds: 5 });
    await screenshot(page, 'settings-tour');
    // Held while the panel is open (the runner's unit tests time that); it rotates once it closes.
    expect(await page.$('[data-tour="running"]')).toBeNull();
    await page.click('button[aria-label="Close settings"]');
    await expect.poll(streamsShown, { timeout: 20_000 }).toBe('cam-b');
  }, 60_000);
});
