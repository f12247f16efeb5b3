import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, callApp, probeTiles, screenshot, startWallRig, waitAllLive, type WallRig } from '../support/e2e-wall';

/** The first run: no AWS account, only the built-in Demo cameras, and a wall that is already live. */
describe('the default Demo wall', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true, emulator: false, viewport: { width: 1600, height: 900 } });
    page = await rig.open();
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('creates and saves a wall of the demo cameras, and every tile plays', async () => {
    await page.waitForSelector('section.tile');
    const tiles = await probeTiles(page);
    expect(tiles.length).toBeGreaterThanOrEqual(4);
    await waitAllLive(page, tiles.length);

    const walls = await callApp(rig.core, 'walls.list', {});
    expect(walls).toHaveLength(1);
    expect(walls[0]!.tiles.map((t) => t.stream?.streamName).sort()).toEqual(tiles.map((t) => t.stream).sort());

    // Camera time from kvs:ts is shown on each tile.
    const clocks = await page.$$eval('section.tile .camera-time', (els) => els.map((e) => e.textContent ?? ''));
    expect(clocks.every((c) => /^\d\d:\d\d:\d\d$/.test(c))).toBe(true);

    await screenshot(page, 'demo-wall');
    // The README's screenshot is refreshed on request only, so a test run never dirties the work tree.
    if (process.env['KVS_WALL_UPDATE_SCREENSHOT'] === '1') {
      await mkdir(join(ROOT, 'docs'), { recursive: true });
      await copyFile(join(ROOT, 'test-artifacts', 'demo-wall.png'), join(ROOT, 'docs', 'screenshot.png'));
    }
  }, 90_000);

  it('is driven by the keyboard: number selects, Enter maximises, Esc restores', async () => {
    await page.keyboard.press('2');
    await expect.poll(() => page.$eval('section.tile[data-position="2"]', (e) => e.getAttribute('aria-current'))).toBe('true');

    await page.keyboard.press('Enter');
    const wallBox = (await page.$eval('.wall', (e) => e.getBoundingClientRect().toJSON())) as DOMRect;
    await expect.poll(async () => ((await page.$eval('section.tile[data-position="2"]', (e) => e.getBoundingClientRect().toJSON())) as DOMRect).width).toBeCloseTo(wallBox.width, -1);
    // The tiles underneath stop decoding while covered.
    await expect.poll(async () => (await probeTiles(page)).filter((t) => t.position !== 2).every((t) => t.phase === 'paused'), { timeout: 5000 }).toBe(true);
    await screenshot(page, 'demo-wall-maximised');

    // The demo wall features its first camera 2×2; tile 2 sits top right, tile 3 below it.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.$eval('section.tile[data-position="3"]', (e) => e.getAttribute('aria-current'))).toBe('true');

    await page.keyboard.press('Escape');
    const tiles = await probeTiles(page);
    // Restored tiles resume at the live edge.
    await waitAllLive(page, tiles.length, 30_000);
  }, 60_000);
});
