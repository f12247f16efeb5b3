/**
 * Soak benchmark: a 16-tile wall of 4 emulator cameras (360p, 2 s fragments) with short sessions
 * (Expires 20 s, renewed 6 s ahead), so every tile swaps sessions every ~14 s, for a bounded time.
 *
 *   npm run bench -- soak [--minutes 3] [--tiles 16] [--only ours|naive] [--driver raw|playwright] [--skip-played-bytes]
 *
 * Runs the app, then the same wall with the naive teardown (`?teardown=naive`: `player.destroy()` and
 * the `<video>` removed, nothing more), and ends with both side by side: memory slope (over the whole
 * window and over its last two thirds, after warm-up) and per swap.
 *
 * The page is driven over a bare DevTools pipe (page-driver.ts): Playwright turns DevTools' Network
 * domain on for its pages, and the renderer then keeps up to 200 MB of response bodies and a record of
 * every request, which on a wall fetching 8 requests a second is most of the growth one would measure
 * (`--driver playwright` shows it).
 *
 * Measures, from the moment every tile is live to the end:
 * - renderer memory: PSS of Chromium's renderer process(es) (pids from CDP SystemInfo.getProcessInfo,
 *   Pss from /proc/<pid>/smaps_rollup) at the start, every 30 s and at the end; per tile and growth;
 * - renewal: gaps between presented frames of each tile's visible video (requestVideoFrameCallback,
 *   across swaps) and swaps; black pictures (a 32×18 canvas luma check every 100 ms) in a separate
 *   1-minute phase after the memory window (drawing videos onto a canvas inflates the renderer);
 * - bytes fetched ÷ bytes played: the media fragment bytes the emulator served in the window vs the
 *   sizes of the fragments whose media time each tile presented (sizes read afterwards with HEAD
 *   requests through an ON_DEMAND session, ≈ 8 min after a 30-min soak: `--skip-played-bytes` skips
 *   them; media time = tfdt, the same for every LIVE session of a stream);
 * - live latency of the tiles showing LIVE: the moment the tile read its picture's camera time (kvs:ts) − that camera time;
 * - API calls at the emulator: session creations per tile-hour, GetDataEndpoint after warm-up.
 *
 * Loopback only; stops by itself and cleans up. The in-page probes keep constant-size state (no
 * per-sample arrays), so they don't add to the memory they measure. Not part of pass/fail.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetDASHStreamingSessionURLCommand, KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { GetDataEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import type { RunningEmulator } from '../../emulator';
import { ROOT, probeTiles, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';
import { chromiumMemory } from './machine';
import { driverName, openPage, type Cdp, type DrivenPage } from './page-driver';
import { quantile, slope } from './stats';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '3' }, tiles: { type: 'string', default: '16' }, only: { type: 'string' }, driver: { type: 'string', default: 'raw' }, 'skip-played-bytes': { type: 'boolean', default: false } } });
const DRIVER = driverName(values.driver);
const MINUTES = Number(values.minutes);
const TILES = Number(values.tiles);
if (!(MINUTES > 0) || !(TILES > 0)) throw new Error('--minutes and --tiles must be positive');
const CAMERAS = ['cam-a', 'cam-b', 'cam-c', 'cam-d'];
/** Four different 360p 25 fps clips, so the streams don't share fragment sizes. */
const CLIP_FILES = ['lobby.mp4', 'loading-dock.mp4', 'parking-north.mp4', 'server-room.mp4'];
const CLIPS = join(ROOT, 'emulator', 'clips');
const EXPIRES_S = 20;
const LEAD_S = 6;
const FRAME_INTERVAL_MS = 40;
const MEMORY_EVERY_MS = 30_000;
const LATENCY_EVERY_MS = 5_000;
const SAMPLE_MS = 100;
/** After the memory window: the black-picture check, which would distort memory, runs this long. */
const BLACK_PHASE_MS = 60_000;
const MiB = 1024 * 1024;

/**
 * The app beside the naive teardown (`?teardown=naive`: `player.destroy()` and the element removed, as
 * most players leave it), in the same run: the memory each swap leaves behind, ours and theirs.
 */
interface SoakConfig {
  name: string;
  key: 'ours' | 'naive';
  query: string;
}
const CONFIGS: SoakConfig[] = (
  [
    { name: 'ours (full teardown)', key: 'ours', query: '' },
    { name: 'naive (player.destroy() + element removed)', key: 'naive', query: '&teardown=naive' },
  ] satisfies SoakConfig[]
).filter((c) => !values.only || c.key === values.only);
if (CONFIGS.length === 0) throw new Error('--only ours or --only naive');

interface SoakSummary {
  config: SoakConfig;
  spanMin: number;
  firstMiB: number;
  lastMiB: number;
  fitMiBPerMin: number;
  heapFitMiBPerMin: number;
  /** Over the last two thirds of the window (the last 40 minutes of a 60-minute soak), after warm-up. */
  lateFitMiBPerMin: number;
  /** The same, over the readings with no swap in flight (one <video> per tile). */
  settledFitMiBPerMin: number;
  lateFromMin: number;
  lateSwaps: number;
  lateSpanMin: number;
  swaps: number;
  domStart: number;
  domEnd: number;
}

// ---------------------------------------------------------------------------------------------
// In-page probe. A string, not a function: tsx would wrap named inner functions in `__name(...)`,
// which doesn't exist in the page.
// ---------------------------------------------------------------------------------------------

interface TileProbeState {
  stream: string;
  element: number;
  swaps: number;
  samples: number;
  black: number;
  /** Callbacks of the visible video, and how many presented frames they skipped (presentedFrames jumps). */
  callbacks: number;
  skipped: number;
  /** Longest estimated gap between presented frames (a skipped run is spread evenly) and where. */
  longestGapMs: number;
  longestGapAcrossSwap: boolean;
  /** Longest gap between two callbacks of the visible video, whatever presentedFrames says. */
  longestCallbackGapMs: number;
  /**
   * Gaps over 100 ms between presented frames, by what the media time did across them (the interval
   * between the two callbacks):
   * - swap: the front video changed (a renewal's or stream switch's raise);
   * - jump: it moved forward by more than the interval + 0.3 s (catch-up's seek to a key frame);
   * - dropped: it moved on with the clock (≥ half the interval): frames were decoded but not presented,
   *   the machine was too busy to show them;
   * - stall: it stood (nearly) still. `stallAfterSwap`: within 3 s of a swap; `stallDry`: the frame before
   *   had less than 0.25 s buffered after it (the player ran out of media at the live edge);
   *   `stallBuffered`: media was there (decoding or presenting held it up).
   */
  gapCauses: Record<GapCause, { count: number; longestMs: number }>;
  /** Presented media time (s) as merged runs [start, end]. */
  intervals: Array<[number, number]>;
}

type GapCause = 'swap' | 'jump' | 'dropped' | 'stallAfterSwap' | 'stallDry' | 'stallBuffered';
const GAP_CAUSES: readonly GapCause[] = ['swap', 'jump', 'dropped', 'stallAfterSwap', 'stallDry', 'stallBuffered'];

interface SoakProbe {
  running: boolean;
  /** The black check draws videos onto a canvas, which costs the renderer ≈ 450 MiB: off while memory is measured. */
  canvas: boolean;
  tiles: Record<string, TileProbeState>;
  stop(): void;
}

declare global {
  interface Window {
    kvsSoak?: SoakProbe;
  }
}

const PAGE_PROBE = `(() => {
  const SAMPLE_MS = ${SAMPLE_MS};
  const canvas = document.createElement('canvas');
  canvas.width = 32; canvas.height = 18;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const ids = new WeakMap();
  const watched = new WeakSet();
  let nextId = 1;
  const idOf = (v) => { if (!ids.has(v)) ids.set(v, nextId++); return ids.get(v); };
  const probe = { running: true, canvas: false, tiles: {}, stop: () => { probe.running = false; clearInterval(timer); } };
  const state = (key) => probe.tiles[key] ??= { stream: '', element: 0, swaps: 0, samples: 0, black: 0, callbacks: 0, skipped: 0,
    longestGapMs: 0, longestGapAcrossSwap: false, longestCallbackGapMs: 0, intervals: [],
    gapCauses: Object.fromEntries(${JSON.stringify(GAP_CAUSES)}.map((c) => [c, { count: 0, longestMs: 0 }])),
    lastAt: -1, lastEl: 0, lastPresented: 0, lastMedia: 0, lastAhead: 0, swapAt: -Infinity };
  const aheadOf = (video, m) => {
    const b = video.buffered;
    for (let i = 0; i < b.length; i++) if (b.start(i) <= m + 0.05 && b.end(i) > m) return b.end(i) - m;
    return 0;
  };
  const watch = (video, key) => {
    if (watched.has(video)) return;
    watched.add(video);
    const el = idOf(video);
    const onFrame = (now, meta) => {
      if (!probe.running || !video.isConnected) return;
      if (video.dataset.front === 'true') {
        const t = state(key);
        const at = meta.expectedDisplayTime ?? now;
        t.callbacks += 1;
        if (t.lastAt >= 0) {
          const raw = at - t.lastAt;
          const sameEl = t.lastEl === el;
          const frames = sameEl ? Math.max(1, meta.presentedFrames - t.lastPresented) : 1;
          if (frames > 1) t.skipped += frames - 1;
          const gap = raw / frames;
          if (raw > t.longestCallbackGapMs) t.longestCallbackGapMs = raw;
          if (gap > t.longestGapMs) { t.longestGapMs = gap; t.longestGapAcrossSwap = !sameEl; }
          if (gap > 100) {
            const moved = meta.mediaTime - t.lastMedia;
            const cause = !sameEl ? 'swap' : moved > raw / 1000 + 0.3 ? 'jump' : moved >= raw / 2000 ? 'dropped'
              : at - t.swapAt < 3000 ? 'stallAfterSwap' : t.lastAhead < 0.25 ? 'stallDry' : 'stallBuffered';
            const c = t.gapCauses[cause];
            c.count += 1;
            if (gap > c.longestMs) c.longestMs = gap;
          }
          if (!sameEl) t.swapAt = at;
        }
        t.lastAt = at; t.lastEl = el; t.lastPresented = meta.presentedFrames; t.lastMedia = meta.mediaTime;
        t.lastAhead = aheadOf(video, meta.mediaTime);
        const m = meta.mediaTime;
        const last = t.intervals[t.intervals.length - 1];
        if (last && m >= last[0] - 0.001 && m <= last[1] + 0.5) { if (m > last[1]) last[1] = m; }
        else if (t.intervals.length < 1000) t.intervals.push([m, m]);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  const timer = setInterval(() => {
    for (const tile of document.querySelectorAll('section.tile')) {
      const key = tile.dataset.position ?? '?';
      const t = state(key);
      t.stream = tile.dataset.stream ?? '';
      for (const v of tile.querySelectorAll('video')) watch(v, key);
      const video = tile.querySelector('video[data-front="true"]');
      if (!video) continue;
      const el = idOf(video);
      if (t.element !== 0 && el !== t.element) t.swaps += 1;
      t.element = el;
      if (!probe.canvas) continue;
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, 32, 18);
      if (video.readyState >= 2) ctx.drawImage(video, 0, 0, 32, 18);
      const data = ctx.getImageData(0, 0, 32, 18).data;
      let luma = 0;
      for (let i = 0; i < data.length; i += 4) luma += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      t.samples += 1;
      if (luma / (data.length / 4) < 10) t.black += 1;
    }
  }, SAMPLE_MS);
  window.kvsSoak = probe;
})()`;

/** Per tile: the visible video's clock and the end of its buffered range containing it. */
function frontBuffers(page: DrivenPage): Promise<Record<string, { stream: string; currentTime: number; bufferedEnd: number; videos: number }>> {
  return page.evaluate(() => {
    const out: Record<string, { stream: string; currentTime: number; bufferedEnd: number; videos: number }> = {};
    for (const tile of document.querySelectorAll<HTMLElement>('section.tile')) {
      const video = tile.querySelector<HTMLVideoElement>('video[data-front="true"]');
      if (!video) continue;
      let end = video.currentTime;
      for (let i = 0; i < video.buffered.length; i++) {
        if (video.buffered.start(i) <= video.currentTime + 0.1 && video.buffered.end(i) > end) end = video.buffered.end(i);
      }
      out[tile.dataset['position'] ?? '?'] = { stream: tile.dataset['stream'] ?? '', currentTime: video.currentTime, bufferedEnd: end, videos: tile.querySelectorAll('video').length };
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

interface MemorySample {
  atMin: number;
  /** PSS of the largest renderer (the wall's), MiB. */
  rendererMiB: number;
  renderers: number;
  /** PSS of every other Chromium process (browser, GPU, utility: network, video decode…), MiB. */
  othersMiB: number;
  jsHeapMiB: number;
  domNodes: number;
  videos: number;
  swaps: number;
}

async function sampleMemory(browserCdp: Cdp, pageCdp: Cdp, page: DrivenPage, atMin: number): Promise<MemorySample> {
  const memory = await chromiumMemory(browserCdp);
  const { metrics } = await pageCdp.send<{ metrics: Array<{ name: string; value: number }> }>('Performance.getMetrics');
  const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
  const probe = await page.evaluate(() => ({
    videos: document.querySelectorAll('section.tile video').length,
    swaps: Object.values(window.kvsSoak?.tiles ?? {}).reduce((n, t) => n + t.swaps, 0),
  }));
  return {
    atMin,
    ...memory,
    jsHeapMiB: metric('JSHeapUsedSize') / MiB,
    domNodes: metric('Nodes'),
    ...probe,
  };
}

// ---------------------------------------------------------------------------------------------
// Fragment catalog: sizes and media times of every fragment of a stream over the soak
// ---------------------------------------------------------------------------------------------

interface CatalogFragment {
  start: number;
  end: number;
  bytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One ON_DEMAND session per stream over [fromMs, toMs] (after the measurement, so its calls don't
 * count), its manifest's SegmentTimeline (S@t is the fragment's tfdt, as in LIVE sessions), then a
 * HEAD per fragment whose media time some tile presented, for its Content-Length.
 */
async function fragmentCatalog(emulator: RunningEmulator, stream: string, fromMs: number, toMs: number, wanted: (f: { start: number; end: number }) => boolean): Promise<CatalogFragment[]> {
  const kv = new KinesisVideoClient({ endpoint: emulator.url, region: emulator.region, credentials: emulator.credentials, maxAttempts: 3 });
  const { DataEndpoint } = await kv.send(new GetDataEndpointCommand({ StreamName: stream, APIName: 'GET_DASH_STREAMING_SESSION_URL' }));
  const am = new KinesisVideoArchivedMediaClient({ endpoint: DataEndpoint, region: emulator.region, credentials: emulator.credentials, maxAttempts: 3 });
  const out = await am.send(
    new GetDASHStreamingSessionURLCommand({
      StreamName: stream,
      PlaybackMode: 'ON_DEMAND',
      DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(fromMs), EndTimestamp: new Date(toMs) } },
      MaxManifestFragmentResults: 1000,
      Expires: 300,
    }),
  );
  const manifestUrl = out.DASHStreamingSessionURL!;
  const mpd = await (await fetch(manifestUrl)).text();
  const template = /<SegmentTemplate([^>]*)>/.exec(mpd)?.[1] ?? '';
  const attr = (name: string): string => new RegExp(`\\b${name}="([^"]*)"`).exec(template)?.[1] ?? '';
  const timescale = Number(attr('timescale'));
  let number = Number(attr('startNumber'));
  const media = attr('media').replace(/&amp;/g, '&');
  const fragments: Array<{ number: number; start: number; end: number }> = [];
  let next = 0;
  for (const s of mpd.matchAll(/<S\b([^>]*)\/>/g)) {
    const get = (name: string): number | undefined => {
      const v = new RegExp(`\\b${name}="(\\d+)"`).exec(s[1]!)?.[1];
      return v === undefined ? undefined : Number(v);
    };
    const d = get('d')!;
    let t = get('t') ?? next;
    for (let r = 0; r <= (get('r') ?? 0); r++) {
      fragments.push({ number: number++, start: t / timescale, end: (t + d) / timescale });
      t += d;
    }
    next = t;
  }
  const catalog: CatalogFragment[] = [];
  for (const f of fragments.filter(wanted)) {
    const url = new URL(media.replace('$Number$', String(f.number)), manifestUrl);
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, { method: 'HEAD' });
      if (res.ok) {
        catalog.push({ start: f.start, end: f.end, bytes: Number(res.headers.get('content-length')) });
        break;
      }
      if (attempt >= 5) throw new Error(`HEAD fragment ${f.number} of ${stream}: ${res.status}`);
      await sleep(250);
    }
    await sleep(120); // the emulator's per-session media quota is 10/s
  }
  return catalog;
}

function mergeIntervals(intervals: ReadonlyArray<readonly [number, number]>, slack = 0.1): Array<[number, number]> {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + slack) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

const overlaps = (f: { start: number; end: number }, ranges: ReadonlyArray<readonly [number, number]>): boolean => ranges.some(([a, b]) => f.start <= b && f.end > a);

// ---------------------------------------------------------------------------------------------


function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');
const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : '—');

async function soakOnce(config: SoakConfig): Promise<SoakSummary> {
  let rig: WallRig | undefined;
  let page: DrivenPage | undefined;
  const stopAll = async (): Promise<void> => {
    await page?.close().catch(() => undefined);
    await rig?.stop();
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    process.stderr.write(`soak: ${config.name}: starting a ${TILES}-tile wall (sessions Expires ${EXPIRES_S} s, renewed ${LEAD_S} s ahead) for ${MINUTES} min…\n`);
    rig = await startWallRig({
      emulator: { cameras: CAMERAS.map((name, i) => ({ name, file: join(CLIPS, CLIP_FILES[i % CLIP_FILES.length]!) })), minExpiresSeconds: 1 },
      sessionTimings: { expiresSeconds: EXPIRES_S, renewLeadSeconds: LEAD_S },
    });
    const emulator = rig.emulator!;
    const copies = Math.ceil(TILES / CAMERAS.length);
    const wall = wallOf('soak', rig.account!.id, CAMERAS, copies);
    wall.tiles = wall.tiles.slice(0, TILES);
    // Opened over a bare DevTools pipe by default: a page Playwright drives keeps every response for
    // DevTools (page-driver.ts), which would be most of what this measures.
    page = await openPage(DRIVER, await rig.prepare(wall, config.query), { playwright: { browser: rig.browser, context: rig.context } });
    const { cdp: pageCdp, browserCdp } = page;
    pageCdp.on('Inspector.targetCrashed', () => process.stderr.write('soak: the page crashed\n'));
    await pageCdp.send('Inspector.enable');

    const liveStarted = Date.now();
    await waitAllLive(page, TILES, 120_000, 1000);
    process.stderr.write(`soak: all ${TILES} live after ${((Date.now() - liveStarted) / 1000).toFixed(1)} s; settling 5 s\n`);
    await page.waitForTimeout(5000);

    await pageCdp.send('Performance.enable');

    // ---- the measurement window ----
    // SOAK_NO_PROBE=1: memory and API counters only, to see what the in-page probe itself costs.
    if (!process.env['SOAK_NO_PROBE']) await page.evaluate(PAGE_PROBE);
    const t0 = Date.now();
    const counters0 = emulator.control.counters();
    const buffers0 = await frontBuffers(page);
    const memory: MemorySample[] = [await sampleMemory(browserCdp, pageCdp, page, 0)];
    const latencies: number[] = [];
    let notPlaying = 0;
    let probes = 0;
    const endAt = t0 + MINUTES * 60_000;
    let nextMemory = t0 + MEMORY_EVERY_MS;
    let nextLatency = t0 + LATENCY_EVERY_MS;
    while (Date.now() < endAt) {
      await sleep(Math.max(0, Math.min(nextMemory, nextLatency, endAt) - Date.now()));
      const now = Date.now();
      if (now >= nextLatency && now < endAt) {
        nextLatency += LATENCY_EVERY_MS;
        for (const t of await probeTiles(page)) {
          probes += 1;
          if (t.phase !== 'playing') notPlaying += 1;
          if (t.badge === 'LIVE' && t.cameraMs !== undefined && t.cameraAt !== undefined) latencies.push(t.cameraAt - t.cameraMs);
        }
      }
      if (now >= nextMemory && now < endAt - 5000) {
        nextMemory += MEMORY_EVERY_MS;
        memory.push(await sampleMemory(browserCdp, pageCdp, page, (now - t0) / 60_000));
        const m = memory[memory.length - 1]!;
        process.stderr.write(`soak: ${f1(m.atMin)} min renderer ${f1(m.rendererMiB)} MiB, swaps ${m.swaps}\n`);
      }
    }
    const t1 = Date.now();
    const counters1 = emulator.control.counters();
    // What the page fetched in the window, as the emulator served it (bodies of answered GETs).
    const served = (kind: 'getMP4MediaFragment' | 'getMP4InitFragment' | 'getDASHManifest') => ({
      bytes: (counters1.bytesServed[kind] ?? 0) - (counters0.bytesServed[kind] ?? 0),
      count: (counters1.requests[kind] ?? 0) - (counters0.requests[kind] ?? 0) - ((counters1.errors[kind] ?? 0) - (counters0.errors[kind] ?? 0)),
      failed: (counters1.errors[kind] ?? 0) - (counters0.errors[kind] ?? 0),
    });
    const media = served('getMP4MediaFragment');
    const init = served('getMP4InitFragment');
    const manifests = served('getDASHManifest');
    const fetched = { mediaBytes: media.bytes, mediaCount: media.count, initBytes: init.bytes, initCount: init.count, manifestBytes: manifests.bytes, manifestCount: manifests.count, failed: media.failed + manifests.failed };
    // The broker stretches Expires so renewals on one stream don't overlap: the real period is longer.
    const sessionSeconds = quantile(emulator.control.sessions().filter((x) => x.mode === 'LIVE').map((x) => (x.expiresMs - x.createdMs) / 1000), 0.5);
    const buffers1 = await frontBuffers(page);
    const tiles = await page.evaluate(() => window.kvsSoak?.tiles ?? {});
    memory.push(await sampleMemory(browserCdp, pageCdp, page, (t1 - t0) / 60_000));
    // Black pictures: a separate phase after the memory window (drawing videos onto a canvas inflates
    // the renderer by hundreds of MiB in software rendering). Swaps keep happening meanwhile.
    process.stderr.write(`soak: black-picture check for ${BLACK_PHASE_MS / 1000} s…\n`);
    const swapsBefore = await page.evaluate(() => Object.values(window.kvsSoak?.tiles ?? {}).reduce((n, t) => n + t.swaps, 0));
    await page.evaluate(() => void (window.kvsSoak && (window.kvsSoak.canvas = true)));
    await sleep(BLACK_PHASE_MS);
    const blackTiles = await page.evaluate(() => {
      window.kvsSoak?.stop();
      return Object.values(window.kvsSoak?.tiles ?? {});
    });
    const blackPhase = {
      black: blackTiles.reduce((n, t) => n + t.black, 0),
      samples: blackTiles.reduce((n, t) => n + t.samples, 0),
      swaps: blackTiles.reduce((n, t) => n + t.swaps, 0) - swapsBefore,
      longestGapMs: Math.max(...blackTiles.map((t) => t.longestGapMs)),
    };
    const elapsedH = (t1 - t0) / 3_600_000;

    // ---- bytes played ----
    if (!values['skip-played-bytes']) process.stderr.write('soak: reading fragment sizes…\n');
    const playedByTile = new Map<string, Array<[number, number]>>();
    for (const [key, t] of Object.entries(tiles)) {
      const ranges: Array<[number, number]> = [...t.intervals];
      // Buffered ahead of the picture at the end was fetched in the window and is about to play.
      const end = buffers1[key];
      if (end) ranges.push([end.currentTime, end.bufferedEnd]);
      // Buffered ahead at the start was fetched before the window: not counted on either side.
      const startEnd = buffers0[key]?.bufferedEnd ?? -Infinity;
      playedByTile.set(key, mergeIntervals(ranges).map(([a, b]) => [Math.max(a, startEnd - 0.05), b] as [number, number]).filter(([a, b]) => b > a));
    }
    let playedBytes = 0;
    let playedFragments = 0;
    // One HEAD per presented fragment, spaced for the per-session quota: ≈ 8 min after a 30-min soak.
    for (const stream of values['skip-played-bytes'] ? [] : CAMERAS) {
      const keys = Object.entries(tiles).filter(([, t]) => t.stream === stream).map(([k]) => k);
      const all = keys.flatMap((k) => playedByTile.get(k) ?? []);
      if (all.length === 0) continue;
      const catalog = await fragmentCatalog(emulator, stream, t0 - 60_000, t1 + 5000, (f) => overlaps(f, all));
      for (const k of keys) {
        for (const f of catalog) {
          if (overlaps(f, playedByTile.get(k) ?? [])) {
            playedBytes += f.bytes;
            playedFragments += 1;
          }
        }
      }
    }

    // ---- results ----
    const tileList = Object.values(tiles);
    const longestGap = Math.max(...tileList.map((t) => t.longestGapMs));
    const gapTile = tileList.find((t) => t.longestGapMs === longestGap);
    const longestCallbackGap = Math.max(...tileList.map((t) => t.longestCallbackGapMs));
    const gapsPerTileMedian = quantile(tileList.map((t) => t.longestGapMs), 0.5);
    const gapTotals = GAP_CAUSES.map((cause) => ({
      cause,
      count: tileList.reduce((n, t) => n + t.gapCauses[cause].count, 0),
      longest: Math.max(0, ...tileList.map((t) => t.gapCauses[cause].longestMs)),
    }));
    const gapsOver100 = gapTotals.reduce((n, g) => n + g.count, 0);
    const gapCauses = gapTotals.map(({ cause, count, longest }) => `${cause} ${count}${count > 0 ? ` (longest ${Math.round(longest)} ms)` : ''}`);
    const swaps = tileList.reduce((n, t) => n + t.swaps, 0);
    const callbacks = tileList.reduce((n, t) => n + t.callbacks, 0);
    const skipped = tileList.reduce((n, t) => n + t.skipped, 0);
    const first = memory[0]!;
    const last = memory[memory.length - 1]!;
    const spanMin = last.atMin - first.atMin;
    const growthFirstLast = (last.rendererMiB - first.rendererMiB) / spanMin;
    const growthFit = slope(memory.map((m) => [m.atMin, m.rendererMiB]));
    const heapFit = slope(memory.map((m) => [m.atMin, m.jsHeapMiB]));
    const late = memory.filter((m) => m.atMin >= (last.atMin - first.atMin) / 3);
    const lateFit = slope(late.map((m) => [m.atMin, m.rendererMiB]));
    // A swap in flight holds a second player (≈ 10 MiB) for a few seconds: readings with one <video> per
    // tile compare like with like.
    const settled = late.filter((m) => m.videos === TILES);
    const settledFit = slope(settled.map((m) => [m.atMin, m.rendererMiB]));
    const delta = (kind: 'getDASHStreamingSessionURL' | 'getDataEndpoint'): number => (counters1.requests[kind] ?? 0) - (counters0.requests[kind] ?? 0);
    const sessionCalls = delta('getDASHStreamingSessionURL');
    const endpointCalls = delta('getDataEndpoint');
    const errorTypesOf = (kind: string): string =>
      Object.entries(counters1.errorTypes[kind as keyof typeof counters1.errorTypes] ?? {})
        .map(([name, n]) => [name, n - (counters0.errorTypes[kind as keyof typeof counters0.errorTypes]?.[name] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
    const errors = Object.entries(counters1.errors).map(([k, n]) => [k, (n ?? 0) - (counters0.errors[k as keyof typeof counters0.errors] ?? 0)] as const).filter(([, n]) => n > 0);
    const renewalPeriodS = (Number.isFinite(sessionSeconds) ? sessionSeconds : EXPIRES_S) - LEAD_S;
    const ratio = fetched.mediaBytes / playedBytes;
    const extraPerSwap = (fetched.mediaBytes - playedBytes) / Math.max(1, swaps);
    const meanFragment = playedBytes / Math.max(1, playedFragments);
    const bytesPerTileSecond = playedBytes / tileList.length / ((t1 - t0) / 1000);
    const latencyMedian = quantile(latencies, 0.5);
    const videosEnd = Object.values(buffers1).reduce((n, b) => n + b.videos, 0);

    const rows: string[][] = [
      ['renderer memory per tile (start → end)', '≤ 25 MiB', `${f1(first.rendererMiB / TILES)} → ${f1(last.rendererMiB / TILES)} MiB (renderer PSS ${f1(first.rendererMiB)} → ${f1(last.rendererMiB)} MiB / ${TILES})`],
      ['renderer growth, first→last / linear fit', 'flat', `${f2(growthFirstLast)} / ${f2(growthFit)} MiB/min (JS heap fit ${f3(heapFit)} MiB/min)`],
      [`renderer growth, linear fit over the last two thirds (from ${f1(late[0]?.atMin ?? NaN)} min)`, '≤ 0.5 MiB/min', `${f2(lateFit)} MiB/min (${f2(settledFit)} over the ${settled.length} of ${late.length} readings with no swap in flight)`],
      ['renewal: longest gap between presented frames', `≤ ${FRAME_INTERVAL_MS + 50} ms`, `${Math.round(longestGap)} ms (${gapTile?.longestGapAcrossSwap ? 'across a swap' : 'within one player'}; per-tile median ${Math.round(gapsPerTileMedian)} ms; ${gapsOver100} gaps > 100 ms)`],
      ['renewal: gaps > 100 ms by what the media time did (see GapCause)', 'stalls 0', gapCauses.join('; ')],
      ['renewal: black samples (separate 1-min phase)', '0', `${blackPhase.black} of ${blackPhase.samples} (every ${SAMPLE_MS} ms per tile, ${blackPhase.swaps} swaps in the phase; longest gap incl. phase ${Math.round(blackPhase.longestGapMs)} ms)`],
      ['renewal: swaps', `≈ ${Math.floor((MINUTES * 60) / renewalPeriodS)}/tile`, `${swaps} (${f1(swaps / tileList.length)}/tile)`],
      ['bytes fetched ÷ bytes played (media fragments)', '≤ 1.05', `${f3(ratio)} (${f2(fetched.mediaBytes / MiB)} MiB / ${f2(playedBytes / MiB)} MiB; ${fetched.mediaCount} / ${playedFragments} fragments)`],
      ['live latency, capture → on screen, median', '≤ 3500 ms', `${Math.round(latencyMedian)} ms (p95 ${Math.round(quantile(latencies, 0.95))}, ${latencies.length} readings)`],
      ['session calls per tile-hour', `≈ ${Math.round(3600 / renewalPeriodS)} (3600/(${f1(sessionSeconds)} s session − ${LEAD_S} s lead))`, `${Math.round(sessionCalls / TILES / elapsedH)} (${sessionCalls} calls, ${TILES} tiles, ${f1(elapsedH * 60)} min)`],
      ['GetDataEndpoint calls after warm-up', '≈ 0', `${endpointCalls}`],
    ];
    console.log(`\nSoak, ${config.name}: ${TILES} tiles of ${CAMERAS.length} emulator cameras (360p H.264 25 fps, 2 s fragments), sessions Expires ${EXPIRES_S} s asked (broker stretched to a median ${f1(sessionSeconds)} s) renewed ${LEAD_S} s ahead, ${f1((t1 - t0) / 60_000)} min measured on loopback\n`);
    console.log(table(['metric', 'target', 'measured'], rows));
    console.log('\nRenderer memory by interval');
    console.log(
      table(
        ['min', 'renderer PSS MiB', 'per tile MiB', 'JS heap MiB', 'DOM nodes', '<video>s', 'swaps so far', 'other Chromium procs PSS MiB'],
        memory.map((m) => [f1(m.atMin), f1(m.rendererMiB), f2(m.rendererMiB / TILES), f1(m.jsHeapMiB), String(m.domNodes), String(m.videos), String(m.swaps), `${f1(m.othersMiB)}${m.renderers > 1 ? ` (${m.renderers} renderers)` : ''}`]),
      ),
    );
    console.log(
      [
        '',
        `Frames: ${callbacks} frame callbacks on visible videos, ${skipped} presented frames without a callback (gaps spread evenly over them; longest raw callback gap ${Math.round(longestCallbackGap)} ms).`,
        `Fetched besides media: ${fetched.initCount} init (${f1(fetched.initBytes / 1024)} KiB), ${fetched.manifestCount} manifests (${f1(fetched.manifestBytes / MiB)} MiB); ${fetched.failed} non-200 media/manifest responses.`,
        `Extra media bytes per swap: ${f1(extraPerSwap / 1024)} KiB ≈ ${f2(extraPerSwap / meanFragment)} mean fragments. At the default sessions (1800 s, renewed ≈ 180 s ahead: one swap per ≈ 1620 s per tile) the same per-swap cost gives ≈ ${f3(1 + extraPerSwap / (bytesPerTileSecond * 1620))}.`,
        `Probes: tiles not 'playing' in ${notPlaying} of ${probes} badge readings; <video> elements at the end: ${videosEnd} for ${TILES} tiles; page errors: ${page.pageErrors()}.`,
        `Emulator errors in the window: ${errors.length ? errors.map(([k, n]) => `${k} ${n} (${errorTypesOf(k)})`).join(', ') : 'none'}.`,
      ].join('\n'),
    );
    await page.close();
    page = undefined;
    return {
      config,
      spanMin,
      firstMiB: first.rendererMiB,
      lastMiB: last.rendererMiB,
      fitMiBPerMin: growthFit,
      heapFitMiBPerMin: heapFit,
      lateFitMiBPerMin: lateFit,
      settledFitMiBPerMin: settledFit,
      lateFromMin: late[0]?.atMin ?? NaN,
      lateSwaps: (late[late.length - 1]?.swaps ?? 0) - (late[0]?.swaps ?? 0),
      lateSpanMin: (late[late.length - 1]?.atMin ?? 0) - (late[0]?.atMin ?? 0),
      swaps: last.swaps - first.swaps,
      domStart: first.domNodes,
      domEnd: last.domNodes,
    };
  } finally {
    await stopAll();
  }
}

async function main(): Promise<void> {
  const results: SoakSummary[] = [];
  for (const config of CONFIGS) results.push(await soakOnce(config));
  console.log(`\nMemory per swap, ${TILES} tiles, ${MINUTES} min each, page driven over ${DRIVER === 'raw' ? 'a bare DevTools pipe' : 'Playwright (DevTools Network domain on)'} (renderer PSS; slopes are linear fits; per swap = the late slope ÷ swaps a minute); targets: ≤ 0.5 MiB/min for the wall over the last two thirds, ≤ 25 MiB per tile\n`);
  console.log(
    table(
      ['config', 'renderer MiB start → end', 'per tile at the end MiB', 'slope, whole window MiB/min (JS heap)', 'slope, last two thirds MiB/min', 'swaps (in the last two thirds)', 'KiB per swap', 'DOM nodes start → end'],
      results.map((r) => {
        const lateSwapsPerMin = r.lateSwaps / r.lateSpanMin;
        return [
          r.config.name,
          `${f1(r.firstMiB)} → ${f1(r.lastMiB)}`,
          f1(r.lastMiB / TILES),
          `${f2(r.fitMiBPerMin)} (${f3(r.heapFitMiBPerMin)})`,
          `${f2(r.lateFitMiBPerMin)} (from ${f1(r.lateFromMin)} min; ${f2(r.settledFitMiBPerMin)} with no swap in flight)`,
          `${r.swaps} (${r.lateSwaps})`,
          lateSwapsPerMin > 0 ? f1((r.lateFitMiBPerMin / lateSwapsPerMin) * 1024) : '—',
          `${r.domStart} → ${r.domEnd}`,
        ];
      }),
    ),
  );
}

await main();
