import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, callApp, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const TILES = 16;
const SHARE = 0.5;
/** AWS's per-stream budgets (anchors-2 §2), and this app's share of them. */
const MEDIA_SHARE = 500 * SHARE;
const METADATA_SHARE = 10_000 * SHARE;

/**
 * AWS's current quota model, on both sides: the emulator enforces per-stream point budgets and no
 * session cap; the account is set to the `points` model. Sixteen tiles of one camera all play, and
 * what the app counts of its own spend (from its players' request counts) agrees with what the
 * service charged, well under the app's share.
 */
describe('points quota model: 16 tiles of one camera', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { quotaModel: 'points', cameras: [{ name: 'cam-a', file: join(ROOT, 'emulator', 'clips', 'lobby.mp4') }] } });
    await callApp(rig.core, 'settings.update', {
      accountQuotas: { [rig.account!.id]: { model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare: SHARE } },
    });
    page = await rig.open(wallOf('points', rig.account!.id, ['cam-a'], TILES, 4));
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('plays every tile, and keeps the app’s points per second under its share', async () => {
    await waitAllLive(page, TILES, 90_000);
    const spent = () => rig.emulator!.control.counters().points['cam-a'] ?? { media: 0, metadata: 0 };
    const before = spent();
    const startedAt = Date.now();
    // Long enough for main's points meter (10 s) to see only a wall that is all playing.
    await page.waitForTimeout(15_000);
    const after = spent();
    const seconds = (Date.now() - startedAt) / 1000;
    const charged = { media: (after.media - before.media) / seconds, metadata: (after.metadata - before.metadata) / seconds };

    // What the app says of its own spend, in the budget indicator's tooltip.
    const title = (await page.locator('section.tile .budget').first().getAttribute('title')) ?? '';
    const m = /per second: ([\d,]+) of ([\d,]+) media points and ([\d,]+) of ([\d,]+) metadata points; (\d+) sessions open/.exec(title);
    expect(m, title).not.toBeNull();
    const num = (s: string) => Number(s.replace(/,/g, ''));
    const counted = { media: num(m![1]!), metadata: num(m![3]!) };
    console.log(
      `points mode, ${TILES} tiles of one camera: KVS charged ${charged.media.toFixed(1)} media + ${charged.metadata.toFixed(1)} metadata points/s; ` +
        `the app counts ${counted.media} media + ${counted.metadata} metadata points/s of its share ${MEDIA_SHARE} + ${METADATA_SHARE}; ${m![5]} sessions open`,
    );
    expect(num(m![2]!)).toBe(MEDIA_SHARE);
    expect(num(m![4]!)).toBe(METADATA_SHARE);
    expect(charged.media).toBeGreaterThan(0);
    expect(charged.media).toBeLessThanOrEqual(MEDIA_SHARE);
    expect(charged.metadata).toBeLessThanOrEqual(METADATA_SHARE);
    expect(counted.media).toBeLessThanOrEqual(MEDIA_SHARE);
    expect(counted.metadata).toBeLessThanOrEqual(METADATA_SHARE);
    // The app's count comes from its players' own request counts: it tracks what KVS charged.
    expect(counted.media).toBeGreaterThan(charged.media * 0.5);
    expect(counted.media).toBeLessThan(charged.media * 2);
    expect(counted.metadata).toBeGreaterThan(charged.metadata * 0.5);
    expect(counted.metadata).toBeLessThan(charged.metadata * 2);
    const counters = rig.emulator!.control.counters();
    expect(counters.throttled).toEqual({});
    expect(counters.revokedSessions).toBe(0);
  }, 150_000);
});
