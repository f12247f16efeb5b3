import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, callApp, startWallRig, wallOf, type WallRig } from '../support/e2e-wall';

/** A wall set to tour two walls every 5 s shows one, then the other, then the first again. */
describe('a tour', () => {
  let rig: WallRig;
  let page: Page;
  const streamsShown = () => page.$$eval('section.tile', (tiles) => [...new Set(tiles.map((t) => (t as HTMLElement).dataset['stream'] ?? ''))].join(','));

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: ['cam-a', 'cam-b'].map((name) => ({ name, file: join(ROOT, 'emulator', 'clips', 'lobby.mp4') })) } });
    await callApp(rig.core, 'walls.save', wallOf('tour-b', rig.account!.id, ['cam-b']));
    await callApp(rig.core, 'settings.update', { tour: { enabled: true, wallIds: ['tour-a', 'tour-b'], intervalSeconds: 5, resumeAfterSeconds: 5 } });
    page = await rig.open(wallOf('tour-a', rig.account!.id, ['cam-a']));
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('rotates through its walls', async () => {
    await expect.poll(streamsShown, { timeout: 20_000 }).toBe('cam-a');
    await expect.poll(streamsShown, { timeout: 20_000 }).toBe('cam-b');
    await expect.poll(streamsShown, { timeout: 20_000 }).toBe('cam-a');
    expect(await page.$('[data-tour="running"]')).not.toBeNull();
  }, 90_000);

  it('stops when the tour is switched off (from any window)', async () => {
    await callApp(rig.core, 'settings.update', { tour: { enabled: false, wallIds: ['tour-a', 'tour-b'], intervalSeconds: 5, resumeAfterSeconds: 5 } });
    await expect.poll(() => page.$('[data-tour="running"]'), { timeout: 10_000 }).toBeNull();
  }, 30_000);
});
