/**
 * Codecs benchmark: what one software-decoded H.265 tile costs in Debian's Chromium (no platform HEVC
 * decoder), at 360p and 720p, and how many such tiles this machine keeps at the camera's frame rate.
 *
 *   npx tsx test/bench/codecs-bench.ts [--seconds 10 --tiles 1,2,3,4 --tiles720 1,2]   (npm run bench -- codecs)
 *   npx tsx test/bench/codecs-bench.ts --only points [--points-seconds 60]   (the sound rows alone)
 *
 * Each row: N decoders (SoftwareHevcDecoder: @hevcjs/core's WebAssembly decoder in a worker, I420
 * VideoFrames drawn on a canvas) fed the camera's samples at 25 fps for a while; CPU is the whole
 * Chromium process tree's (all processes, all threads) over that time, as a share of one core. A tile
 * "keeps up" when it shows ≥ 95% of the frames it was fed. Beside it, in the same run, the naive
 * alternative @hevcjs/core ships for MSE: transcoding each fragment HEVC → H.264 (WebCodecs
 * VideoEncoder) so that a <video> can play it. Load average is printed with every row (shared cores).
 *
 * Then the sound: media points a tile of the AAC camera spends per minute, muted (no audio track
 * fetched: Shaka's disableAudio) beside unmuted (audio fetched: what every tile cost before), read
 * from the emulator's points counter in the app itself. Not part of pass/fail.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { loadClip } from '../../emulator/media/clip-loader';
import { isSyncSample, readTrackFragment } from '../../emulator/media/fragment-info';
import { childBoxes, readBoxes } from '../../emulator/media/mp4-boxes';
import { contentSecurityPolicy } from '../../main/shell-policy/csp';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browser';
import { ROOT, startWallRig, waitAllLive, wallOf } from '../support/e2e-wall';
import type { FragmentedTrack } from './codecs-page/track';

const run = promisify(execFile);
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, tiles: { type: 'string', default: '1,2,3,4' }, tiles720: { type: 'string', default: '1,2' }, 'points-seconds': { type: 'string', default: '60' }, only: { type: 'string' } },
});
const SECONDS = Number(values.seconds);
const CLIP_360 = join(ROOT, 'emulator', 'clips', 'rooftop.mp4');
const CACHE = join(tmpdir(), 'kvs-wall-codecs-bench');

type Track = FragmentedTrack;

/** The rooftop camera at 1280×720, encoded as make-clips.sh encodes it (2 s GOP, no B-frames). */
async function clip720(): Promise<string> {
  const out = join(CACHE, 'rooftop-720p.mp4');
  if (existsSync(out)) return out;
  await mkdir(CACHE, { recursive: true });
  await run('ffmpeg', ['-v', 'error', '-y', '-i', CLIP_360, '-vf', 'scale=1280:720:flags=bicubic', '-c:v', 'libx265', '-tag:v', 'hvc1', '-preset', 'fast', '-crf', '30', '-pix_fmt', 'yuv420p',
    '-x265-params', 'log-level=error:bframes=0:scenecut=0:keyint=50:min-keyint=50', '-an', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', out]);
  return out;
}

/** The video samples of a clip in decode order, and its hvcC record (found by fourcc: the bench's own clips). */
async function trackOf(path: string): Promise<Track> {
  const clip = await loadClip(path);
  const init = Buffer.from(clip.init);
  const at = init.indexOf('hvcC', 0, 'latin1');
  if (at < 4) throw new Error(`${path}: no hvcC`);
  const hvcc = init.subarray(at + 4, at - 4 + init.readUInt32BE(at - 4));
  const samples: Track['samples'] = [];
  for (const fragment of clip.fragments) {
    const bytes = fragment.data;
    const moof = readBoxes(bytes).find((b) => b.type === 'moof')!;
    const traf = childBoxes(bytes, moof).find((b) => b.type === 'traf')!;
    const track = readTrackFragment(bytes, traf, undefined);
    for (const runOf of track.runs) {
      let offset = moof.start + (runOf.dataOffset ?? 0);
      for (const s of runOf.samples) {
        samples.push({ data: Buffer.from(bytes.subarray(offset, offset + s.size)).toString('base64'), key: isSyncSample(s) });
        offset += s.size;
      }
    }
  }
  const fps = clip.frameRate ? Number(clip.frameRate.split('/')[0]) / Number(clip.frameRate.split('/')[1] ?? 1) : 25;
  return { hvcc: [...hvcc], codec: clip.codec, width: clip.width, height: clip.height, fps, samples, init: init.toString('base64'), fragments: clip.fragments.map((f) => Buffer.from(f.data).toString('base64')) };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves the built page with the app's own CSP, so the bench also proves the policy lets the decoder run. */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const csp = contentSecurityPolicy({ connect: [] });
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/$/, '/index.html'));
    readFile(path).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...(path.endsWith('.html') ? { 'content-security-policy': csp } : {}) });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` };
}

/** CPU seconds used so far by a process and all its descendants (/proc, clock ticks of 100 Hz). */
async function treeCpuSeconds(root: number): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = await readFile(`/proc/${name}/stat`, 'latin1');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) stack.push(child);
  }
  return ticks / 100;
}

/** The idle page's CPU use (share of one core), subtracted from each row's. */
let idleShare = 0;

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

interface Row {
  what: string;
  tiles: number;
  fpsPerTile: number[];
  cpuPercent: number;
  /** Browser CPU time above the idle page's, per frame shown: what a tile costs, whatever else runs. */
  cpuMsPerFrame: number;
  decodeMsPerFrame: number;
  firstFrameMs: number;
  errors: string[];
  load: string;
}

async function decodeRow(page: Page, pid: number, label: string, track: Track, tiles: number): Promise<Row> {
  const loadBefore = load();
  const cpu0 = await treeCpuSeconds(pid);
  const t0 = performance.now();
  const results = await page.evaluate(([t, n, s]) => (window as unknown as { codecBench: { run(t: unknown, n: number, s: number, rt: boolean): Promise<Array<{ frames: number; decodeMs: number; errors: string[]; firstFrameMs: number | null }>> } }).codecBench.run(t, n, s, true), [track, tiles, SECONDS] as const);
  const wall = (performance.now() - t0) / 1000;
  const cpu = (await treeCpuSeconds(pid)) - cpu0;
  const frames = results.reduce((sum, r) => sum + r.frames, 0);
  return {
    what: label,
    tiles,
    fpsPerTile: results.map((r) => r.frames / SECONDS),
    cpuPercent: (100 * cpu) / wall,
    cpuMsPerFrame: (1000 * Math.max(0, cpu - idleShare * wall)) / Math.max(1, frames),
    decodeMsPerFrame: results.reduce((sum, r) => sum + r.decodeMs, 0) / Math.max(1, frames),
    firstFrameMs: Math.max(...results.map((r) => r.firstFrameMs ?? NaN)),
    errors: results.flatMap((r) => r.errors),
    load: `${loadBefore} → ${load()}`,
  };
}

/** The naive alternative: @hevcjs/core's SegmentTranscoder turning each fragment into H.264 for MSE. */
async function transcodeRow(page: Page, pid: number, label: string, track: Track): Promise<Row> {
  const loadBefore = load();
  const cpu0 = await treeCpuSeconds(pid);
  const t0 = performance.now();
  const r = await page.evaluate(([t, s]) => (window as unknown as { codecBench: { transcode(t: unknown, s: number): Promise<{ frames: number; seconds: number; firstMs: number; errors: string[] }> } }).codecBench.transcode(t, s), [track, SECONDS] as const);
  const wall = (performance.now() - t0) / 1000;
  const cpu = (await treeCpuSeconds(pid)) - cpu0;
  return { what: label, tiles: 1, fpsPerTile: [r.frames / r.seconds], cpuPercent: (100 * cpu) / wall, cpuMsPerFrame: (1000 * Math.max(0, cpu - idleShare * wall)) / Math.max(1, r.frames), decodeMsPerFrame: (1000 * r.seconds) / Math.max(1, r.frames), firstFrameMs: r.firstMs, errors: r.errors, load: `${loadBefore} → ${load()}` };
}

/**
 * Tiles at 25 fps that fit in 80% of this machine's cores (DESIGN §7's CPU target), from the CPU cost
 * per frame; 'n/a' when the row's CPU did not rise above the idle page's (other work on the machine).
 */
function tilesThatFit(cpuMsPerFrame: number): string {
  return cpuMsPerFrame > 0 ? String(Math.floor((cpus().length * 0.8 * 1000) / (cpuMsPerFrame * 25))) : 'n/a';
}

function print(rows: Row[]): void {
  console.log('\n| path | res | tiles | fps per tile (min / mean) | browser CPU, % of one core | CPU ms per frame (above idle) | tiles that fit at 25 fps (80% of cores) | worker ms per frame | first frame ms | keeps up | load avg (before → after) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const min = Math.min(...r.fpsPerTile);
    const mean = r.fpsPerTile.reduce((a, b) => a + b, 0) / r.fpsPerTile.length;
    const keeps = min >= 25 * 0.95 ? 'yes' : 'no';
    console.log(`| ${r.what} | ${r.tiles} | ${min.toFixed(1)} / ${mean.toFixed(1)} | ${r.cpuPercent.toFixed(0)} | ${r.cpuMsPerFrame.toFixed(1)} | ${tilesThatFit(r.cpuMsPerFrame)} | ${r.decodeMsPerFrame.toFixed(1)} | ${r.firstFrameMs.toFixed(0)} | ${keeps}${r.errors.length ? ` (errors: ${r.errors[0]})` : ''} | ${r.load} |`);
  }
}

/** Media points per minute of one AAC tile, muted (no audio fetched) and unmuted, from the emulator's counter. */
async function audioPoints(): Promise<void> {
  const seconds = Number(values['points-seconds']);
  const rig = await startWallRig({ emulator: { codecCameras: true } });
  try {
    const page = await rig.open(wallOf('points', rig.account!.id, ['reception'], 1, 1));
    await waitAllLive(page, 1, 60_000);
    const points = (): number => rig.emulator!.control.counters().points['reception']?.media ?? 0;
    const perMinute = async (): Promise<{ rate: number; load: string }> => {
      const before = load();
      const p0 = points();
      await page.waitForTimeout(seconds * 1000);
      return { rate: ((points() - p0) * 60) / seconds, load: `${before} → ${load()}` };
    };
    await page.waitForTimeout(3000);
    const muted = await perMinute();
    await page.getByRole('button', { name: 'Unmute' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section.tile video').length === 1 && !document.querySelector<HTMLVideoElement>('video[data-front="true"]')!.muted, undefined, { timeout: 30_000 });
    await page.waitForTimeout(3000);
    const unmuted = await perMinute();
    console.log(`\n| AAC camera (reception), one tile, ${seconds} s each | media points per minute (one per fragment GET, audio or video) | load avg (before → after) |`);
    console.log('|---|---|---|');
    console.log(`| muted: no audio track fetched (disableAudio) | ${muted.rate.toFixed(1)} | ${muted.load} |`);
    console.log(`| unmuted: audio fetched (every tile before, muted or not) | ${unmuted.rate.toFixed(1)} | ${unmuted.load} |`);
    console.log(`| saved by a muted tile | ${(unmuted.rate - muted.rate).toFixed(1)} (${((100 * (unmuted.rate - muted.rate)) / unmuted.rate).toFixed(0)}%) | |`);
  } finally {
    await rig.stop();
  }
}

async function main(): Promise<void> {
  if (values.only === 'points') return audioPoints();
  console.log(`codecs bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${SECONDS} s per row, load ${load()}`);
  const out = join(CACHE, 'page');
  await build({ configFile: join(ROOT, 'test', 'bench', 'codecs-page', 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  const sizes = await Promise.all((await readdir(join(out, 'assets'))).map(async (f) => [f, (await stat(join(out, 'assets', f))).size] as const));
  console.log(`software decoder assets: ${sizes.map(([f, s]) => `${f} ${(s / 1024).toFixed(0)} KiB`).join(', ')}`);
  const tracks = { '360p': await trackOf(CLIP_360), '720p': await trackOf(await clip720()) };
  const { server, url } = await serve(out);
  // A browser server, so its process id (and its children's CPU time) can be read.
  const browserServer = await chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const pid = browserServer.process().pid;
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const rows: Row[] = [];
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.title === 'ready');
    if (!pid) throw new Error('no browser process id');
    // The page's start-up (WebAssembly compile, worker start) is over before the idle reading begins.
    await new Promise((r) => setTimeout(r, 5000));
    const idle0 = await treeCpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 5000));
    idleShare = ((await treeCpuSeconds(pid)) - idle0) / 5;
    console.log(`idle page: ${(100 * idleShare).toFixed(0)}% of one core`);
    for (const n of values.tiles.split(',').map(Number)) rows.push(await decodeRow(page, pid, 'software decode → canvas | 640×360', tracks['360p'], n));
    for (const n of values.tiles720.split(',').map(Number)) rows.push(await decodeRow(page, pid, 'software decode → canvas | 1280×720', tracks['720p'], n));
    rows.push(await transcodeRow(page, pid, 'baseline: transcode → H.264 (as fast as it goes) | 640×360', tracks['360p']));
    rows.push(await transcodeRow(page, pid, 'baseline: transcode → H.264 (as fast as it goes) | 1280×720', tracks['720p']));
    if (problems.length) console.log(`page problems: ${problems.slice(0, 5).join(' | ')}`);
  } finally {
    print(rows);
    await browser.close();
    await browserServer.close();
    server.close();
  }
  await audioPoints();
}

await main();
