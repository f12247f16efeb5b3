import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, callApp, probeTiles, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

/** Started as a kiosk (`--wall "Test wall lobby" --fullscreen`): that wall, no chrome, even if another was open last. */
describe('kiosk start', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({
      emulator: { cameras: ['cam-a', 'cam-b'].map((name) => ({ name, file: join(ROOT, 'emulator', 'clips', 'lobby.mp4') })) },
      kiosk: { wall: 'Test wall lobby', fullscreen: true },
    });
    await callApp(rig.core, 'walls.save', wallOf('lobby', rig.account!.id, ['cam-a', 'cam-b'], 2));
    page = await rig.open(wallOf('other', rig.account!.id, ['cam-a'], 1));
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('opens the named wall with no toolbar and plays it', async () => {
    await waitAllLive(page, 4);
    expect((await probeTiles(page)).map((t) => t.stream)).toEqual(['cam-a', 'cam-a', 'cam-b', 'cam-b']);
    expect(await page.$('nav.toolbar')).toBeNull();
    await screenshot(page, 'kiosk');
  }, 60_000);
});
