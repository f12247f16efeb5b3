import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b', 'cam-c', 'cam-d'];

/** 16 tiles, 4 per stream: each its own session, none over the stream's limit, none of ours revoked. */
describe('a 16-tile wall of 4 streams', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({
      emulator: {
        cameras: CAMERAS.map((name, i) => ({ name, file: join(CLIPS, i % 2 === 0 ? 'lobby.mp4' : 'loading-dock.mp4') })),
        sessionLimitPerStream: 10,
      },
    });
    page = await rig.open(wallOf('sixteen', rig.account!.id, CAMERAS, 4));
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('plays every tile live within the session limits', async () => {
    await waitAllLive(page, 16, 90_000);
    await screenshot(page, 'sixteen-tiles');
    const counters = rig.emulator!.control.counters();
    for (const name of CAMERAS) {
      expect(counters.activeSessions[name] ?? 0).toBeGreaterThanOrEqual(4);
      expect(counters.activeSessions[name] ?? 0).toBeLessThanOrEqual(10);
    }
    expect(counters.revokedSessions).toBe(0);
    // One <video> per tile once the wall has settled: no leaked decoders.
    expect(await page.$$eval('section.tile video', (v) => v.length)).toBe(16);
  }, 120_000);
});
