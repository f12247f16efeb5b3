import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b'];
const TILES = 4;

/**
 * The app quits with sessions that are still valid at KVS; it keeps them encrypted, the key in the OS
 * keychain. Started again on the same user-data folder, every tile is live on those sessions: KVS is
 * not asked for a single new one, whether the operator's browser tab survived or not.
 */
describe('restart with valid sessions kept', () => {
  let rig: WallRig;
  let page: Page;
  const created = () => rig.emulator!.control.counters().requests.getDASHStreamingSessionURL ?? 0;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: CAMERAS.map((name) => ({ name, file: join(CLIPS, 'lobby.mp4') })) } });
    page = await rig.open(wallOf('restart', rig.account!.id, CAMERAS, 2));
    await waitAllLive(page, TILES, 60_000);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('brings every tile back live with 0 new GetDASHStreamingSessionURL calls, in the same tab', async () => {
    const before = created();
    expect(before).toBe(TILES);
    await rig.restart([page]);
    await waitAllLive(page, TILES, 30_000);
    expect(created()).toBe(before);
    expect(rig.emulator!.control.counters().revokedSessions).toBe(0);
  }, 90_000);

  it('and in a new tab after the browser was closed too (the window is new, the sessions are the camera’s)', async () => {
    const before = created();
    await page.close();
    await rig.restart();
    page = await rig.open();
    await waitAllLive(page, TILES, 30_000);
    expect(created()).toBe(before);
    expect(rig.emulator!.control.counters().revokedSessions).toBe(0);
  }, 90_000);
});
