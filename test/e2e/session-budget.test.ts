import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, advanced, callApp, probeTiles, screenshot, startWallRig, wallOf, type WallRig } from '../support/e2e-wall';

/** More tiles on a stream than its session budget: the extra tile waits honestly, nobody is evicted. */
describe('a stream whose session budget is full', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { cameras: [{ name: 'cam-a', file: join(ROOT, 'emulator', 'clips', 'lobby.mp4') }] } });
    // Leave 7 of the stream's 10 sessions to other viewers: this app may hold 3, one of them kept
    // spare so playing tiles can renew make-before-break. Two tiles play, a third must wait.
    await callApp(rig.core, 'settings.update', { sessionReservePerStream: 7 });
    page = await rig.open(wallOf('budget', rig.account!.id, ['cam-a'], 3, 2));
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('plays two tiles, and the third says why it waits and when the next session frees', async () => {
    await expect
      .poll(async () => (await probeTiles(page)).map((t) => t.badge.replace(/[\d.]+ s$/, '').replace(/\d\d:\d\d/, 'HH:MM')).sort(), { timeout: 30_000, interval: 500 })
      .toEqual(['LIVE ', 'LIVE ', 'Waiting · next one frees HH:MM']);
    const before = await probeTiles(page);
    await page.waitForTimeout(1500);
    const after = await probeTiles(page);
    expect(after.filter((t, i) => advanced(before[i], t))).toHaveLength(2);
    // Main's sentence, in words a guard understands, under the waiting tile's badge: never a bare "2/3".
    const why = await page.$$eval('section.tile .why', (els) => els.map((e) => e.textContent ?? ''));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/sessions? on this camera/);
    expect(why[0]).not.toMatch(/^\d+\/\d+$/);
    // The per-stream budget indicator shows it full, in words, with the pool in its tooltip.
    expect(await page.$$eval('section.tile .budget', (els) => els.map((e) => e.textContent))).toEqual(['2 of 3 sessions', '2 of 3 sessions', '2 of 3 sessions']);
    expect(await page.locator('section.tile .budget').first().getAttribute('title')).toMatch(/free in the pool|free for the next tile/);
    await screenshot(page, 'session-budget-full');
    const counters = rig.emulator!.control.counters();
    expect(counters.activeSessions['cam-a']).toBe(2);
    expect(counters.revokedSessions).toBe(0);
  }, 60_000);
});
