import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { KinesisVideoClient, GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand, KinesisVideoArchivedMediaClient, type GetDASHStreamingSessionURLCommandInput } from '@aws-sdk/client-kinesis-video-archived-media';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index';
import { launchChromium } from '../support/browser';

const shakaPath = createRequire(import.meta.url).resolve('shaka-player/dist/shaka-player.compiled.js');

/** A page on its own origin, as the app's renderer is: every manifest and fragment fetch is cross-origin. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>emulator playback</title>
<video id="v" muted autoplay playsinline width="640" height="360"></video>
<script src="/shaka.js"></script>
<script>
  shaka.polyfill.installAll();
  window.errors = [];
  window.play = async (url) => {
    if (window.player) await window.player.destroy();
    const video = document.getElementById('v');
    const player = new shaka.Player();
    player.addEventListener('error', (e) => window.errors.push(String(e.detail && e.detail.code)));
    await player.attach(video);
    window.player = player;
    await player.load(url);
    await video.play().catch(() => {});
  };
  window.sample = () => {
    const video = document.getElementById('v');
    return { frames: video.getVideoPlaybackQuality().totalVideoFrames, time: video.currentTime, paused: video.paused, live: window.player.isLive(), errors: window.errors.slice() };
  };
</script>`;

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
interface Sample {
  frames: number;
  time: number;
  paused: boolean;
  live: boolean;
  errors: string[];
}

let emulator: Emulator;
let pageServer: Server;
let browser: Browser;
let page: Page;

async function sessionUrl(input: GetDASHStreamingSessionURLCommandInput): Promise<string> {
  const config = { region: emulator.region, credentials: emulator.credentials, endpoint: emulator.url };
  const { DataEndpoint } = await new KinesisVideoClient(config).send(new GetDataEndpointCommand({ StreamName: input.StreamName, APIName: 'GET_DASH_STREAMING_SESSION_URL' }));
  const out = await new KinesisVideoArchivedMediaClient({ ...config, endpoint: DataEndpoint }).send(new GetDASHStreamingSessionURLCommand(input));
  return out.DASHStreamingSessionURL ?? '';
}

/** Plays a session and samples it every second for `seconds`. */
async function playFor(url: string, seconds: number): Promise<Sample[]> {
  await page.evaluate((u) => (window as unknown as { play: (u: string) => Promise<void> }).play(u), url);
  const samples: Sample[] = [];
  for (let i = 0; i <= seconds; i++) {
    samples.push(await page.evaluate(() => (window as unknown as { sample: () => Sample }).sample()));
    if (i < seconds) await page.waitForTimeout(1000);
  }
  return samples;
}

function expectPlaying(samples: Sample[], minAdvanceSeconds: number): void {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) throw new Error('no samples');
  expect(last.errors).toEqual([]);
  expect(last.frames - first.frames).toBeGreaterThan(minAdvanceSeconds * 15);
  expect(last.time - first.time).toBeGreaterThan(minAdvanceSeconds);
  expect(last.paused).toBe(false);
}

beforeAll(async () => {
  emulator = await startEmulator({ archiveSeconds: 600 });
  const shaka = readFileSync(shakaPath);
  pageServer = createServer((req, res) => {
    if (req.url === '/shaka.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(shaka);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  await emulator?.stop();
});

describe('Shaka Player 5.2 plays emulator sessions in Chromium', () => {
  it('plays LIVE across many manifest refreshes', { timeout: 60_000 }, async () => {
    const camera = emulator.cameras[0] ?? '';
    const before = emulator.control.counters().requests.getDASHManifest ?? 0;
    const samples = await playFor(await sessionUrl({ StreamName: camera, PlaybackMode: 'LIVE' }), 12);
    expect(samples.at(-1)?.live).toBe(true);
    expectPlaying(samples, 9);
    const manifests = (emulator.control.counters().requests.getDASHManifest ?? 0) - before;
    expect(manifests).toBeGreaterThanOrEqual(6);
  });

  it('plays an ON_DEMAND range', { timeout: 60_000 }, async () => {
    const camera = emulator.cameras[1] ?? emulator.cameras[0] ?? '';
    const now = Date.now();
    const samples = await playFor(
      await sessionUrl({
        StreamName: camera,
        PlaybackMode: 'ON_DEMAND',
        DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(now - 300_000), EndTimestamp: new Date(now - 240_000) } },
      }),
      5,
    );
    expect(samples.at(-1)?.live).toBe(false);
    expectPlaying(samples, 3);
  });

  it('plays a LIVE_REPLAY session from an earlier start', { timeout: 60_000 }, async () => {
    const camera = emulator.cameras[2] ?? emulator.cameras[0] ?? '';
    const samples = await playFor(
      await sessionUrl({
        StreamName: camera,
        PlaybackMode: 'LIVE_REPLAY',
        DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(Date.now() - 120_000) } },
      }),
      8,
    );
    expectPlaying(samples, 5);
  });
});
