/**
 * H.265 decoded in software on a wall, in Debian's Chromium (no platform H.265 decoder), under the
 * adaptive decode budget: each such tile says "software decode"; a software-decoded tile takes several
 * of the budget's full-rate slots, so beyond what the machine carries the budget puts the rest on key
 * frames — a picture that still changes, a badge that says so in words, Look back still offered.
 * Never a black, unexplained tile.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareDecodeSlots } from '../../renderer/src/player/hevc/availability';
import { judgePictures, startPictureSampler, stopPictureSampler } from '../support/e2e-sampler';
import { barText, describeProbes, probeTiles, screenshot, startWallRig, wallOf, type WallRig } from '../support/e2e-wall';

/** Five H.265 tiles: 3 slots each at 640×360, more than the 8 the budget starts with on 2 cores. */
const TILES = 5;

let rig: WallRig;
let page: Page;

beforeAll(async () => {
  rig = await startWallRig({ emulator: { codecCameras: true } });
  page = await rig.open(wallOf('h265', rig.account!.id, ['rooftop'], TILES, 3), '&decode=adaptive');
}, 120_000);
afterAll(async () => {
  await rig?.stop();
});

describe('software decode on a wall', () => {
  it('badges every software-decoded tile, and puts those beyond the limit on key frames, saying why', async () => {
    const budget = () => page.evaluate(() => JSON.parse(document.documentElement.dataset['decodeBudget'] ?? '{}') as { capacity?: number });
    // Every tile plays on a canvas, decoded in software; some at full rate, the rest at key frames.
    await expect
      .poll(
        async () => {
          const tiles = await probeTiles(page);
          const playing = tiles.filter((t) => t.phase === 'playing' && t.surface === 'canvas' && /^LIVE .*software decode/.test(barText(t)));
          return playing.length === TILES && playing.some((t) => /fps/.test(barText(t))) ? 'ok' : describeProbes(tiles, tiles);
        },
        { timeout: 120_000, interval: 1000 },
      )
      .toBe('ok');
    const { capacity } = await budget();
    expect(capacity, 'the budget has a capacity').toBeGreaterThan(0);

    const tiles = await probeTiles(page);
    const reduced = tiles.filter((t) => /fps/.test(barText(t)));
    // No more tiles play every frame than the capacity has slots for.
    expect(tiles.length - reduced.length, describeProbes(tiles, tiles)).toBeLessThanOrEqual(Math.floor(capacity! / softwareDecodeSlots(640, 360)));
    const limited = page.locator(`section.tile[data-position="${reduced[0]!.position}"]`);
    expect(await limited.locator('canvas[data-front="true"]').getAttribute('data-mode')).toBe('key-frames');
    // Why, in words (the badge's title), and the tile's tools are still there.
    expect(await limited.locator('.note').first().getAttribute('title')).toMatch(/^Key frames only: this machine decodes one picture per fragment/);
    expect(await limited.getByRole('button', { name: 'Look back' }).count()).toBe(1);

    // Its picture is there and changes with each key frame: sample until it has changed twice.
    await startPictureSampler(page, 200);
    const key = String(reduced[0]!.position);
    await expect
      .poll(() => page.evaluate((k) => new Set((window.kvsSampler?.samples[k] ?? []).map((s) => s.checksum)).size, key), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(3);
    const samples = (await stopPictureSampler(page))[key] ?? [];
    expect(judgePictures(samples).blackSamples, 'no black picture').toBe(0);
    await screenshot(page, 'software-decode-limit');
  }, 180_000);
});
