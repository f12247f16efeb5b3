import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, badgesSeen, callApp, probeTiles, recordBadges, replayFrom, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b', 'cam-c'];
const TILES = 9;
/** Every tile must be live again this soon after each operator action (the churn bench reports the seconds). */
const LIVE_AGAIN_MS = 20_000;
const SWAPS = 20;
const GRID_ROUNDS = 5;
const LOOK_BACKS = 5;
const RELOADS = 12;
const RESTARTS = 3;

interface Mark {
  name: string;
  tileId: string;
  at: number;
}

/**
 * An operator's routine on a 3×3 wall of three cameras, against the emulator's sessions model (10 per
 * stream, an 11th closes the oldest): swaps, grid changes, look-backs, reloads, restarts. Sessions follow
 * the camera: after each step every tile is live again, none ever waits, KVS never closes one of the
 * app's sessions, and the sessions created stay close to one per tile.
 */
describe('churn: sessions follow the camera', () => {
  let rig: WallRig;
  let page: Page;
  /** Badge texts of pages that are gone (reloaded, restarted). */
  const badges: string[] = [];
  const created = () => rig.emulator!.control.counters().requests.getDASHStreamingSessionURL ?? 0;
  const createdBy: Record<string, number> = {};

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: CAMERAS.map((name, i) => ({ name, file: join(CLIPS, i === 1 ? 'loading-dock.mp4' : 'lobby.mp4') })) } });
    await recordBadges(rig.context);
    page = await rig.open(wallOf('churn', rig.account!.id, CAMERAS, 3, 3));
    await waitAllLive(page, TILES, 60_000);
    createdBy['start'] = created();
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  async function keepBadges(): Promise<void> {
    badges.push(...(await badgesSeen(page)));
  }

  async function marks(): Promise<Mark[]> {
    return page.evaluate(() =>
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name === 'kvs-wall:release' || m.name === 'kvs-wall:acquire')
        .map((m) => ({ name: m.name, tileId: ((m as PerformanceMark).detail as { tileId: string }).tileId, at: m.startTime })),
    );
  }

  /** Runs an operator action and checks the releases it caused reached main before its acquires. */
  async function step(action: () => Promise<void>, tiles = TILES): Promise<void> {
    await page.evaluate(() => performance.clearMarks());
    await action();
    await waitAllLive(page, tiles, LIVE_AGAIN_MS);
    const seen = await marks();
    const lastRelease = Math.max(...seen.filter((m) => m.name === 'kvs-wall:release').map((m) => m.at));
    const firstAcquire = Math.min(...seen.filter((m) => m.name === 'kvs-wall:acquire').map((m) => m.at));
    if (seen.some((m) => m.name === 'kvs-wall:release') && seen.some((m) => m.name === 'kvs-wall:acquire')) {
      expect(lastRelease, JSON.stringify(seen)).toBeLessThanOrEqual(firstAcquire);
    }
  }

  const streams = async () => (await probeTiles(page)).map((t) => t.stream);

  it(`${SWAPS} swaps of two tiles: both play again at once on the sessions they gave back`, async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    // Pairs of cells in a fixed, scattered order; only pairs showing different cameras change anything.
    const pairs: Array<[number, number]> = [];
    for (let a = 0; a < TILES; a++) for (let b = a + 1; b < TILES; b++) pairs.push([a, b]);
    pairs.sort((x, y) => ((x[0] * 7 + x[1] * 13) % 17) - ((y[0] * 7 + y[1] * 13) % 17));
    let done = 0;
    for (let i = 0; done < SWAPS; i++) {
      const [a, b] = pairs[i % pairs.length]!;
      const before = await streams();
      if (before[a] === before[b]) continue;
      await step(async () => {
        await page.dragAndDrop(`.wall > .cell:nth-child(${a + 1})`, `.wall > .cell:nth-child(${b + 1})`);
        await expect.poll(async () => (await streams())[a]).toBe(before[b]);
      });
      done += 1;
    }
    await page.getByRole('button', { name: 'Done' }).click();
    createdBy['swaps'] = created();
  }, 600_000);

  it(`the grid 3×3 → 1×1 → 4×4 → 3×3, ${GRID_ROUNDS} times`, async () => {
    const grid = page.getByRole('combobox', { name: 'Grid size' });
    for (let round = 0; round < GRID_ROUNDS; round++) {
      await step(async () => void (await grid.selectOption('1')), 1);
      await step(async () => void (await grid.selectOption('4')));
      await step(async () => void (await grid.selectOption('3')));
    }
    // Saved just after the wall on screen changes.
    await expect.poll(async () => (await callApp(rig.core, 'walls.list', {})).find((w) => w.id === 'churn')?.grid, { timeout: 5000 }).toBe(3);
    createdBy['grid'] = created();
  }, 600_000);

  it(`Look back and Back to live, ${LOOK_BACKS} times`, async () => {
    for (let i = 0; i < LOOK_BACKS; i++) {
      const tile = page.locator(`section.tile[data-position="${(i % TILES) + 1}"]`);
      await replayFrom(page, (i % TILES) + 1, 20);
      await expect.poll(async () => (await tile.locator('.badge').textContent()) ?? '', { timeout: LIVE_AGAIN_MS }).toBe('REPLAY');
      await step(async () => {
        await page.getByRole('button', { name: 'Back to live' }).click();
        await page.getByRole('button', { name: 'Close the timeline' }).click();
      });
    }
    createdBy['look back'] = created();
  }, 600_000);

  it(`${RELOADS} page reloads`, async () => {
    for (let i = 0; i < RELOADS; i++) {
      await keepBadges();
      await page.reload();
      await waitAllLive(page, TILES, LIVE_AGAIN_MS);
    }
    createdBy['reloads'] = created();
  }, 600_000);

  it(`${RESTARTS} app restarts on the same user-data folder`, async () => {
    for (let i = 0; i < RESTARTS; i++) {
      await keepBadges();
      const before = created();
      await rig.restart([page]);
      await waitAllLive(page, TILES, LIVE_AGAIN_MS);
      // The pool came back from its encrypted file: every tile on a session KVS already had.
      expect(created(), `restart ${i + 1}`).toBe(before);
    }
    createdBy['restarts'] = created();
    await screenshot(page, 'churn-after-restarts');
  }, 600_000);

  it('no tile ever waited, KVS closed none of the app’s sessions, and sessions stayed close to one per tile', async () => {
    await keepBadges();
    const counters = rig.emulator!.control.counters();
    const total = created();
    console.log(
      `churn: KVS created ${total} sessions for ${TILES} tiles over ${SWAPS} swaps, ${GRID_ROUNDS * 3} grid changes, ${LOOK_BACKS} look-backs, ${RELOADS} reloads, ${RESTARTS} restarts ` +
        `(cumulative after each phase: ${JSON.stringify(createdBy)}); revoked ${counters.revokedSessions}; badges seen: ${JSON.stringify([...new Set(badges.map((b) => b.replace(/[\d.]+ s$/, '…')))])}`,
    );
    expect(badges.filter((b) => /wait/i.test(b))).toEqual([]);
    expect(badges.length).toBeGreaterThan(0);
    expect(counters.revokedSessions).toBe(0);
    // One per tile, plus one per look-back (a replay session serves only its own tile and start).
    expect(total).toBeLessThanOrEqual(TILES + LOOK_BACKS + 2);
  }, 60_000);
});
