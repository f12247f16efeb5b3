import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, probeTiles, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b'];
const cameras = CAMERAS.map((name, i) => ({ name, file: join(CLIPS, i === 0 ? 'lobby.mp4' : 'loading-dock.mp4') }));
/**
 * A live tile's target is one 2 s fragment + the ingest lag (≈0.45 s) + 0.7 s of margin behind the
 * camera (live-phase.ts), and catch-up leaves up to 0.4 s alone (catch-up.ts). Back means within
 * that, with room for a learnt ingest lag a little above its floor.
 */
const BACK_SEC = 4.2;
/** Further behind than any live tile ever sits: only a stall puts it there. */
const BEHIND_SEC = 6;

/** Seconds behind the camera of each tile's picture, as the tile read it (kvs:ts of the frame on screen). */
async function latencies(page: Page): Promise<number[]> {
  return (await probeTiles(page)).map((t) => (t.cameraMs === undefined || t.cameraAt === undefined ? Infinity : (t.cameraAt - t.cameraMs) / 1000));
}

/**
 * Latency that recovers: a stall (fragments answered 5 s late) leaves every tile of a wall seconds
 * behind; once fragments come on time again each tile returns to its live target by itself (Shaka
 * alone never does), and the tiles end up within a fragment of each other.
 */
describe('latency that recovers', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras } });
    page = await rig.open(wallOf('catch-up', rig.account!.id, CAMERAS, 2));
    await waitAllLive(page, 4, 60_000);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('every tile falls behind in a stall and is back at its live target after it, the tiles within a fragment of each other', async () => {
    // Settled first: a start can land up to a fragment behind its target, which catch-up closes.
    await expect.poll(async () => Math.max(...(await latencies(page))), { timeout: 45_000, interval: 500 }).toBeLessThanOrEqual(BACK_SEC);

    const control = rig.emulator!.control;
    const fragmentsBefore = control.counters().requests['getMP4MediaFragment'] ?? 0;
    control.setLatency('getMP4MediaFragment', 5000);
    await expect.poll(async () => Math.min(...(await latencies(page))), { timeout: 45_000, interval: 500 }).toBeGreaterThanOrEqual(BEHIND_SEC);
    const worst = Math.max(...(await latencies(page)));
    control.setLatency('getMP4MediaFragment', 0);
    const clearedAt = Date.now();
    // The fault was hit: fragments were asked for (and answered late) while it held.
    expect((control.counters().requests['getMP4MediaFragment'] ?? 0) - fragmentsBefore).toBeGreaterThan(0);

    // A generous bound on a shared machine; the wall bench measures the time itself.
    await expect.poll(async () => Math.max(...(await latencies(page))), { timeout: 40_000, interval: 250 }).toBeLessThanOrEqual(BACK_SEC);
    const backAfterSec = (Date.now() - clearedAt) / 1000;
    const after = await latencies(page);
    expect(Math.max(...after) - Math.min(...after)).toBeLessThanOrEqual(2);
    // Live, not a frozen picture that happens to read a small number; and settled there.
    await waitAllLive(page, 4, 20_000);
    await page.waitForTimeout(5000);
    const settled = await latencies(page);
    expect(Math.max(...settled)).toBeLessThanOrEqual(BACK_SEC);
    console.log(`latency-recovery: worst ${worst.toFixed(2)} s behind in the stall; all back within ${BACK_SEC} s after ${backAfterSec.toFixed(1)} s; then ${after.map((s) => s.toFixed(2)).join(', ')} s, 5 s later ${settled.map((s) => s.toFixed(2)).join(', ')} s`);
  }, 180_000);
});
