import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { ROOT, probeTiles, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b'];
const cameras = CAMERAS.map((name) => ({ name, file: join(CLIPS, 'lobby.mp4') }));

/** Every fault the emulator can inject: the tile is honest about it, then returns to live by itself. */
describe('faults', () => {
  let rig: WallRig;
  let page: Page;
  let restarted: RunningEmulator | undefined;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras } });
    page = await rig.open(wallOf('faults', rig.account!.id, CAMERAS, 2));
    await waitAllLive(page, 4, 60_000);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
    await restarted?.stop();
  });

  const control = () => (restarted ?? rig.emulator!).control;

  it('a camera that stops is shown offline, then comes back live', async () => {
    control().stopCamera('cam-a');
    await expect
      .poll(async () => (await probeTiles(page)).filter((t) => t.stream === 'cam-a').map((t) => `${t.badge} | ${t.why}`), { timeout: 40_000, interval: 500 })
      .toEqual([expect.stringMatching(/^OFFLINE \| Camera offline/), expect.stringMatching(/^OFFLINE \| Camera offline/)]);
    // The frozen last picture is dimmed and says when the camera was last seen.
    expect((await probeTiles(page)).filter((t) => t.stream === 'cam-a').map((t) => t.extra)).toEqual([expect.stringMatching(/^last seen \d\d:\d\d:\d\d$/), expect.stringMatching(/^last seen \d\d:\d\d:\d\d$/)]);
    // The other camera is untouched.
    expect((await probeTiles(page)).filter((t) => t.stream === 'cam-b').every((t) => t.badge.startsWith('LIVE'))).toBe(true);
    await screenshot(page, 'fault-camera-offline');
    control().resumeCamera('cam-a');
    await waitAllLive(page, 4, 60_000);
  }, 120_000);

  it('recovers from a burst of 5xx on manifests and fragments', async () => {
    control().failNext('getDASHManifest', 12, 503);
    control().failNext('getMP4MediaFragment', 12, 500);
    await page.waitForTimeout(4000);
    await waitAllLive(page, 4, 60_000);
  }, 90_000);

  it('recovers from a throttling burst', async () => {
    control().throttle('getDASHManifest', 10);
    control().throttle('getMP4MediaFragment', 10);
    control().throttle('getDASHStreamingSessionURL', 3);
    await page.waitForTimeout(4000);
    await waitAllLive(page, 4, 60_000);
  }, 90_000);

  it('recovers from revoked sessions with new ones', async () => {
    const before = control().sessions().length;
    expect(before).toBeGreaterThanOrEqual(4);
    for (const name of CAMERAS) control().revokeStreamSessions(name);
    await page.waitForTimeout(3000);
    await waitAllLive(page, 4, 60_000);
  }, 90_000);

  it('recovers when the network to the service is cut and restored', async () => {
    // The camera list, fetched once while online, is what the picker can show offline.
    await page.getByRole('button', { name: 'Cameras' }).click();
    await page.waitForSelector('.picker li .name');
    await page.getByRole('button', { name: 'Cameras' }).click();
    const url = new URL(rig.emulator!.url);
    await rig.emulator!.stop();
    await expect
      .poll(async () => (await probeTiles(page)).every((t) => t.badge === 'OFFLINE' && t.why.startsWith('Offline · network unreachable')), { timeout: 40_000, interval: 500 })
      .toBe(true);
    // Asking AWS again for the camera list: the last list fetched is shown, and says so.
    await page.getByRole('button', { name: 'Cameras' }).click();
    await page.locator('.picker').getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.locator('.picker .offline').textContent(), { timeout: 30_000 }).toMatch(/^Offline · list from /);
    expect(await page.$$eval('.picker li .name', (els) => els.map((e) => e.textContent))).toEqual(CAMERAS);
    await screenshot(page, 'fault-network-cut');
    await page.getByRole('button', { name: 'Cameras' }).click();
    // The same port again: the account's endpoint is unchanged, the sessions are gone.
    restarted = await startEmulator({ port: Number(url.port), testControls: true, cameras });
    await waitAllLive(page, 4, 90_000);
  }, 180_000);
});
