/**
 * The canvas player in Chromium against the emulator: it polls a live session's manifest, fetches
 * fragments itself (each GET counted), demuxes them and decodes through the decoder seam onto a canvas.
 * Key frames: one fragment GET and one decode per picture; all frames: a moving picture at the camera's
 * rate; an undecodable codec is said, not spun on.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { serveModule, type ModulePage } from '../support/module-page';
import { sessionUrl, startTestEmulator, type Emulator } from '../integration/emulator/support';

interface CanvasState {
  drawn: number;
  dropped: number;
  cameraMs: number | undefined;
  timeSec: number | undefined;
  decoder: string | undefined;
  unsupported: string | undefined;
  width: number;
  height: number;
  luma: number;
}
interface Harness {
  start(url: string, mode: 'key-frames' | 'all-frames'): void;
  state(): CanvasState;
  setMode(mode: 'key-frames' | 'all-frames'): void;
  stop(): Promise<number>;
  registerCountingProvider(): void;
  counts: Record<'manifests' | 'inits' | 'fragments' | 'throttled', number>;
  failures: Array<{ kind: string }>;
  decodeTimes: number[];
  seam: { configures: number; keyChunks: number; deltaChunks: number; outputs: number };
}
declare global {
  interface Window {
    canvasPlayer: Harness;
  }
}

let emulator: Emulator;
let modulePage: ModulePage;
let browser: Browser;

beforeAll(async () => {
  ({ emulator } = await startTestEmulator({ codecCameras: true }));
  modulePage = await serveModule(join(import.meta.dirname, '..', 'support', 'fixtures', 'canvas-player-entry.ts'), 'canvasPlayer');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await modulePage?.stop();
  await emulator?.stop();
});

async function openPlayer(stream: string, mode: 'key-frames' | 'all-frames', withSeam = false): Promise<Page> {
  const url = await sessionUrl(emulator, { StreamName: stream, PlaybackMode: 'LIVE', Expires: 300, DisplayFragmentTimestamp: 'ALWAYS', MaxManifestFragmentResults: 5 });
  const page = await browser.newPage({ viewport: { width: 640, height: 360 } });
  await page.goto(modulePage.url);
  if (withSeam) await page.evaluate(() => window.canvasPlayer.registerCountingProvider());
  await page.evaluate(([u, m]) => window.canvasPlayer.start(u!, m as 'key-frames'), [url, mode]);
  return page;
}

const state = (page: Page): Promise<CanvasState> => page.evaluate(() => window.canvasPlayer.state());

describe('canvas player', () => {
  it('key frames: one fragment GET and one key-frame decode per picture, through the decoder seam, picture at most a fragment old', async () => {
    const page = await openPlayer('lobby', 'key-frames', true);
    await page.waitForFunction(() => window.canvasPlayer.state().drawn >= 1, undefined, { timeout: 15_000 });
    const first = await state(page);
    expect(first.decoder).toBe('counting WebCodecs');
    expect([first.width, first.height]).toEqual([640, 360]);
    expect(first.luma, 'a picture, not a black canvas').toBeGreaterThan(20);
    await page.waitForFunction((n) => window.canvasPlayer.state().drawn >= n + 3, first.drawn, { timeout: 20_000 });
    const later = await state(page);
    const { counts, seam, failures, decodeTimes } = await page.evaluate(() => ({ counts: window.canvasPlayer.counts, seam: window.canvasPlayer.seam, failures: window.canvasPlayer.failures, decodeTimes: window.canvasPlayer.decodeTimes }));
    expect(failures).toEqual([]);
    // Each picture is a new fragment's key frame: the camera clock moved by whole fragments (≈ 2 s each).
    expect(later.cameraMs! - first.cameraMs!).toBeGreaterThan(5000);
    expect(Date.now() - later.cameraMs!, 'freshness: one fragment + ingest + fetch').toBeLessThan(6000);
    expect(seam.configures).toBe(1);
    expect(seam.deltaChunks, 'no delta frame is decoded').toBe(0);
    expect(seam.keyChunks).toBe(later.drawn);
    expect(counts.fragments, 'one media GET per picture').toBeLessThanOrEqual(later.drawn + 1);
    expect(counts.inits).toBe(1);
    expect(decodeTimes.length).toBe(later.drawn);
    // Teardown leaves no canvas behind.
    expect(await page.evaluate(() => window.canvasPlayer.stop())).toBe(0);
    await page.close();
  });

  it('all frames: the picture moves at the camera rate, and switching to key frames keeps it', async () => {
    const page = await openPlayer('loading-dock', 'all-frames');
    await page.waitForFunction(() => window.canvasPlayer.state().drawn >= 10, undefined, { timeout: 20_000 });
    const a = await state(page);
    await page.waitForTimeout(4000);
    const b = await state(page);
    // 25 fps over 4 s: 100 pictures; headless rAF and a shared machine leave some out, never most.
    expect(b.drawn - a.drawn).toBeGreaterThan(50);
    expect(b.timeSec! - a.timeSec!).toBeGreaterThan(3);
    expect(b.luma).toBeGreaterThan(20);
    await page.evaluate(() => window.canvasPlayer.setMode('key-frames'));
    await page.waitForFunction((n) => window.canvasPlayer.state().drawn >= n + 2, b.drawn, { timeout: 15_000 });
    const c = await state(page);
    expect(c.luma).toBeGreaterThan(20);
    expect(await page.evaluate(() => window.canvasPlayer.failures)).toEqual([]);
    await page.close();
  });

  it('says when no decoder here can decode the stream, and stops asking for fragments', async () => {
    const page = await openPlayer('rooftop', 'key-frames');
    await page.waitForFunction(() => window.canvasPlayer.failures.length > 0, undefined, { timeout: 15_000 });
    const s = await state(page);
    expect(s.unsupported).toMatch(/^hvc1\./);
    expect(await page.evaluate(() => window.canvasPlayer.failures.map((f) => f.kind))).toEqual(['unsupported']);
    const before = await page.evaluate(() => ({ ...window.canvasPlayer.counts }));
    await page.waitForTimeout(3000);
    expect(await page.evaluate(() => window.canvasPlayer.counts)).toEqual(before);
    expect(before.fragments).toBe(0);
    await page.close();
  });
});
