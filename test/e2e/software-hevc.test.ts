/**
 * H.265 in Debian's Chromium, which has no platform HEVC decoder: the canvas player decodes the rooftop
 * demo camera through the software decoder (WebAssembly in a worker), under the app's own CSP. The
 * picture moves (frames and camera time advance) and is not black.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { ARTIFACTS } from '../support/e2e-wall';
import { serveVitePage, type VitePage } from '../support/vite-page';
import { sessionUrl, startTestEmulator, type Emulator } from '../integration/emulator/support';

interface CanvasState {
  drawn: number;
  cameraMs: number | undefined;
  timeSec: number | undefined;
  decoder: string | undefined;
  unsupported: string | undefined;
  width: number;
  height: number;
  luma: number;
}
interface Harness {
  useSoftwareHevc(): void;
  start(url: string, mode: 'key-frames' | 'all-frames'): void;
  state(): CanvasState;
  stop(): Promise<number>;
  failures: Array<{ kind: string }>;
  counts: Record<'manifests' | 'inits' | 'fragments', number>;
}
declare global {
  interface Window {
    hevcPlayer: Harness;
  }
}

let emulator: Emulator;
let page: VitePage;
let browser: Browser;

beforeAll(async () => {
  ({ emulator } = await startTestEmulator({ codecCameras: true }));
  page = await serveVitePage(join(import.meta.dirname, '..', 'support', 'fixtures', 'software-hevc-page'), [new URL(emulator.url).origin]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await page?.stop();
  await emulator?.stop();
});

describe('software H.265', () => {
  it('plays the H.265 camera on a canvas: frames and camera time advance, the picture is not black', async () => {
    const url = await sessionUrl(emulator, { StreamName: 'rooftop', PlaybackMode: 'LIVE', Expires: 300, DisplayFragmentTimestamp: 'ALWAYS', MaxManifestFragmentResults: 5 });
    const tab = await browser.newPage({ viewport: { width: 640, height: 360 } });
    const problems: string[] = [];
    tab.on('pageerror', (e) => problems.push(e.message));
    // Resource failures are named by URL below (the browser's own favicon request is not the app's).
    tab.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
    tab.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
    await tab.goto(page.url);
    // Chromium here has no H.265 decoder of its own: the platform is asked first and says no.
    expect(await tab.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"'))).toBe(false);
    await tab.evaluate(([u]) => {
      window.hevcPlayer.useSoftwareHevc();
      window.hevcPlayer.start(u!, 'all-frames');
    }, [url]);
    await tab.waitForFunction(() => window.hevcPlayer.state().drawn >= 10, undefined, { timeout: 30_000 });
    const a = await tab.evaluate(() => window.hevcPlayer.state());
    await tab.waitForTimeout(4000);
    const b = await tab.evaluate(() => window.hevcPlayer.state());
    expect(b.decoder).toBe('software H.265');
    expect([b.width, b.height]).toEqual([640, 360]);
    // 25 fps for 4 s is 100 pictures; a shared machine shows fewer, never none.
    expect(b.drawn - a.drawn).toBeGreaterThan(25);
    expect(b.timeSec! - a.timeSec!).toBeGreaterThan(2);
    expect(b.cameraMs! - a.cameraMs!).toBeGreaterThan(2000);
    expect(b.luma, 'a picture, not a black canvas').toBeGreaterThan(20);
    expect(await tab.evaluate(() => window.hevcPlayer.failures)).toEqual([]);
    expect(problems).toEqual([]);
    await mkdir(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: join(ARTIFACTS, 'software-hevc-rooftop.png') });
    // Teardown ends the worker with the layer: no canvas left.
    expect(await tab.evaluate(() => window.hevcPlayer.stop())).toBe(0);
    await tab.close();
  });
});
