import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GRID_WALL_NAME } from '../../shared/demo';
import type { Wall } from '../../shared/model';
import { ROOT, callApp, screenshot, startWallRig, updateReadmeShot, type WallRig } from '../support/e2e-wall';

/** The many-cameras suite's cache of the 64 re-encoded demo cameras: only the first run pays for them. */
const CAMERA_CACHE = join(ROOT, 'node_modules', '.cache', 'kvs-emulator-cameras-test');

/** One tile as the operator sees it: its camera clock (kvs:ts of the picture on screen) and its tier. */
interface WallTile {
  position: number;
  stream: string;
  phase: string;
  badge: string;
  tier: string | undefined;
  cameraMs: number | undefined;
  /** What draws the visible picture: 'VIDEO' (Shaka) or 'CANVAS' (key frames). */
  front: string | undefined;
}

function lookAtWall(page: Page): Promise<WallTile[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('section.tile')].map((tile) => ({
      position: Number(tile.dataset['position']),
      stream: tile.dataset['stream'] ?? '',
      phase: tile.dataset['phase'] ?? '',
      // The state word and the notes after it ("LIVE · 0.5 fps"), as the tile's bar reads.
      badge: [...tile.querySelectorAll('.badge, .note')].map((part) => part.textContent ?? '').join(' · '),
      tier: tile.dataset['tier'],
      cameraMs: tile.dataset['cameraMs'] === undefined ? undefined : Number(tile.dataset['cameraMs']),
      front: tile.querySelector('[data-front="true"]')?.tagName,
    })),
  );
}

async function tileAt(page: Page, position: number): Promise<WallTile> {
  const tile = (await lookAtWall(page)).find((t) => t.position === position);
  if (!tile) throw new Error(`no tile at position ${position}`);
  return tile;
}

/**
 * Samples one tile's visible picture every 50 ms (drawn onto 32×18, mean luma), across a tier change:
 * what the operator sees, whichever element draws it. A script string: a transpiler's helpers don't
 * exist in the page.
 */
const PICTURE_WATCH = `(position) => {
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 18;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const seen = { samples: 0, black: 0, missing: 0, seeking: 0, fronts: [], details: [] };
  const timer = setInterval(() => {
    const tile = document.querySelector('section.tile[data-position="' + position + '"]');
    const front = tile && tile.querySelector('[data-front="true"]');
    seen.samples += 1;
    if (!front) { seen.missing += 1; return; }
    if (seen.fronts[seen.fronts.length - 1] !== front.tagName) seen.fronts.push(front.tagName);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 32, 18);
    if (front.tagName === 'CANVAS' || front.readyState >= 2) ctx.drawImage(front, 0, 0, 32, 18);
    const data = ctx.getImageData(0, 0, 32, 18).data;
    let luma = 0;
    for (let i = 0; i < data.length; i += 4) luma += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    // A seek keeps the last picture on screen (the element shows it until the next one), though it
    // can't be drawn onto a canvas meanwhile: counted apart, not as black.
    if (front.tagName === 'VIDEO' && front.seeking && front.readyState < 2) { seen.seeking += 1; return; }
    if (luma / (data.length / 4) < 10) {
      seen.black += 1;
      if (seen.details.length < 5) seen.details.push(front.tagName + ' readyState ' + front.readyState + ' seeking ' + front.seeking + ' size ' + (front.videoWidth ?? front.width) + ' at ' + Math.round(performance.now()));
    }
  }, 50);
  window.kvsPictureWatch = { seen, stop: () => clearInterval(timer) };
}`;

declare global {
  interface Window {
    kvsPictureWatch?: { seen: { samples: number; black: number; missing: number; seeking: number; fronts: string[]; details: string[] }; stop: () => void };
  }
}

/**
 * The Demo 8×8 wall (64 distinct demo cameras at 1600×900) under the page's decode budget: every tile
 * keeps a fresh picture, tiles beyond what the machine keeps up with say they show key frames, and a
 * tile the operator selects moves to full rate without a black frame.
 */
describe('a 64-tile wall under the decode budget', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true, emulator: false, demoGrid: { cameras: 64, cacheDir: CAMERA_CACHE }, viewport: { width: 1600, height: 900 } });
    // The first run saves the Demo wall and the Demo 8×8 wall; open the large one.
    const first = await rig.open(undefined, '&decode=adaptive');
    let grid: Wall | undefined;
    for (const deadline = Date.now() + 30_000; !grid && Date.now() < deadline; await first.waitForTimeout(500)) {
      grid = (await callApp(rig.core, 'walls.list', {})).find((w) => w.name === DEMO_GRID_WALL_NAME);
    }
    await first.close();
    if (grid?.tiles.filter((t) => t.stream).length !== 64) throw new Error(`the first run saved no ${DEMO_GRID_WALL_NAME} wall of 64 cameras`);
    page = await rig.open(grid, '&decode=adaptive');
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('shows every camera, each tile\'s camera time advancing over 10 s, key-frame tiles saying so', async () => {
    // The cameras are added in the background after the demo starts; every tile then shows a picture.
    let first = await lookAtWall(page);
    for (const deadline = Date.now() + 240_000; Date.now() < deadline; first = await lookAtWall(page)) {
      if (first.filter((t) => t.phase === 'playing' && t.cameraMs !== undefined).length === 64) break;
      await page.waitForTimeout(2000);
    }
    const showing = first.filter((t) => t.phase === 'playing' && t.cameraMs !== undefined);
    expect(showing.length, `tiles without a picture: ${first.filter((t) => !showing.includes(t)).map((t) => `${t.stream} ${t.phase} "${t.badge}"`).join('; ')}`).toBe(64);
    await page.waitForTimeout(10_000);
    const second = await lookAtWall(page);

    expect(new Set(second.map((t) => t.stream)).size).toBe(64);
    const stuck = second.filter((t) => {
      const before = first.find((f) => f.position === t.position)?.cameraMs;
      return !(t.cameraMs !== undefined && before !== undefined && t.cameraMs > before);
    });
    expect(stuck.map((t) => `${t.stream}: ${first.find((f) => f.position === t.position)?.cameraMs} → ${t.cameraMs} (${t.badge})`)).toEqual([]);

    // Every tile is at one of the tiers, drawn by the matching player, and its badge says which. (A
    // full-rate tile on a busy machine may say Buffering… for a moment; its clock advanced all the same.)
    const budget = JSON.parse((await page.evaluate(() => document.documentElement.dataset['decodeBudget'])) ?? '{}') as { full?: number; keyFrames?: number };
    expect((budget.full ?? 0) + (budget.keyFrames ?? 0)).toBe(64);
    for (const tile of second) {
      if (tile.front === 'CANVAS') {
        expect(tile.tier).toBe('key-frames');
        expect(tile.badge).toMatch(/^LIVE.* · \d+(\.\d)? fps/);
      } else {
        expect(tile.front).toBe('VIDEO');
        expect(tile.badge).not.toMatch(/fps/);
        if (tile.phase === 'playing') expect(tile.tier).toBe('full');
      }
    }

    // As an operator keeps it: the first-run welcome dismissed, nothing under the pointer.
    const welcome = page.locator('button', { hasText: 'Start with the demo' });
    if (await welcome.isVisible()) await welcome.click();
    await page.mouse.move(0, 0);
    await updateReadmeShot(await screenshot(page, 'wall-64'), 'wall-8x8.jpg');
  }, 330_000);

  it('moves a selected tile to full rate and back, make-before-break: never a black or missing picture', async () => {
    // The budget gives a selected tile a full-rate slot first; wait for a key-frames tile to pick.
    await expect.poll(async () => (await lookAtWall(page)).some((t) => t.tier === 'key-frames'), { timeout: 60_000 }).toBe(true);
    const target = (await lookAtWall(page)).filter((t) => t.tier === 'key-frames').pop()!;
    await page.evaluate(`(${PICTURE_WATCH})(${target.position})`);

    await page.click(`section.tile[data-position="${target.position}"] button.surface`, { position: { x: 4, y: 4 } });
    await expect.poll(async () => (await tileAt(page, target.position)).front, { timeout: 60_000 }).toBe('VIDEO');
    const promoted = await tileAt(page, target.position);
    expect(promoted.tier).toBe('full');
    expect(promoted.badge).not.toMatch(/fps/);

    // Select another tile: this one gives its slot back when the budget needs it, again without a gap.
    const other = (await lookAtWall(page)).find((t) => t.position !== target.position && t.tier === 'key-frames')!;
    await page.click(`section.tile[data-position="${other.position}"] button.surface`, { position: { x: 4, y: 4 } });
    await expect.poll(async () => (await tileAt(page, other.position)).front, { timeout: 60_000 }).toBe('VIDEO');
    await page.waitForTimeout(3000);

    const seen = await page.evaluate(() => {
      window.kvsPictureWatch?.stop();
      return window.kvsPictureWatch!.seen;
    });
    expect(seen.samples).toBeGreaterThan(20);
    expect(seen.fronts).toContain('CANVAS');
    expect(seen.fronts).toContain('VIDEO');
    expect({ black: seen.black, missing: seen.missing, details: seen.details }).toEqual({ black: 0, missing: 0, details: [] });
  }, 150_000);
});
