import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CAMERAS = ['cam-a', 'cam-b'];
const TILES = 4;

/**
 * The page's renderer process dies (as a GPU driver fault or an out-of-memory kill would do it) and
 * the page is loaded again, as the desktop shell does on `render-process-gone`: every tile is back,
 * live, on the sessions the pool kept for it — no new KVS session.
 */
describe('a crashed renderer, reloaded', () => {
  let rig: WallRig;
  let page: Page;
  const created = () => rig.emulator!.control.counters().requests.getDASHStreamingSessionURL ?? 0;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: CAMERAS.map((name) => ({ name, file: join(ROOT, 'emulator', 'clips', 'lobby.mp4') })) } });
    page = await rig.open(wallOf('crash', rig.account!.id, CAMERAS, 2));
    await waitAllLive(page, TILES);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('comes back with every tile live and 0 new sessions', async () => {
    const before = created();
    const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()));
    const cdp = await rig.context.newCDPSession(page);
    // Never answered: the renderer is gone before it could reply.
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
    // A crashed tab can't be reloaded through the automation API; the same address in a new tab is the
    // same load (its old socket closed with the dead process, so it is window w1 again).
    await page.close();
    page = await rig.context.newPage();
    await page.goto(rig.shell.url);
    await waitAllLive(page, TILES, 60_000);
    expect(created()).toBe(before);
    expect(rig.emulator!.control.counters().revokedSessions).toBe(0);
  }, 120_000);
});
