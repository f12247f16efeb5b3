/**
 * Stills benchmark: would a "still" tier (a GetImages JPEG every few seconds, no video decoding) be
 * cheaper than the key-frames tier (one fragment GET and one key-frame decode per 2 s fragment), for
 * the machine and for the stream's points? Same run, 64 distinct emulator cameras, 8×8 at 1600×900:
 *
 *   npm run bench -- stills [--seconds 60] [--settle 20] [--tiles 64] [--every 2,4] [--lag 2.5] [--only app,bare,stills] [--driver raw|playwright]
 *
 * Configurations, one after another, each in a fresh Chromium:
 * - `app key-frames`: the app's wall with `&decode=key-frames` (every tile on its canvas player);
 * - `bare key-frames`: the renderer's canvas player alone on a bare page of 64 canvases, on session
 *   URLs Node obtained as main does: the key-frames tier without the app around it;
 * - `still every N s`: Node calls GetImages through the real SDK client as main would (main's
 *   ArchiveCalls, one still per tile every N s, staggered, the tile's height), and pushes each JPEG to
 *   the same bare page as the browser shell's wire carries events (a JSON text frame, base64), where it
 *   is decoded (createImageBitmap) and drawn. The sample time is the newest key frame at or before
 *   now − lag (a sample must fall in a fragment already received): the emulator renders a still with one
 *   ffmpeg run (≈ 0.25 s of CPU), far more than this machine has for 32 a second, so the stills are
 *   key frames, rendered into its cache once per camera before the window (see warmImages). A tier on
 *   AWS would sample at now − lag itself: on average half a fragment (1 s) fresher (the table prints the
 *   mean offset).
 *
 * The emulator runs in its own process, so its work (the service's, done by AWS for real) stays out of
 * the machine's numbers: request handling (its own CPU) and image rendering (its ffmpeg children) are
 * shown apart. Per process CPU is read from /proc/<pid>/stat for the processes Chromium lists (grouped by
 * their `--type=`), this process (main's side, and the bench's own sampling) and the emulator with its
 * ffmpeg children, as a share of one core over the window; renderer memory is the page renderer's PSS,
 * with the page driven over a bare DevTools pipe (page-driver.ts: Playwright's network recording would
 * keep every fragment in the renderer; `--driver playwright` shows that);
 * freshness is now − camera time of each tile's picture (a still's: the sample time GetImages named it
 * by), every second for every tile; points and requests are the emulator's counters over the window.
 * Builds the renderer and the bench page and needs Chromium; the cameras' first encode takes ~1 min.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand, ListFragmentsCommand, type KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { build } from 'vite';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_REGION, DEFAULT_SECRET_ACCESS_KEY } from '../../emulator/options';
import type { RequestCounters } from '../../emulator/control/counters';
import { staticCredentials } from '../../main/accounts/credentials';
import type { AccountConnection } from '../../main/accounts/connection';
import { createArchiveCalls, type ArchiveCalls, type ImagesRequest } from '../../main/evidence/archive-calls';
import { JPEG_BASE64, THUMBNAIL_JPEG_QUALITY } from '../../main/evidence/thumbnails';
import { createArchivedClient, createControlClient, PRICED_TUNING } from '../../main/kvs/client-config';
import type { DataEndpointCall } from '../../main/kvs/data-endpoint-call';
import { sessionRequest } from '../../main/kvs/session-issuer';
import type { DataApiName } from '../../main/store/account-caches';
import type { StreamRef } from '../../shared/model';
import { callApp, ROOT, startWallRig, wallOf } from '../support/e2e-wall';
import { chromiumMemory, loadAverage, table, type BrowserProcesses } from './machine';
import { driverName, openPage, type DrivenPage } from './page-driver';
import { quantile } from './stats';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    settle: { type: 'string', default: '20' },
    tiles: { type: 'string', default: '64' },
    every: { type: 'string', default: '2,4' },
    lag: { type: 'string', default: '2.5' },
    only: { type: 'string' },
    driver: { type: 'string', default: 'raw' },
  },
});
const DRIVER = driverName(values.driver);
const SECONDS = Number(values.seconds);
const SETTLE_S = Number(values.settle);
const TILES = Number(values.tiles);
const EVERY_S = values.every.split(',').map(Number);
const LAG_MS = Number(values.lag) * 1000;
const ONLY = values.only?.split(',');
if (!(SECONDS > 0) || !(SETTLE_S >= 0) || !(TILES >= 1 && TILES <= 64) || !EVERY_S.every((n) => n >= 1) || !(LAG_MS >= 0)) {
  throw new Error('--seconds > 0, --settle ≥ 0, --tiles 1–64, --every whole seconds ≥ 1 (comma-separated), --lag ≥ 0');
}
const VIEWPORT = { width: 1600, height: 900 };
const GRID = Math.ceil(Math.sqrt(TILES));
/** A still the size of a tile's picture: the service scales it, so the wire and the decoder carry no more. */
const STILL_HEIGHT = Math.round(VIEWPORT.height / GRID);
const CLK_TCK = 100;

type Config = { name: string; kind: 'app' } | { name: string; kind: 'bare' } | { name: string; kind: 'stills'; everyS: number };
const CONFIGS: Config[] = [
  { name: 'app key-frames', kind: 'app' as const },
  { name: 'bare key-frames', kind: 'bare' as const },
  ...EVERY_S.map((everyS) => ({ name: `still every ${everyS} s`, kind: 'stills' as const, everyS })),
].filter((c) => !ONLY || ONLY.includes(c.kind));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `work` for each item, `atOnce` at a time, each tried up to 3 times: the set-up calls (session URLs,
 * fragment lists, the image cache), which 64 at once on a busy machine would time out connecting.
 */
async function eachLimited<T, R>(items: readonly T[], atOnce: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      for (let attempt = 1; ; attempt++) {
        try {
          out[i] = await work(items[i]!, i);
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
          await sleep(1000 * attempt);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
  return out;
}

// ---------------------------------------------------------------------------------------------
// CPU per process group, from /proc
// ---------------------------------------------------------------------------------------------

type Group = 'renderer' | 'gpu' | 'browser' | 'network' | 'chromium other' | 'node (main side)' | 'emulator requests' | 'emulator ffmpeg';

interface Proc {
  ppid: number;
  ticks: number;
  childTicks: number;
  cmd: string[];
}

function readProcs(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state ppid … utime(12) stime(13) cutime(14) cstime(15).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      out.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]), cmd });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

function descendantsOf(root: number, procs: Map<number, Proc>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) (children.get(p.ppid) ?? children.set(p.ppid, []).get(p.ppid)!).push(pid);
  const found: number[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    found.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return found;
}

function chromiumGroup(cmd: readonly string[]): Group {
  // A zygote-forked child rewrites its command line as one space-separated string: search the whole line.
  const line = cmd.join(' ');
  const type = /--type=(\S+)/.exec(line)?.[1];
  if (type === undefined) return 'browser';
  if (type === 'renderer') return 'renderer';
  if (type === 'gpu-process') return 'gpu';
  if (type === 'utility' && line.includes('network.mojom.NetworkService')) return 'network';
  return 'chromium other';
}

/**
 * Chromium's processes, from the browser itself: its zygote forks renderers that are not our
 * descendants in /proc, so the browser's own list names them (grouped by their `--type=`).
 */
async function chromiumPids(browserCdp: BrowserProcesses): Promise<number[]> {
  const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
  return processInfo.map((p) => p.id);
}

/** CPU ticks by group so far. Ended ffmpeg runs count through the emulator's cutime; running ones by their own ticks. */
function cpuTicks(emulatorPid: number, chromium: readonly number[]): Record<Group, number> {
  const procs = readProcs();
  const sums: Record<Group, number> = { renderer: 0, gpu: 0, browser: 0, network: 0, 'chromium other': 0, 'node (main side)': 0, 'emulator requests': 0, 'emulator ffmpeg': 0 };
  sums['node (main side)'] = procs.get(process.pid)?.ticks ?? NaN;
  const emulator = procs.get(emulatorPid);
  sums['emulator requests'] = emulator?.ticks ?? NaN;
  sums['emulator ffmpeg'] = emulator?.childTicks ?? NaN;
  for (const pid of descendantsOf(emulatorPid, procs)) sums['emulator ffmpeg'] += procs.get(pid)!.ticks;
  for (const pid of chromium) {
    const p = procs.get(pid);
    if (p) sums[chromiumGroup(p.cmd)] += p.ticks;
  }
  return sums;
}

// ---------------------------------------------------------------------------------------------
// The emulator, in its own process
// ---------------------------------------------------------------------------------------------

interface Emulator {
  url: string;
  child: ChildProcess;
  counters(): Promise<RequestCounters>;
}

async function startEmulatorProcess(): Promise<Emulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'emulator', 'cli.ts'), '--port', '0', '--cameras', String(TILES), '--quota-model', 'points', '--test-controls'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the emulator did not start within 5 minutes')), 300_000);
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening`)));
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return {
    url,
    child,
    async counters() {
      const response = await fetch(`${url}/_control/counters`);
      if (!response.ok) throw new Error(`emulator counters: HTTP ${response.status}`);
      return (await response.json()) as RequestCounters;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Node's side of the bare configurations: what main does for each tier
// ---------------------------------------------------------------------------------------------

function connectionTo(emulator: Emulator): AccountConnection {
  return {
    accountId: 'bench',
    kind: 'aws',
    region: DEFAULT_REGION,
    endpoint: emulator.url,
    credentials: staticCredentials({ accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY }),
    revision: 'bench',
  };
}

/** Archived-media calls on each stream's data endpoint (looked up once per stream and API, as main caches it). */
function dataEndpoints(connection: AccountConnection): DataEndpointCall {
  const control = createControlClient(connection);
  const endpoints = new Map<string, Promise<string>>();
  const clients = new Map<string, KinesisVideoArchivedMediaClient>();
  const endpointOf = (ref: StreamRef, api: DataApiName): Promise<string> => {
    const key = `${ref.streamName}|${api}`;
    let found = endpoints.get(key);
    if (!found) {
      found = control.send(new GetDataEndpointCommand({ StreamName: ref.streamName, APIName: api })).then((out) => out.DataEndpoint!);
      endpoints.set(key, found);
    }
    return found;
  };
  return async (ref, api, _operation, _purpose, call) => {
    const endpoint = await endpointOf(ref, api);
    let client = clients.get(endpoint);
    if (!client) clients.set(endpoint, (client = createArchivedClient(connection, endpoint, PRICED_TUNING)));
    return call(client);
  };
}

async function liveSessionUrls(connection: AccountConnection, cameras: readonly string[]): Promise<string[]> {
  const call = dataEndpoints(connection);
  return eachLimited(cameras, 4, (streamName) =>
    call({ accountId: 'bench', streamName }, 'GET_DASH_STREAMING_SESSION_URL', 'GetDASHStreamingSessionURL', 'session-url', (client) =>
      client.send(new GetDASHStreamingSessionURLCommand(sessionRequest(streamName, { mode: 'LIVE' }, 3600))),
    ).then((out) => out.DASHStreamingSessionURL!),
  );
}

interface StillStats {
  calls: number;
  /** How much older than now − lag the key-frame-aligned sample times were, in sum (ms). */
  alignedBackMs: number;
  latencyMs: number[];
  noMedia: number;
  failed: number;
  /** A tile's previous call still out when its next was due: that one was not made. */
  skipped: number;
  bytes: number;
}

/** A camera's fragments: one's start (producer time) and their length, which the emulator's loops keep exact. */
interface FragmentGrid {
  anchorMs: number;
  periodMs: number;
}

/** Each camera's fragment grid, from one ListFragments of the last 30 s (outside the measured window). */
async function fragmentGrids(call: DataEndpointCall, cameras: readonly string[]): Promise<FragmentGrid[]> {
  const now = Date.now();
  return eachLimited(cameras, 4, async (streamName) => {
      const out = await call({ accountId: 'bench', streamName }, 'LIST_FRAGMENTS', 'ListFragments', 'general', (client) =>
        client.send(new ListFragmentsCommand({ StreamName: streamName, MaxResults: 100, FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(now - 30_000), EndTimestamp: new Date(now) } } })),
      );
      const fragments = (out.Fragments ?? []).map((f) => ({ start: f.ProducerTimestamp!.getTime(), length: f.FragmentLengthInMilliseconds! }));
      const periodMs = fragments[0]?.length;
      const anchorMs = Math.max(...fragments.map((f) => f.start));
      if (!periodMs || fragments.some((f) => f.length !== periodMs || (anchorMs - f.start) % periodMs !== 0)) throw new Error(`${streamName}: fragments are not on a fixed grid; the stills can't be aligned to key frames`);
      return { anchorMs, periodMs };
  });
}

/** The start of the newest fragment at or before `ms` (+1 ms: inside it, on its key frame). */
function keyFrameAtOrBefore(ms: number, grid: FragmentGrid): number {
  return grid.anchorMs + Math.floor((ms - grid.anchorMs) / grid.periodMs) * grid.periodMs + 1;
}

function stillRequest(start: number, count: number, intervalMs: number): ImagesRequest {
  return { selector: 'PRODUCER_TIMESTAMP', start, end: start + (count - 1) * intervalMs, intervalMs, maxResults: count, height: STILL_HEIGHT, jpegQuality: THUMBNAIL_JPEG_QUALITY };
}

/**
 * The emulator renders a still with one ffmpeg run (≈ 0.25 s of CPU here, mostly ffmpeg starting):
 * 32 stills a second would take 8 cores, so the stills are taken on key frames, whose images a 20 s
 * camera loop repeats, and every camera's key frames are rendered into the emulator's cache first, in
 * one request per camera (one ffmpeg run each). Outside the measured window.
 */
async function warmImages(calls: ArchiveCalls, cameras: readonly string[], grids: readonly FragmentGrid[]): Promise<void> {
  const FRAGMENTS = 12;
  await eachLimited(cameras, 2, (streamName, i) => {
    const grid = grids[i]!;
    const newest = keyFrameAtOrBefore(Date.now() - LAG_MS, grid);
    return calls.getImages({ accountId: 'bench', streamName }, stillRequest(newest - (FRAGMENTS - 1) * grid.periodMs, FRAGMENTS, grid.periodMs));
  });
}

/**
 * One still per tile every `everyS` seconds, staggered over the period: main's GetImages call (one
 * sample, MaxResults 1, the tile's height, the thumbnails' JPEG quality), the answer checked as the
 * thumbnails check it and sent to the page as a wire event. Returns a stop function.
 */
async function runStills(connection: AccountConnection, cameras: readonly string[], everyS: number, socket: WebSocket, stats: StillStats): Promise<() => void> {
  const endpoints = dataEndpoints(connection);
  const calls = createArchiveCalls({ onDataEndpoint: endpoints, beforeSpending: async () => undefined, onThrottled: () => undefined });
  const grids = await fragmentGrids(endpoints, cameras);
  const warmed = performance.now();
  await warmImages(calls, cameras, grids);
  process.stderr.write(`  stills: every camera's key frames rendered into the emulator's cache in ${((performance.now() - warmed) / 1000).toFixed(0)} s\n`);
  const timers: NodeJS.Timeout[] = [];
  const busy = new Set<number>();
  let stopped = false;
  const fetchOne = async (position: number): Promise<void> => {
    if (stopped) return;
    if (busy.has(position)) {
      stats.skipped += 1;
      return;
    }
    busy.add(position);
    const wanted = Date.now() - LAG_MS;
    const sample = keyFrameAtOrBefore(wanted, grids[position]!);
    const started = performance.now();
    try {
      const images = await calls.getImages({ accountId: 'bench', streamName: cameras[position]! }, stillRequest(sample, 1, everyS * 1000));
      if (stopped) return;
      stats.calls += 1;
      stats.alignedBackMs += wanted - sample;
      stats.latencyMs.push(performance.now() - started);
      const image = images.find((i) => i.content !== undefined);
      if (!image?.content || !JPEG_BASE64.test(image.content)) {
        stats.noMedia += 1;
        return;
      }
      stats.bytes += (image.content.length * 3) / 4;
      socket.send(JSON.stringify({ event: 'tile.still', payload: { position, time: image.time, jpeg: image.content } }));
    } catch (error) {
      stats.failed += 1;
      if (stats.failed <= 3) process.stderr.write(`  GetImages failed: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      busy.delete(position);
    }
  };
  cameras.forEach((_, position) => {
    const offset = (position * everyS * 1000) / cameras.length;
    timers.push(
      setTimeout(() => {
        void fetchOne(position);
        timers.push(setInterval(() => void fetchOne(position), everyS * 1000));
      }, offset),
    );
  });
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
  };
}

// ---------------------------------------------------------------------------------------------
// The bench page (built once, served from here)
// ---------------------------------------------------------------------------------------------

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

async function servePage(): Promise<{ url: string; server: Server; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kvs-wall-stills-page-'));
  await build({ configFile: join(ROOT, 'test', 'bench', 'stills-page', 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    readFile(join(dir, path)).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}/index.html`, server, dir };
}

// ---------------------------------------------------------------------------------------------
// One configuration
// ---------------------------------------------------------------------------------------------

interface Result {
  config: Config;
  seconds: number;
  cpu: Record<Group, number>;
  rendererMiB: number;
  freshness: number[];
  noPicture: number;
  picturesPerSec: number;
  mediaPerStream: number;
  metadataPerStream: number;
  requests: Record<string, number>;
  loadBefore: string;
  loadAfter: string;
  stills?: StillStats;
  failures: Record<string, number>;
}

/** Per tile, now − camera time of the picture on screen (ms); null for a tile with none. */
type Reader = () => Promise<Array<number | null>>;

function appReader(page: DrivenPage): Reader {
  return () =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('section.tile')].map((tile) => {
        const ms = tile.dataset['cameraMs'];
        const at = tile.dataset['cameraAt'];
        return ms === undefined || ms === '' || at === undefined || at === '' ? null : Number(at) - Number(ms);
      }),
    );
}

function bareReader(page: DrivenPage): Reader {
  return () => page.evaluate(() => window.kvsBench.freshness());
}

async function measure(config: Config, emulator: Emulator, page: DrivenPage, read: Reader, pictures: () => Promise<number>, stills?: StillStats): Promise<Result> {
  const opened = Date.now();
  while (Date.now() - opened < 90_000) {
    const fresh = await read();
    if (fresh.length === TILES && fresh.every((f) => f !== null)) break;
    await sleep(1000);
  }
  process.stderr.write(`  ${config.name}: ${(await read()).filter((f) => f !== null).length} of ${TILES} tiles with a picture after ${((Date.now() - opened) / 1000).toFixed(0)} s; settling ${SETTLE_S} s\n`);
  await sleep(SETTLE_S * 1000);

  const cdp = page.browserCdp;
  const loadBefore = loadAverage();
  const counters0 = await emulator.counters();
  const cpu0 = cpuTicks(emulator.child.pid!, await chromiumPids(cdp));
  const pictures0 = await pictures();
  const stills0 = stills ? { ...stills, latencyMs: [] } : undefined;
  if (stills) stills.latencyMs.length = 0;
  const t0 = Date.now();
  const freshness: number[] = [];
  let noPicture = 0;
  while (Date.now() - t0 < SECONDS * 1000) {
    const at = Date.now();
    for (const f of await read()) {
      if (f === null) noPicture += 1;
      else freshness.push(f);
    }
    await sleep(Math.max(0, at + 1000 - Date.now()));
  }
  const cpu1 = cpuTicks(emulator.child.pid!, await chromiumPids(cdp));
  const seconds = (Date.now() - t0) / 1000;
  const counters1 = await emulator.counters();
  const pictures1 = await pictures();
  const memory = await chromiumMemory(cdp);
  const loadAfter = loadAverage();

  const cpu = Object.fromEntries(Object.keys(cpu1).map((g) => [g, (cpu1[g as Group] - cpu0[g as Group]) / CLK_TCK / seconds])) as Record<Group, number>;
  const points = (kind: 'media' | 'metadata'): number => {
    let sum = 0;
    for (const [stream, spent] of Object.entries(counters1.points)) sum += spent[kind] - (counters0.points[stream]?.[kind] ?? 0);
    return sum / seconds / TILES;
  };
  const requests: Record<string, number> = {};
  for (const [kind, n] of Object.entries(counters1.requests)) {
    const d = (n ?? 0) - ((counters0.requests as Record<string, number | undefined>)[kind] ?? 0);
    if (d > 0) requests[kind] = d / seconds;
  }
  const stillsDelta = stills && stills0
    ? { calls: stills.calls - stills0.calls, alignedBackMs: stills.alignedBackMs - stills0.alignedBackMs, latencyMs: [...stills.latencyMs], noMedia: stills.noMedia - stills0.noMedia, failed: stills.failed - stills0.failed, skipped: stills.skipped - stills0.skipped, bytes: stills.bytes - stills0.bytes }
    : undefined;
  return {
    config,
    seconds,
    cpu,
    rendererMiB: memory.rendererMiB,
    freshness,
    noPicture,
    picturesPerSec: (pictures1 - pictures0) / seconds,
    mediaPerStream: points('media'),
    metadataPerStream: points('metadata'),
    requests,
    loadBefore,
    loadAfter,
    failures: {},
    ...(stillsDelta ? { stills: stillsDelta } : {}),
  };
}

async function runApp(config: Config, emulator: Emulator, cameras: readonly string[]): Promise<Result> {
  const rig = await startWallRig({ emulator: false, viewport: VIEWPORT });
  try {
    const account = await callApp(rig.core, 'accounts.add', {
      name: 'Bench cameras',
      region: DEFAULT_REGION,
      accessKeyId: DEFAULT_ACCESS_KEY_ID,
      secretAccessKey: DEFAULT_SECRET_ACCESS_KEY,
      endpoint: emulator.url,
    });
    const page = await openPage(DRIVER, await rig.prepare(wallOf('stills-bench', account.id, cameras, 1, GRID), '&decode=key-frames'), { viewport: VIEWPORT, playwright: { browser: rig.browser, context: rig.context } });
    try {
      const pictures = (): Promise<number> => Promise.resolve(NaN);
      const result = await measure(config, emulator, page, appReader(page), pictures);
      if (page.pageErrors() > 0) result.failures['page errors'] = page.pageErrors();
      return result;
    } finally {
      await page.close();
    }
  } finally {
    await rig.stop();
  }
}

async function runBare(config: Config, emulator: Emulator, cameras: readonly string[], pageUrl: string): Promise<Result> {
  const connection = connectionTo(emulator);
  const page = await openPage(DRIVER, pageUrl, { viewport: VIEWPORT });
  let sockets: WebSocketServer | undefined;
  let stop = (): void => undefined;
  try {
    let stills: StillStats | undefined;
    if (config.kind === 'bare') {
      const urls = await liveSessionUrls(connection, cameras);
      await page.evaluate((u) => window.kvsBench.keyFrames(u), urls);
    } else if (config.kind === 'stills') {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      sockets = server;
      await new Promise<void>((r) => server.once('listening', () => r()));
      const port = (server.address() as { port: number }).port;
      const connected = new Promise<WebSocket>((r) => server.once('connection', r));
      await page.evaluate(([n, url]) => window.kvsBench.stills(n, url), [TILES, `ws://127.0.0.1:${port}`] as const);
      stills = { calls: 0, alignedBackMs: 0, latencyMs: [], noMedia: 0, failed: 0, skipped: 0, bytes: 0 };
      stop = await runStills(connection, cameras, config.everyS, await connected, stills);
    }
    const result = await measure(config, emulator, page, bareReader(page), () => page.evaluate(() => window.kvsBench.pictures()), stills);
    result.failures = await page.evaluate(() => window.kvsBench.failures());
    if (page.pageErrors() > 0) result.failures['page errors'] = page.pageErrors();
    return result;
  } finally {
    stop();
    sockets?.close();
    await page.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const core = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—');
const s2 = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '—');

function report(results: readonly Result[]): void {
  console.log(`\n${TILES} distinct cameras (320×180 H.264, 2 s fragments), ${GRID}×${GRID} at ${VIEWPORT.width}×${VIEWPORT.height}, ${SECONDS} s each after ${SETTLE_S} s settling; stills ${STILL_HEIGHT} px high, sampled ${LAG_MS / 1000} s before now`);
  console.log('\nCPU as a share of one core over the window (the machine has 2). "machine" = Chromium + node (what the user\'s PC runs); the emulator is the service (AWS for real).\n');
  console.log(
    table(
      ['config', 'renderer', 'GPU', 'browser + network + other', 'node (main side)', 'machine', 'emulator requests', 'emulator ffmpeg', 'load before → after'],
      results.map((r) => {
        const c = r.cpu;
        const chromeRest = c.browser + c.network + c['chromium other'];
        const machine = c.renderer + c.gpu + chromeRest + c['node (main side)'];
        return [r.config.name, core(c.renderer), core(c.gpu), core(chromeRest), core(c['node (main side)']), core(machine), core(c['emulator requests']), core(c['emulator ffmpeg']), `${r.loadBefore} → ${r.loadAfter}`];
      }),
    ),
  );
  console.log('\nPictures, memory, points (per stream, per second: the quotas are 500 media / 10,000 metadata per stream) and requests (all tiles, per second)\n');
  console.log(
    table(
      ['config', 'freshness s median / p95 / max', 'no picture (tile·s)', 'pictures/s', 'renderer MiB', 'media pts/s/stream', 'metadata pts/s/stream', 'requests/s', 'failures'],
      results.map((r) => [
        r.config.name,
        `${s2(quantile(r.freshness, 0.5))} / ${s2(quantile(r.freshness, 0.95))} / ${s2(Math.max(...r.freshness))}`,
        String(r.noPicture),
        Number.isFinite(r.picturesPerSec) ? r.picturesPerSec.toFixed(1) : '—',
        r.rendererMiB.toFixed(0),
        r.mediaPerStream.toFixed(2),
        r.metadataPerStream.toFixed(1),
        Object.entries(r.requests)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${n.toFixed(1)} ${k}`)
          .join(', '),
        Object.entries(r.failures)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ') || '0',
      ]),
    ),
  );
  const stills = results.filter((r) => r.stills);
  if (stills.length > 0) {
    console.log('\nThe still tier\'s GetImages calls (made from Node as main would; latency is the emulator rendering with ffmpeg, not AWS)\n');
    console.log(
      table(
        ['config', 'calls/s', 'latency ms median / p95', 'key-frame alignment s (mean)', 'no image', 'failed', 'skipped (previous still out)', 'KiB per still'],
        stills.map((r) => {
          const s = r.stills!;
          return [r.config.name, (s.calls / r.seconds).toFixed(1), `${quantile(s.latencyMs, 0.5).toFixed(0)} / ${quantile(s.latencyMs, 0.95).toFixed(0)}`, (s.alignedBackMs / Math.max(1, s.calls) / 1000).toFixed(2), String(s.noMedia), String(s.failed), String(s.skipped), (s.bytes / Math.max(1, s.calls - s.noMedia) / 1024).toFixed(1)];
        }),
      ),
    );
  }
}

async function main(): Promise<void> {
  process.stderr.write(`stills bench: ${TILES} cameras, ${GRID}×${GRID} at ${VIEWPORT.width}×${VIEWPORT.height}; ${CONFIGS.map((c) => c.name).join(', ')} (load ${loadAverage()})\n`);
  const emulator = await startEmulatorProcess();
  const served = await servePage();
  try {
    const cameras = Array.from({ length: TILES }, (_, i) => `cam-${String(i + 1).padStart(2, '0')}`);
    const results: Result[] = [];
    let failed = 0;
    for (const config of CONFIGS) {
      process.stderr.write(`${config.name}…\n`);
      try {
        results.push(config.kind === 'app' ? await runApp(config, emulator, cameras) : await runBare(config, emulator, cameras, served.url));
      } catch (error) {
        failed += 1;
        process.stderr.write(`  ${config.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    if (results.length > 0) report(results);
    if (failed > 0) process.exitCode = 1;
  } finally {
    served.server.close();
    await rm(served.dir, { recursive: true, force: true });
    emulator.child.kill('SIGTERM');
  }
}

await main();
