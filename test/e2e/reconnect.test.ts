import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b'];
const TILES = 4;

declare global {
  interface Window {
    kvsSockets?: WebSocket[];
  }
}

/**
 * The browser shell's socket drops and comes back. Main treats the page as gone when its socket
 * closes (its tiles' sessions go back to the pool); the page attaches again and every tile asks again,
 * gets its own session back, and its player carries on: no new session, no reload, no swap.
 */
describe('a dropped socket in the browser shell', () => {
  let rig: WallRig;
  let page: Page;
  const created = () => rig.emulator!.control.counters().requests.getDASHStreamingSessionURL ?? 0;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: CAMERAS.map((name) => ({ name, file: join(CLIPS, 'lobby.mp4') })) } });
    // Keep a handle on the page's sockets, so the test can drop one as a network blip would.
    await rig.context.addInitScript(`{
      const Native = window.WebSocket;
      window.kvsSockets = [];
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          window.kvsSockets.push(this);
        }
      };
    }`);
    page = await rig.open(wallOf('reconnect', rig.account!.id, CAMERAS, 2));
    await waitAllLive(page, TILES, 60_000);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('re-attaches, and every tile keeps its session and its player', async () => {
    const before = created();
    // Tag the <video> each tile shows now: a reload or a swap would replace it.
    await page.evaluate(() => {
      for (const v of document.querySelectorAll<HTMLVideoElement>('section.tile video[data-front="true"]')) v.dataset['probe'] = 'before-drop';
      performance.clearMarks();
    });
    for (let drop = 0; drop < 3; drop++) {
      await page.evaluate(() => window.kvsSockets!.at(-1)!.close());
      await expect.poll(() => page.evaluate(() => window.kvsSockets!.length), { timeout: 10_000 }).toBe(drop + 2);
      // The page attached again and each tile asked again.
      await expect
        .poll(() => page.evaluate(() => performance.getEntriesByName('kvs-wall:acquire').length), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(TILES * (drop + 1));
      await waitAllLive(page, TILES, 20_000);
    }
    expect(created()).toBe(before);
    const shown = await page.evaluate(() => [...document.querySelectorAll<HTMLVideoElement>('section.tile video')].map((v) => v.dataset['probe'] ?? 'new'));
    expect(shown).toEqual(Array.from({ length: TILES }, () => 'before-drop'));
    expect(await page.evaluate(() => performance.getEntriesByName('kvs-wall:load').length)).toBe(0);
    expect(rig.emulator!.control.counters().revokedSessions).toBe(0);
  }, 120_000);
});
