import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPictureSampler, stopPictureSampler } from '../support/e2e-sampler';
import { ROOT, barText, callApp, describeProbes, probeTiles, screenshot, startWallRig, waitAllLive, type WallRig } from '../support/e2e-wall';

/** The first run: no AWS account, only the built-in Demo cameras, and a wall that is already live. */
describe('the default Demo wall', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true, emulator: false, viewport: { width: 1600, height: 900 } });
    page = await rig.open();
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('creates and saves a wall of the demo cameras, and every tile plays', async () => {
    await page.waitForSelector('section.tile');
    const tiles = await probeTiles(page);
    // The six H.264 cameras, the H.265 one and the one with AAC sound.
    expect(tiles.map((t) => t.stream).sort()).toEqual(['gate-2', 'loading-dock', 'lobby', 'parking-north', 'reception', 'rooftop', 'server-room', 'warehouse']);
    const { after } = await waitAllLive(page, tiles.length, 90_000);
    // This Chromium has no H.265 decoder: the rooftop camera is decoded in software onto a canvas, and says so.
    const rooftop = after.find((t) => t.stream === 'rooftop')!;
    expect(rooftop.surface, describeProbes(after, after)).toBe('canvas');
    expect(barText(rooftop)).toMatch(/^LIVE .*software decode/);
    expect(after.filter((t) => t.stream !== 'rooftop').every((t) => t.surface === 'video' && !t.notes.includes('software decode')), describeProbes(after, after)).toBe(true);

    // Every tile's picture, as the operator sees it: never black, and changing.
    await startPictureSampler(page, 100);
    // A dozen looks at each tile, however slowly a loaded machine runs the sampler's timer.
    await expect
      .poll(() => page.evaluate((n) => {
        const counts = Object.values(window.kvsSampler?.samples ?? {}).map((s) => s.length);
        return counts.length === n ? Math.min(...counts) : 0;
      }, after.length), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(12);
    const samples = await stopPictureSampler(page);
    for (const t of after) {
      const seen = samples[String(t.position)] ?? [];
      expect(seen.length, t.stream).toBeGreaterThanOrEqual(12);
      // A picture, not black: a look with no picture samples as luma 0 (the server room's own picture is dark, near
      // 10). A Shaka tile stalling for a moment on a loaded machine may show one such look; the H.265 tile none.
      const black = seen.filter((s) => s.luma <= 1).length;
      expect(black, `${t.stream}: looks with no picture, of ${seen.length}`).toBeLessThanOrEqual(t.stream === 'rooftop' ? 0 : Math.floor(seen.length / 10));
      expect(new Set(seen.map((s) => s.checksum)).size, `${t.stream}: the picture changes`).toBeGreaterThan(1);
      expect(seen.at(-1)!.currentTime, `${t.stream}: its clock moves`).toBeGreaterThan(seen[0]!.currentTime);
    }

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

    // Eight cameras on a 3×3 wall, one per cell: tile 2 sits top middle, tile 5 below it.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.$eval('section.tile[data-position="5"]', (e) => e.getAttribute('aria-current'))).toBe('true');

    await page.keyboard.press('Escape');
    const tiles = await probeTiles(page);
    // Restored tiles resume at the live edge.
    await waitAllLive(page, tiles.length, 30_000);
  }, 60_000);
});
