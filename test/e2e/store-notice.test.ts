import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApp, screenshot, startWallRig, type WallRig } from '../support/e2e-wall';

// A walls.json cut off mid-write, and a settings.json from a newer KVS Wall.
const CORRUPT_WALLS = '{"version":1,"data":[{"id":"lobby","name":"Lobby","grid":2,"tiles":[{"cell":0,';
const FUTURE_SETTINGS = JSON.stringify({ version: 7, data: { sessionExpiresSeconds: 1800, sessionReservePerStream: 0 } });

/** A stored file the app could not use is announced in a banner above the wall, and stays kept on disk. */
describe('store notices', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true, emulator: false, userData: { 'walls.json': CORRUPT_WALLS, 'settings.json': FUTURE_SETTINGS } });
    page = await rig.open();
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const banner = (file: string) => page.locator(`.notice[data-file="${file}"]`);

  it('tells the user which file was set aside, why, and where it is kept', async () => {
    const walls = banner('walls.json');
    await walls.waitFor();
    expect(await walls.getAttribute('role')).toBe('alert');
    const text = (await walls.locator('.text').textContent()) ?? '';
    const match = /^Your walls file could not be read \(it is damaged or unreadable\)\. It was kept as (walls\.json\.corrupt-\d{8}T\d{9}Z); KVS Wall started with empty walls\.$/.exec(text);
    expect(match, text).not.toBeNull();
    // The name shown is the file that really holds the user's original bytes.
    expect(await readFile(join(rig.dir, match![1]!), 'utf8')).toBe(CORRUPT_WALLS);

    // settings.json was read before the page existed: it comes from the list, not an event.
    expect(await banner('settings.json').locator('.text').textContent()).toMatch(
      /^Your settings file could not be read \(it was saved by a newer version of KVS Wall\)\. It was kept as settings\.json\.future-\d{8}T\d{9}Z; KVS Wall started with default settings\.$/,
    );
  });

  it('sits above the wall without covering it', async () => {
    // The demo wall the app built in place of the lost one is still there, below the banners.
    await page.locator('nav.toolbar').waitFor();
    const notices = await page.locator('.notices').boundingBox();
    const toolbar = await page.locator('nav.toolbar').boundingBox();
    expect(notices?.y).toBe(0);
    expect(toolbar!.y).toBeGreaterThanOrEqual(notices!.y + notices!.height - 0.5);
    await screenshot(page, 'store-notice');
  });

  it('hides a notice once dismissed, for this window and the next', async () => {
    await banner('walls.json').getByRole('button', { name: 'Dismiss' }).click();
    await banner('walls.json').waitFor({ state: 'detached' });
    expect(await banner('settings.json').isVisible()).toBe(true);
    await expect.poll(async () => (await callApp(rig.core, 'app.notices', {})).map((n) => n.file)).toEqual(['settings.json']);

    await page.reload();
    await banner('settings.json').waitFor();
    expect(await banner('walls.json').count()).toBe(0);

    await banner('settings.json').getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('.notices').waitFor({ state: 'detached' });
    await page.locator('nav.toolbar').waitFor();
    expect((await page.locator('nav.toolbar').boundingBox())?.y).toBe(0);
  });
});
