/**
 * Sound on a wall, in Debian's Chromium: a muted tile fetches no audio; unmuting swaps in a player with
 * audio without a black frame, and its sound reaches Web Audio — AAC through the platform decoder,
 * G.711 (which MSE refuses) expanded to PCM in the renderer. Muting again stops the audio GETs.
 */
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgePictures, startPictureSampler, stopPictureSampler } from '../support/e2e-sampler';
import { barText, describeProbes, probeTiles, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

let rig: WallRig;
let page: Page;
/** Audio fragment GETs (KVS: TrackNumber=2) the page made. One tile at most is unmuted at a time. */
let audioGets = 0;
/** Video fragment GETs (TrackNumber=1) the page made, all tiles together. */
let videoGets = 0;
/** The page's errors, printed with a failure. */
const pageErrors: string[] = [];

beforeAll(async () => {
  rig = await startWallRig({ emulator: { codecCameras: true } });
  page = await rig.open(wallOf('sound', rig.account!.id, ['reception', 'intercom'], 1, 2));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r: Request) => {
    const url = new URL(r.url());
    if (!/getMP4MediaFragment/i.test(url.pathname)) return;
    if (url.searchParams.get('TrackNumber') === '2') audioGets += 1;
    else videoGets += 1;
  });
  await waitAllLive(page, 2, 60_000);
}, 150_000);
afterAll(async () => {
  await rig?.stop();
});

/** Media points the emulator charged the wall's streams (one per fragment GET, audio or video). */
const mediaPoints = (): number => {
  const points = rig.emulator!.control.counters().points;
  return (points['reception']?.media ?? 0) + (points['intercom']?.media ?? 0);
};

const tileOf = (stream: string) => page.locator(`section.tile[data-stream="${stream}"]`);

/** RMS of the tile's sound over ~0.5 s, taken from its front <video> through a Web Audio analyser. */
async function soundLevel(stream: string): Promise<number> {
  return page.evaluate(async (name) => {
    const video = document.querySelector<HTMLVideoElement>(`section.tile[data-stream="${name}"] video[data-front="true"]`)!;
    const ctx = new AudioContext();
    await ctx.resume();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaElementSource(video).connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 50));
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      peak = Math.max(peak, Math.sqrt(sum / buf.length));
    }
    await ctx.close();
    return peak;
  }, stream);
}

describe('sound on the wall', () => {
  it('muted tiles fetch no audio; each offers Unmute and plays the picture', async () => {
    const probes = await probeTiles(page);
    expect(probes.map((p) => p.badge)).toEqual([expect.stringMatching(/^LIVE/), expect.stringMatching(/^LIVE/)]);
    expect(probes.every((p) => !barText(p).includes('not supported')), describeProbes(probes, probes)).toBe(true);
    await page.waitForTimeout(3000);
    expect(audioGets, 'audio GETs while muted').toBe(0);
    expect(videoGets, 'video GETs while muted').toBeGreaterThan(0);
    // KVS's side of it: the media points charged are the video fragments' alone (the counter lags the
    // page's requests by a moment, so wait for an instant between fragments when both agree).
    await expect.poll(() => mediaPoints() - videoGets, { timeout: 10_000 }).toBe(0);
    await expect(tileOf('intercom').getByRole('button', { name: 'Unmute' }).count()).resolves.toBe(1);
  });

  for (const stream of ['reception', 'intercom']) {
    it(`${stream}: Unmute swaps in audio without a black frame, and the sound reaches Web Audio`, async () => {
      const before = audioGets;
      const mediaPointsBefore = rig.emulator!.control.counters().points[stream]?.media ?? 0;
      const videoGetsBefore = videoGets;
      const allPointsBefore = mediaPoints();
      await startPictureSampler(page, 50);
      // The tile's buttons show while it is pointed at, as for an operator.
      await tileOf(stream).hover();
      await tileOf(stream).getByRole('button', { name: 'Unmute' }).click();
      // The swap: a second <video> loads underneath, then replaces the first.
      const swapped = await page
        .waitForFunction((name) => {
          const videos = document.querySelectorAll(`section.tile[data-stream="${name}"] video`);
          const front = document.querySelector<HTMLVideoElement>(`section.tile[data-stream="${name}"] video[data-front="true"]`);
          return videos.length === 1 && front !== null && !front.muted && ((front as HTMLVideoElement & { webkitAudioDecodedByteCount?: number }).webkitAudioDecodedByteCount ?? 0) > 0;
        }, stream, { timeout: 30_000 })
        .then(() => true, () => false);
      const seen = await probeTiles(page);
      expect(swapped, `${describeProbes(seen, seen)}\naudio GETs ${audioGets - before}\n${pageErrors.join('\n')}`).toBe(true);
      await page.waitForTimeout(1000);
      const samples = await stopPictureSampler(page);
      const position = await tileOf(stream).getAttribute('data-position');
      const verdict = judgePictures(samples[position!] ?? []);
      expect(verdict.swaps, 'one make-before-break swap').toBeGreaterThanOrEqual(1);
      expect(verdict.blackSamples, 'no black frame').toBe(0);
      expect(audioGets, 'audio fragments fetched once unmuted').toBeGreaterThan(before);
      expect((rig.emulator!.control.counters().points[stream]?.media ?? 0) - mediaPointsBefore).toBeGreaterThan(0);
      // Unmuted, the audio fragments are charged too: more media points than video fragments fetched.
      await expect.poll(() => mediaPoints() - allPointsBefore - (videoGets - videoGetsBefore), { message: 'media points beyond the video GETs', timeout: 10_000 }).toBeGreaterThan(0);
      const level = await soundLevel(stream);
      expect(level, 'RMS of the sound at the analyser').toBeGreaterThan(0.005);
      expect(await tileOf(stream).locator('.badge').textContent()).toMatch(/^LIVE/);
      expect(await tileOf(stream).locator('.note').allTextContents()).not.toContain(expect.stringContaining('not supported'));
      await screenshot(page, `audio-tracks-${stream}-unmuted`);

      // Mute: silent at once, and the audio GETs stop once the audio-free player has taken over.
      await tileOf(stream).hover();
      await tileOf(stream).getByRole('button', { name: 'Mute' }).click();
      await page.waitForFunction((name) => {
        const tile = document.querySelector(`section.tile[data-stream="${name}"]`)!;
        return tile.querySelectorAll('video').length === 1 && tile.querySelector<HTMLVideoElement>('video[data-front="true"]')!.muted;
      }, stream, { timeout: 30_000 });
      await page.waitForTimeout(1500);
      const settled = audioGets;
      await page.waitForTimeout(4000);
      expect(audioGets, 'no audio GETs once muted').toBe(settled);
      await waitAllLive(page, 2, 30_000);
    }, 90_000);
  }
});
