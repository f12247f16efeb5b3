import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, barText, callApp, probeTiles, replayFrom, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';
import type { Wall } from '../../shared/model';

const CLIPS = join(ROOT, 'emulator', 'clips');

/** Building a wall by hand: picker, drag and drop, swap, clear, grid, audio, stats, look back. */
describe('editing a wall', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({
      emulator: {
        cameras: [
          { name: 'cam-a', file: join(CLIPS, 'lobby.mp4') },
          { name: 'cam-b', file: join(CLIPS, 'loading-dock.mp4') },
          { name: 'cam-hevc', file: join(CLIPS, 'sample-hevc.mp4') },
        ],
      },
    });
    page = await rig.open(wallOf('edit', rig.account!.id, ['cam-a'], 1, 2));
    await waitAllLive(page, 1);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Cameras' }).click();
    await page.waitForSelector('.picker li .name');
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  /** The wall on screen changes first and is saved a moment later: what the store holds is polled for. */
  const saved = <T,>(read: (wall: Wall) => T) =>
    expect.poll(async () => read((await callApp(rig.core, 'walls.list', {})).find((w) => w.id === 'edit')!), { timeout: 5000 });
  const streamsOnWall = async () => (await probeTiles(page)).map((t) => t.stream);

  it('adds a camera from the picker and it plays', async () => {
    await page.getByRole('button', { name: 'Add cam-b to the wall' }).click();
    await expect.poll(streamsOnWall).toEqual(['cam-a', 'cam-b']);
    await waitAllLive(page, 2);
    await saved((w) => w.tiles.map((t) => t.stream?.streamName)).toEqual(['cam-a', 'cam-b']);
  }, 60_000);

  it('drops a camera from the picker onto an empty tile, and the same camera twice', async () => {
    await page.dragAndDrop('.picker li:has-text("cam-a")', '.cell:nth-child(4)');
    await expect.poll(streamsOnWall).toEqual(['cam-a', 'cam-b', 'cam-a']);
    await waitAllLive(page, 3);
  }, 60_000);

  it('swaps two tiles by dragging one onto the other', async () => {
    await page.dragAndDrop('.cell:nth-child(1)', '.cell:nth-child(2)');
    await expect.poll(streamsOnWall).toEqual(['cam-b', 'cam-a', 'cam-a']);
    await saved((w) => w.tiles.map((t) => [t.cell, t.stream?.streamName])).toEqual([[0, 'cam-b'], [1, 'cam-a'], [3, 'cam-a']]);
    await waitAllLive(page, 3);
  }, 60_000);

  it('clears a tile and changes the grid', async () => {
    await page.getByRole('button', { name: 'Clear tile 4' }).click();
    await expect.poll(streamsOnWall).toEqual(['cam-b', 'cam-a']);
    await page.getByRole('combobox', { name: 'Grid size' }).selectOption('3');
    await saved((w) => w.grid).toBe(3);
    await waitAllLive(page, 2);
    // Nine cells, two of them cameras.
    expect(await page.$$eval('.wall > .cell', (c) => c.length)).toBe(9);
    await page.getByRole('button', { name: 'Done' }).click();
  }, 60_000);

  it('offers Mute and Solo only on cameras that send sound', async () => {
    const tile = page.locator('section.tile[data-position="2"]');
    await tile.hover();
    await expect.poll(() => tile.getByRole('button', { name: 'Stats' }).count()).toBe(1);
    // Neither clip has a sound track: no Unmute or Solo to press in vain.
    expect(await tile.getByRole('button', { name: /^(Unmute|Mute|Solo)$/ }).count()).toBe(0);
  });

  it('shows the stats overlay with what is playing', async () => {
    const tile = page.locator('section.tile[data-position="1"]');
    await tile.hover();
    await tile.getByRole('button', { name: 'Stats' }).click();
    await expect.poll(() => tile.locator('.stats').textContent()).toMatch(/640×360/);
    const text = (await tile.locator('.stats').textContent()) ?? '';
    expect(text).toMatch(/Live latency\d+\.\d s/);
    expect(text).toMatch(/Session expires\d\d:\d\d:\d\d/);
    await screenshot(page, 'tile-stats');
    await tile.getByRole('button', { name: 'Stats' }).click();
  });

  it('looks back: replays from a typed time on the timeline, then returns to live', async () => {
    await replayFrom(page, 1, 20);
    await expect.poll(async () => (await probeTiles(page))[0]!.badge, { timeout: 30_000 }).toBe('REPLAY');
    await expect.poll(async () => (await probeTiles(page))[0]!.extra, { timeout: 10_000 }).toMatch(/^−0:\d\d$/);
    const before = (await probeTiles(page))[0]!;
    await page.waitForTimeout(1500);
    const after = (await probeTiles(page))[0]!;
    expect(after.frames).toBeGreaterThan(before.frames);
    await screenshot(page, 'tile-look-back');
    await page.getByRole('button', { name: 'Back to live' }).click();
    await expect.poll(async () => (await probeTiles(page))[0]!.badge, { timeout: 30_000 }).toMatch(/^LIVE/);
    await page.getByRole('button', { name: 'Close the timeline' }).click();
  }, 90_000);

  it('plays a camera whose codec this machine’s <video> can’t decode (H.265) through the software decoder, and says so', async () => {
    // The camera panel has been open since the start of this suite: the picker no longer warns about it.
    await expect.poll(() => page.locator('.picker li:has-text("cam-hevc")').count()).toBe(1);
    expect(await page.locator('.picker li:has-text("cam-hevc") .reason').count()).toBe(0);
    await callApp(rig.core, 'walls.save', wallOf('hevc', rig.account!.id, ['cam-hevc'], 1, 1));
    await page.getByRole('combobox', { name: 'Wall', exact: true }).selectOption({ label: 'Test wall hevc' });
    await expect.poll(async () => barText((await probeTiles(page))[0] ?? { badge: '', notes: [] }), { timeout: 45_000 }).toMatch(/^LIVE .*software decode/);
    const first = (await probeTiles(page))[0]!;
    expect(first.surface).toBe('canvas');
    await expect.poll(async () => (await probeTiles(page))[0]?.cameraMs ?? 0, { timeout: 15_000 }).toBeGreaterThan(first.cameraMs ?? 0);
  }, 60_000);
});
