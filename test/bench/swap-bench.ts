/**
 * Swap benchmark: what each session swap leaves behind in Chromium's renderer, fast. A page of N tiles
 * (the app's own TilePlayer, test/bench/swap-page) on 4 emulator cameras; every tile gets a new live
 * session every few seconds (a renewal swap, make-before-break, as on a wall), or never (`--variant
 * noswap`, the baseline of playing alone).
 *
 *   npx tsx test/bench/swap-bench.ts [--tiles 8] [--minutes 5] [--every 8] [--variant ours|naive|noswap]
 *                                    [--sample 30] [--gc] [--media] [--dumps] [--driver raw|playwright]
 *
 * Every `--sample` seconds, after a forced GC when `--gc` (HeapProfiler.collectGarbage):
 * - renderer PSS (/proc/<pid>/smaps), split by mapping: anonymous (malloc, PartitionAlloc, V8), shared
 *   memory (memfd, /dev/shm: frames handed to the compositor), files;
 * - Chromium's DOM counters (documents, nodes, listeners) and the JS heap;
 * - what the page still holds (test/support/media-lifetimes.ts): `<video>`s, MediaSources and
 *   SourceBuffers created and not yet collected, object URLs not revoked;
 * - with `--media`: media players Chromium created and destroyed (CDP Media domain events);
 * - with `--dumps`: Chromium's own memory-infra dump of the renderer (per allocator: malloc,
 *   partition_alloc, v8, blink_gc, media, cc, shared_memory…) at the first and last sample.
 * The page is driven over a bare DevTools pipe (page-driver.ts); `--driver playwright` drives it as the
 * suites do, with DevTools' Network domain on, whose retained responses show up as
 * partition_alloc/partitions/buffer growing by the bytes the tiles fetch.
 * Ends with the slope over the second half and memory per swap. Not part of pass/fail.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetDASHStreamingSessionURLCommand, KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { GetDataEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { build } from 'vite';
import { startEmulator } from '../../emulator';
import { collectGarbage, liveCount, MEDIA_LIFETIMES_SCRIPT, readLifetimes, type MediaLifetimes } from '../support/media-lifetimes';
import { ROOT } from '../support/e2e-wall';
import { dumpChanges, memoryDump, table } from './machine';
import { driverName, openPage, type Cdp, type DrivenPage } from './page-driver';
import { quantile, slope } from './stats';

const { values } = parseArgs({
  options: {
    tiles: { type: 'string', default: '8' },
    minutes: { type: 'string', default: '5' },
    every: { type: 'string', default: '8' },
    sample: { type: 'string', default: '30' },
    variant: { type: 'string', default: 'ours' },
    gc: { type: 'boolean', default: false },
    media: { type: 'boolean', default: false },
    dumps: { type: 'boolean', default: false },
    driver: { type: 'string', default: 'raw' },
  },
});
const TILES = Number(values.tiles);
const MINUTES = Number(values.minutes);
const EVERY_S = Number(values.every);
const SAMPLE_S = Number(values.sample);
const VARIANT = values.variant;
if (!(TILES > 0 && TILES <= 16) || !(MINUTES > 0) || !(EVERY_S > 0) || !(SAMPLE_S > 0)) throw new Error('--tiles 1–16, --minutes, --every, --sample positive');
if (!['ours', 'naive', 'noswap'].includes(VARIANT)) throw new Error('--variant ours, naive or noswap');
const DRIVER = driverName(values.driver);
const CAMERAS = ['cam-a', 'cam-b', 'cam-c', 'cam-d'];
const CLIP_FILES = ['lobby.mp4', 'loading-dock.mp4', 'parking-north.mp4', 'server-room.mp4'];
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');

// ---------------------------------------------------------------------------------------------
// Renderer memory by mapping kind
// ---------------------------------------------------------------------------------------------

type MappingKind = 'anon' | 'shared' | 'file' | 'stack' | 'other';
type Pss = Record<MappingKind, number> & { total: number };

/** PSS (MiB) of one process by kind of mapping, from /proc/<pid>/smaps. */
async function pssByKind(pid: number): Promise<Pss> {
  const out: Pss = { anon: 0, shared: 0, file: 0, stack: 0, other: 0, total: 0 };
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8');
  let kind: MappingKind = 'other';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1] ?? '';
      kind =
        name === '' || name === '[heap]' || name.startsWith('[anon')
          ? 'anon'
          : name.startsWith('/memfd:') || name.startsWith('/dev/shm') || name.startsWith('/SYSV') || name.includes('(deleted)')
            ? 'shared'
            : name.startsWith('[stack')
              ? 'stack'
              : name.startsWith('/')
                ? 'file'
                : 'other';
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) {
      const mib = Number(pss[1]) / 1024;
      out[kind] += mib;
      out.total += mib;
    }
  }
  return out;
}

/** The page's renderer: the renderer process with the largest PSS. */
async function rendererPid(browserCdp: Cdp): Promise<number> {
  const { processInfo } = await browserCdp.send<{ processInfo: Array<{ id: number; type: string }> }>('SystemInfo.getProcessInfo');
  let best = { pid: 0, pss: -1 };
  for (const p of processInfo.filter((p) => p.type === 'renderer')) {
    const pss = await pssByKind(p.id).then((m) => m.total, () => -1);
    if (pss > best.pss) best = { pid: p.id, pss };
  }
  if (!best.pid) throw new Error('no renderer process');
  return best.pid;
}

// ---------------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------------

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/$/, '/index.html'));
    readFile(path).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` };
}


interface Sample {
  atMin: number;
  swaps: number;
  failedSwaps: number;
  pss: Pss;
  jsHeapMiB: number;
  dom: { documents: number; nodes: number; jsEventListeners: number };
  page: MediaLifetimes;
  videosInDom: number;
  media: { created: number; destroyed: number };
}

async function main(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'kvs-wall-swap-bench-'));
  await build({ configFile: join(ROOT, 'test', 'bench', 'swap-page', 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  const emulator = await startEmulator({
    port: 0,
    testControls: true,
    cameras: CAMERAS.map((name, i) => ({ name, file: join(ROOT, 'emulator', 'clips', CLIP_FILES[i]!) })),
    sessionLimitPerStream: 1000,
  });
  const { server, url } = await serve(out);
  let driver: DrivenPage | undefined;
  try {
    const kv = new KinesisVideoClient({ endpoint: emulator.url, region: emulator.region, credentials: emulator.credentials });
    const clients = new Map<string, KinesisVideoArchivedMediaClient>();
    for (const stream of CAMERAS) {
      const { DataEndpoint } = await kv.send(new GetDataEndpointCommand({ StreamName: stream, APIName: 'GET_DASH_STREAMING_SESSION_URL' }));
      clients.set(stream, new KinesisVideoArchivedMediaClient({ endpoint: DataEndpoint, region: emulator.region, credentials: emulator.credentials }));
    }
    let sessionNo = 0;
    const newSession = async (stream: string): Promise<{ id: string; url: string }> => {
      const res = await clients.get(stream)!.send(new GetDASHStreamingSessionURLCommand({ StreamName: stream, PlaybackMode: 'LIVE', Expires: 43_200 }));
      return { id: `s${++sessionNo}`, url: res.DASHStreamingSessionURL! };
    };

    const pageUrl = `${url}?${VARIANT === 'naive' ? 'teardown=naive' : ''}`;
    const page = await openPage(DRIVER, pageUrl, { initScripts: [MEDIA_LIFETIMES_SCRIPT] });
    driver = page;
    const { cdp: pageCdp, browserCdp } = page;
    const problems: string[] = [];
    const deadline = Date.now() + 30_000;
    while (!(await page.evaluate<boolean>("document.title === 'ready'").catch(() => false))) {
      if (Date.now() > deadline) throw new Error('the swap page did not start');
      await sleep(100);
    }
    await pageCdp.send('Performance.enable');
    await pageCdp.send('HeapProfiler.enable');
    const media = { created: 0, destroyed: 0 };
    const mediaEventNames = new Set<string>();
    if (values.media) {
      pageCdp.on('Media.playerCreated', () => void (media.created += 1));
      pageCdp.on('Media.playerEventsAdded', (e) => {
        for (const ev of e['events'] as Array<{ value: string }>) {
          if (mediaEventNames.size < 40) mediaEventNames.add(ev.value.slice(0, 60));
          if (/destroy/i.test(ev.value)) media.destroyed += 1;
        }
      });
      await pageCdp.send('Media.enable');
    }

    await page.evaluate(`window.lab.open(${TILES})`);
    const startPlaying = await Promise.all(Array.from({ length: TILES }, async (_, i) => {
      const s = await newSession(CAMERAS[i % CAMERAS.length]!);
      return page.evaluate<number | false>(`window.lab.play(${i}, ${JSON.stringify(s.id)}, ${JSON.stringify(s.url)}, 60000)`);
    }));
    process.stderr.write(`swap: ${TILES} tiles playing (${startPlaying.filter((x) => x !== false).length} started); variant ${VARIANT}, a swap per tile every ${EVERY_S} s, ${MINUTES} min\n`);
    const pid = await rendererPid(browserCdp);

    let swaps = 0;
    let failedSwaps = 0;
    const swapMs: number[] = [];
    const sample = async (atMin: number): Promise<Sample> => {
      if (values.gc) await collectGarbage(pageCdp);
      const { metrics } = await pageCdp.send<{ metrics: Array<{ name: string; value: number }> }>('Performance.getMetrics');
      const dom = await pageCdp.send<Sample['dom']>('Memory.getDOMCounters');
      return {
        atMin,
        swaps,
        failedSwaps,
        pss: await pssByKind(pid),
        jsHeapMiB: (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / MiB,
        dom,
        page: await readLifetimes(page),
        videosInDom: await page.evaluate<number>("document.querySelectorAll('video').length"),
        media: { ...media },
      };
    };

    const dumps: Array<Record<string, number>> = [];
    if (values.dumps) dumps.push(await memoryDump(browserCdp, pid));
    const t0 = Date.now();
    const samples: Sample[] = [await sample(0)];
    const endAt = t0 + MINUTES * 60_000;
    let nextSample = t0 + SAMPLE_S * 1000;
    const running = new Set<Promise<void>>();
    // Tiles take turns: one swap starts every EVERY_S / TILES seconds, each tile once per EVERY_S.
    let turn = 0;
    let nextSwap = t0;
    while (Date.now() < endAt) {
      const now = Date.now();
      if (now >= nextSample) {
        nextSample += SAMPLE_S * 1000;
        const s = await sample((now - t0) / 60_000);
        samples.push(s);
        const state = await page.evaluate<string>("`${document.visibilityState} ${JSON.stringify(window.lab.phases())}`");
        process.stderr.write(`swap: ${state}; ${s.failedSwaps} timed out\n`);
        process.stderr.write(`swap: ${f1(s.atMin)} min PSS ${f1(s.pss.total)} MiB (anon ${f1(s.pss.anon)}, shared ${f1(s.pss.shared)}), swaps ${s.swaps}, videos live ${liveCount(s.page, 'video')}, MediaSources live ${liveCount(s.page, 'mediaSource')}\n`);
      }
      if (VARIANT !== 'noswap' && now >= nextSwap) {
        nextSwap += (EVERY_S * 1000) / TILES;
        const i = turn++ % TILES;
        const busy = await page.evaluate<boolean>(`window.lab.busy(${i})`);
        if (!busy) {
          const job = (async () => {
            const s = await newSession(CAMERAS[i % CAMERAS.length]!);
            const ms = await page.evaluate<number | false>(`window.lab.play(${i}, ${JSON.stringify(s.id)}, ${JSON.stringify(s.url)})`);
            if (ms === false) failedSwaps += 1;
            else {
              swaps += 1;
              swapMs.push(ms);
            }
          })().catch((e: unknown) => void problems.push(String(e)));
          running.add(job);
          void job.finally(() => running.delete(job));
        }
      }
      await sleep(Math.max(10, Math.min(nextSample, VARIANT === 'noswap' ? endAt : nextSwap, endAt) - Date.now()));
    }
    await Promise.all(running);
    samples.push(await sample((Date.now() - t0) / 60_000));
    if (values.dumps) dumps.push(await memoryDump(browserCdp, pid));

    // ---- results ----
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const half = samples.filter((s) => s.atMin >= last.atMin / 2);
    const fit = (y: (s: Sample) => number): number => slope(half.map((s) => [s.atMin, y(s)]));
    const swapsPerMin = (half[half.length - 1]!.swaps - half[0]!.swaps) / (half[half.length - 1]!.atMin - half[0]!.atMin);
    console.log(`\nSwaps: ${TILES} tiles of ${CAMERAS.length} emulator cameras (360p H.264), variant ${VARIANT}, driver ${DRIVER}, a swap per tile every ${EVERY_S} s, ${f1(last.atMin)} min, GC before samples: ${values.gc ? 'yes' : 'no'}\n`);
    console.log(
      table(
        ['min', 'swaps', 'PSS MiB', 'anon', 'shared', 'file', 'JS heap', 'docs', 'nodes', 'listeners', 'videos in DOM', 'videos live', 'MediaSources live', 'SourceBuffers live', 'object URLs live', ...(values.media ? ['media players created/destroyed'] : [])],
        samples.map((s) => [
          f1(s.atMin),
          String(s.swaps),
          f1(s.pss.total),
          f1(s.pss.anon),
          f1(s.pss.shared),
          f1(s.pss.file),
          f1(s.jsHeapMiB),
          String(s.dom.documents),
          String(s.dom.nodes),
          String(s.dom.jsEventListeners),
          String(s.videosInDom),
          `${liveCount(s.page, 'video')} (${s.page.created['video']})`,
          `${liveCount(s.page, 'mediaSource')} (${s.page.created['mediaSource']})`,
          `${liveCount(s.page, 'sourceBuffer')} (${s.page.created['sourceBuffer']})`,
          `${s.page.objectUrlsLive} (${s.page.objectUrlsCreated})`,
          ...(values.media ? [`${s.media.created}/${s.media.destroyed}`] : []),
        ]),
      ),
    );
    const perSwap = (mibPerMin: number): string => (swapsPerMin > 0 ? `${f1((mibPerMin / swapsPerMin) * 1024)} KiB/swap` : '—');
    const pssFit = fit((s) => s.pss.total);
    console.log(`\nSecond half (${f1(half[0]!.atMin)}–${f1(last.atMin)} min, ${f1(swapsPerMin)} swaps/min): PSS ${f2(pssFit)} MiB/min (${perSwap(pssFit)}), anon ${f2(fit((s) => s.pss.anon))}, shared ${f2(fit((s) => s.pss.shared))}, JS heap ${f2(fit((s) => s.jsHeapMiB))} MiB/min`);
    console.log(`Start → end: PSS ${f1(first.pss.total)} → ${f1(last.pss.total)} MiB (${f2(last.pss.total / TILES)} MiB per tile); swaps ${last.swaps} done, ${last.failedSwaps} timed out; swap time median ${Math.round(quantile(swapMs, 0.5))} ms`);
    if (dumps.length === 2) console.log(`\nChromium memory-infra, renderer, first → last sample (allocators that moved ≥ 0.5 MiB)\n${dumpChanges(dumps[0]!, dumps[1]!)}`);
    if (values.media) console.log(`\nMedia events seen: ${[...mediaEventNames].join(' | ')}`);
    if (page.pageErrors() > 0) problems.push(`${page.pageErrors()} uncaught exceptions in the page`);
    if (problems.length) console.log(`\nPage problems: ${problems.slice(0, 5).join(' | ')}${problems.length > 5 ? ` (+${problems.length - 5})` : ''}`);
  } finally {
    await driver?.close();
    server.close();
    await emulator.stop();
  }
}

await main();
