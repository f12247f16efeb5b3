import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, probeTiles, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';
import { collectGarbage, liveCount, MEDIA_LIFETIMES_SCRIPT, readLifetimes } from '../support/media-lifetimes';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b'];
const TILES = 4;
const SWAPS_PER_TILE = 3;

/**
 * A wall runs for weeks and every tile swaps sessions a few times an hour: each swap's old `<video>`,
 * its MediaSource and SourceBuffers must become garbage, its object URL revoked, and Chromium's media
 * player for it destroyed. Counted with a FinalizationRegistry installed before the app's scripts
 * (media-lifetimes.ts) and Chromium's own Media domain, after a forced garbage collection.
 */
describe('session swaps release their media', () => {
  let rig: WallRig;
  let page: Page;
  let cdp: CDPSession;
  const players = { created: 0, destroyed: 0 };

  beforeAll(async () => {
    rig = await startWallRig({
      emulator: { cameras: CAMERAS.map((name) => ({ name, file: join(CLIPS, 'lobby.mp4') })), minExpiresSeconds: 1 },
      sessionTimings: { expiresSeconds: 10, renewLeadSeconds: 4 },
    });
    await rig.context.addInitScript(MEDIA_LIFETIMES_SCRIPT);
    page = await rig.context.newPage();
    cdp = await rig.context.newCDPSession(page);
    cdp.on('Media.playerEventsAdded', ({ events }) => {
      for (const { value } of events) {
        if (value.includes('"kWebMediaPlayerCreated"')) players.created += 1;
        if (value.includes('"kWebMediaPlayerDestroyed"')) players.destroyed += 1;
      }
    });
    await cdp.send('Media.enable');
    await page.goto(await rig.prepare(wallOf('release', rig.account!.id, CAMERAS, TILES / CAMERAS.length)));
    await waitAllLive(page, TILES, 60_000);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it(`collects every replaced <video>, MediaSource and SourceBuffer and destroys its media player after ${SWAPS_PER_TILE}+ swaps per tile`, async () => {
    const created = TILES * (1 + SWAPS_PER_TILE);
    await expect.poll(async () => (await readLifetimes(page)).created.video, { timeout: 150_000, interval: 1000 }).toBeGreaterThanOrEqual(created);
    // Swaps settle to one element per tile; another may start at any moment (hence 2 per tile below).
    await expect.poll(async () => (await probeTiles(page)).every((t) => t.videos === 1), { timeout: 15_000 }).toBe(true);
    await collectGarbage(cdp);
    const counts = await readLifetimes(page);
    const label = JSON.stringify({ ...counts, players });
    expect(counts.created.video, label).toBeGreaterThanOrEqual(created);
    expect(counts.created.mediaSource, label).toBeGreaterThanOrEqual(created);
    // Each tile holds its visible layer, and at most one coming up underneath.
    for (const kind of ['video', 'mediaSource', 'sourceBuffer'] as const) expect(liveCount(counts, kind), `${kind}: ${label}`).toBeLessThanOrEqual(2 * TILES);
    expect(counts.objectUrlsLive, label).toBeLessThanOrEqual(2 * TILES);
    // Chromium's players: created for every layer, destroyed for every replaced one.
    expect(players.created, label).toBeGreaterThanOrEqual(created);
    expect(players.created - players.destroyed, label).toBeLessThanOrEqual(2 * TILES);
  }, 200_000);
});
