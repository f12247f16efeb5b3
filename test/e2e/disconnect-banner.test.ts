import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CAMERAS = ['cam-a', 'cam-b'];

/**
 * The browser shell stops (its process ended, its port closed) while a wall plays: the page says it
 * lost KVS Wall and keeps trying; when the shell serves again, the banner goes and the wall plays on
 * the sessions it had.
 */
describe('the disconnection banner', () => {
  let rig: WallRig;
  let page: Page;
  const banner = () => page.$$eval('[role="alert"][data-link]', (els) => els.map((e) => `${e.getAttribute('data-link')}: ${e.textContent?.trim() ?? ''}`));
  const created = () => rig.emulator!.control.counters().requests.getDASHStreamingSessionURL ?? 0;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: CAMERAS.map((name) => ({ name, file: join(ROOT, 'emulator', 'clips', 'lobby.mp4') })) } });
    page = await rig.open(wallOf('banner', rig.account!.id, CAMERAS));
    await waitAllLive(page, 2);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('appears when the shell stops and goes when it is back, with the tiles playing again', async () => {
    expect(await banner()).toEqual([]);
    const before = created();
    await rig.stopShell();
    await expect.poll(banner, { timeout: 10_000 }).toEqual([expect.stringMatching(/^socket-closed: Lost the connection to KVS Wall since .*Reconnecting/)]);
    await screenshot(page, 'disconnect-banner');
    await rig.startShell();
    await expect.poll(banner, { timeout: 20_000 }).toEqual([]);
    await waitAllLive(page, 2, 30_000);
    // The tiles took their pooled sessions back: no new KVS session for a reconnect.
    expect(created()).toBe(before);
  }, 90_000);
});
