/**
 * Large-wall benchmark: a wall of N distinct emulator cameras (320×180, 2 s fragments) at 1600×900,
 * the app's decode budget beside a naive wall where every tile plays at full rate, in the same run.
 *
 *   npm run bench -- wall [--tiles 64] [--minutes 5] [--shrink 3] [--record file.json] [--driver raw|playwright]
 *
 * Per configuration, after every tile shows a picture (or 90 s) and 20 s to settle, for `minutes`:
 * - tiles per tier (the tile's `data-tier`), sampled every second;
 * - picture freshness: now − camera time (kvs:ts) of the picture on screen, per tile every second
 *   (the tile's `data-camera-ms` at `data-camera-at`), median and p95 over all tiles, the worst tile's p95,
 *   and full-rate tiles' latency and spread (tiles of a wall should stay within one fragment);
 * - tiles stuck: no new picture for 10 s at any time in the window;
 * - machine CPU (all cores, os.cpus()), and of it Chromium's processes and this Node process (app core, shell,
 *   emulator); the rest is other work on the shared cores. The load average before and after;
 * - renderer memory (PSS) at the end; frames the full-rate `<video>`s dropped of those decoded;
 * - media points a second: fragment GETs the emulator served in the window.
 * Then (`--shrink G`, default 3 for walls over 9 tiles) the wall becomes G×G: the G² tiles left, sampled
 * every 500 ms for 20 s: how long until each is back within its live target and stays there.
 * `--record` writes the budget's measurement windows (the page's `data-decode-budget`) for the tier
 * decision's tests. Builds the renderer and needs Chromium; first start encodes the cameras (~1 min).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { callApp, startWallRig, wallOf, type WallRig } from '../support/e2e-wall';
import { CpuMeter, ProcessCpuMeter, chromiumMemory, loadAverage, table } from './machine';
import { driverName, openPage, type DrivenPage } from './page-driver';
import { quantile } from './stats';

const { values } = parseArgs({
  options: {
    tiles: { type: 'string', default: '64' },
    minutes: { type: 'string', default: '5' },
    shrink: { type: 'string' },
    record: { type: 'string' },
    only: { type: 'string' },
    driver: { type: 'string', default: 'raw' },
  },
});
/** Over a bare DevTools pipe by default: a Playwright page keeps every response for DevTools (page-driver.ts). */
const DRIVER = driverName(values.driver);
const TILES = Number(values.tiles);
const MINUTES = Number(values.minutes);
const GRID = [1, 2, 3, 4, 5, 6, 8].find((g) => g * g >= TILES) ?? 8;
const SHRINK = values.shrink === undefined ? (TILES > 9 ? 3 : 0) : Number(values.shrink);
if (!(TILES >= 1 && TILES <= 64) || !(MINUTES > 0) || !(SHRINK >= 0 && SHRINK < GRID)) throw new Error('--tiles 1–64, --minutes > 0, --shrink smaller than the grid');
const VIEWPORT = { width: 1600, height: 900 };
const FRESH_TARGET_MS = 5000;
/**
 * Within the live target: fragment 2 s + ingest lag 0.45 s (learnt: a little more on a busy machine) +
 * starving threshold 0.5 s + safety 0.2 s, and the 0.4 s catch-up leaves alone (live-phase.ts, catch-up.ts).
 */
const LIVE_TARGET_MS = 3800;
const STUCK_MS = 10_000;

interface Config {
  name: string;
  decode: 'adaptive' | 'full';
}
const CONFIGS: Config[] = [
  { name: 'ours (decode budget)', decode: 'adaptive' },
  { name: 'naive (all full rate)', decode: 'full' },
].filter((c) => !values.only || c.decode === values.only) as Config[];

interface TileLook {
  position: number;
  cameraMs: number | undefined;
  cameraAt: number | undefined;
  tier: string;
  phase: string;
  dropped: number;
  total: number;
  element: number;
}

declare global {
  interface Window {
    kvsBenchIds?: WeakMap<Element, number>;
  }
}

function look(page: DrivenPage): Promise<{ tiles: TileLook[]; budget: string | undefined }> {
  return page.evaluate(() => {
    const ids = (window.kvsBenchIds ??= new WeakMap());
    let next = 1;
    return {
      budget: document.documentElement.dataset['decodeBudget'],
      tiles: [...document.querySelectorAll<HTMLElement>('section.tile')].map((tile) => {
        const video = tile.querySelector<HTMLVideoElement>('video[data-front="true"]');
        if (video && !ids.has(video)) ids.set(video, performance.now() + next++);
        const q = video?.getVideoPlaybackQuality();
        // No named helper here: tsx would wrap it in `__name(...)`, which doesn't exist in the page.
        const cameraMs = tile.dataset['cameraMs'];
        const cameraAt = tile.dataset['cameraAt'];
        return {
          position: Number(tile.dataset['position']),
          cameraMs: cameraMs === undefined || cameraMs === '' ? undefined : Number(cameraMs),
          cameraAt: cameraAt === undefined || cameraAt === '' ? undefined : Number(cameraAt),
          tier: tile.dataset['tier'] ?? '',
          phase: tile.dataset['phase'] ?? '',
          dropped: q?.droppedVideoFrames ?? 0,
          total: q?.totalVideoFrames ?? 0,
          element: video ? ids.get(video)! : 0,
        };
      }),
    };
  });
}

interface Result {
  config: Config;
  loadBefore: string;
  loadAfter: string;
  tiersEnd: Record<string, number>;
  fullRange: [number, number];
  freshness: number[];
  perTileP95: number[];
  fullLatency: number[];
  spread: number[];
  stuck: number;
  cpu: number;
  /** Of the machine: every Chromium process, and the Node process (app core, shell, emulator). */
  cpuChromium: number;
  cpuNode: number;
  rendererMiB: number;
  dropped: number;
  decoded: number;
  mediaPointsPerSec: number;
  manifestsPerSec: number;
  secondsToPictures: number;
  shrink?: { perTileSec: number[]; atTen: number[]; never: number; fullAtTen: number; fullAtEnd: number; budgetAtEnd: string };
  budgetWindows: unknown[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runConfig(config: Config): Promise<Result> {
  const rig: WallRig = await startWallRig({ emulator: { cameras: TILES }, viewport: VIEWPORT });
  try {
    const cameras = rig.emulator!.cameras.slice(0, TILES);
    const wall = wallOf('bench', rig.account!.id, cameras, 1, GRID);
    const opened = Date.now();
    const page = await openPage(DRIVER, await rig.prepare(wall, `&decode=${config.decode}`), { viewport: VIEWPORT, playwright: { browser: rig.browser, context: rig.context } });
    // Every tile shows a picture, or 90 s.
    let secondsToPictures = NaN;
    while (Date.now() - opened < 90_000) {
      const { tiles } = await look(page);
      if (tiles.length === TILES && tiles.every((t) => t.cameraMs !== undefined)) {
        secondsToPictures = (Date.now() - opened) / 1000;
        break;
      }
      await sleep(1000);
    }
    process.stderr.write(`  ${config.name}: pictures on ${Number.isFinite(secondsToPictures) ? `every tile after ${secondsToPictures.toFixed(1)} s` : 'not every tile after 90 s'}; settling 20 s\n`);
    await sleep(20_000);

    const browserCdp = page.browserCdp;
    const loadBefore = loadAverage();
    const cpu = new CpuMeter();
    const processCpu = new ProcessCpuMeter(browserCdp);
    await processCpu.reset();
    const counters0 = rig.emulator!.control.counters();
    const t0 = Date.now();
    const freshness = new Map<number, number[]>();
    const fullLatency: number[] = [];
    const spread: number[] = [];
    const lastAdvance = new Map<number, { cameraMs: number; at: number }>();
    const stuck = new Set<number>();
    const frames = new Map<number, { element: number; dropped: number; total: number }>();
    let dropped = 0;
    let decoded = 0;
    let fullMin = Infinity;
    let fullMax = 0;
    const budgetWindows: unknown[] = [];
    let lastBudget = '';
    let tiersEnd: Record<string, number> = {};
    while (Date.now() - t0 < MINUTES * 60_000) {
      const at = Date.now();
      const { tiles, budget } = await look(page);
      if (budget && budget !== lastBudget) {
        lastBudget = budget;
        budgetWindows.push(JSON.parse(budget));
      }
      tiersEnd = {};
      const fullNow: number[] = [];
      for (const t of tiles) {
        tiersEnd[t.tier || t.phase] = (tiersEnd[t.tier || t.phase] ?? 0) + 1;
        const prev = lastAdvance.get(t.position);
        if (t.cameraMs !== undefined && t.cameraAt !== undefined) {
          const fresh = t.cameraAt - t.cameraMs;
          (freshness.get(t.position) ?? freshness.set(t.position, []).get(t.position)!).push(fresh);
          if (t.tier === 'full') {
            fullLatency.push(fresh);
            fullNow.push(fresh);
          }
          if (!prev || t.cameraMs > prev.cameraMs) lastAdvance.set(t.position, { cameraMs: t.cameraMs, at });
        } else if (!prev) {
          lastAdvance.set(t.position, { cameraMs: -Infinity, at: t0 });
        }
        const since = lastAdvance.get(t.position)!;
        if (at - since.at > STUCK_MS) stuck.add(t.position);
        const f = frames.get(t.position);
        if (t.tier === 'full' && f && f.element === t.element && t.total >= f.total) {
          decoded += t.total - f.total;
          dropped += t.dropped - f.dropped;
        }
        frames.set(t.position, { element: t.element, dropped: t.dropped, total: t.total });
      }
      fullMin = Math.min(fullMin, fullNow.length);
      fullMax = Math.max(fullMax, fullNow.length);
      if (fullNow.length > 1) spread.push(Math.max(...fullNow) - Math.min(...fullNow));
      await sleep(Math.max(0, at + 1000 - Date.now()));
    }
    const seconds = (Date.now() - t0) / 1000;
    const busy = cpu.busy();
    const byProcess = await processCpu.read();
    const counters1 = rig.emulator!.control.counters();
    const delta = (k: 'getMP4MediaFragment' | 'getDASHManifest'): number => ((counters1.requests[k] ?? 0) - (counters0.requests[k] ?? 0)) / seconds;
    const memory = await chromiumMemory(browserCdp);
    const loadAfter = loadAverage();
    const all = [...freshness.values()].flat();
    const result: Result = {
      config,
      loadBefore,
      loadAfter,
      tiersEnd,
      fullRange: [fullMin, fullMax],
      freshness: all,
      perTileP95: [...freshness.values()].map((v) => quantile(v, 0.95)),
      fullLatency,
      spread,
      stuck: stuck.size + (TILES - freshness.size),
      cpu: busy,
      cpuChromium: byProcess.chromium,
      cpuNode: byProcess.node,
      rendererMiB: memory.rendererMiB,
      dropped,
      decoded,
      mediaPointsPerSec: delta('getMP4MediaFragment'),
      manifestsPerSec: delta('getDASHManifest'),
      secondsToPictures,
      budgetWindows,
    };
    if (page.pageErrors() > 0) process.stderr.write(`  ${config.name}: ${page.pageErrors()} page errors\n`);
    if (SHRINK > 0) result.shrink = await shrink(rig, page, wall);
    await page.close();
    return result;
  } finally {
    await rig.stop();
  }
}

/** Makes the wall SHRINK×SHRINK and times each remaining tile's way back to its live target. */
async function shrink(rig: WallRig, page: DrivenPage, wall: ReturnType<typeof wallOf>): Promise<Result['shrink']> {
  const kept = SHRINK * SHRINK;
  // Cells are row-major in the grid: renumber the first `kept` tiles onto the smaller grid.
  const tiles = wall.tiles.slice(0, kept).map((t, i) => ({ ...t, cell: i }));
  const changedAt = Date.now();
  await callApp(rig.core, 'walls.save', { ...wall, grid: SHRINK, tiles });
  const series = new Map<number, Array<{ t: number; fresh: number | undefined }>>();
  let fullAtTen = -1;
  let fullAtEnd = 0;
  let budgetAtEnd = '';
  while (Date.now() - changedAt < 20_000) {
    const at = Date.now();
    const { tiles: looks, budget } = await look(page);
    fullAtEnd = looks.filter((l) => l.position <= kept && l.tier === 'full').length;
    if (fullAtTen < 0 && at - changedAt >= 10_000) fullAtTen = fullAtEnd;
    if (budget) budgetAtEnd = (JSON.parse(budget) as { reason?: string }).reason ?? '';
    for (const l of looks) {
      // Positions are 1-based; tiles the grid change removed may still be on the page for a moment.
      if (l.position > kept) continue;
      const fresh = l.cameraMs !== undefined && l.cameraAt !== undefined ? l.cameraAt - l.cameraMs : undefined;
      (series.get(l.position) ?? series.set(l.position, []).get(l.position)!).push({ t: (at - changedAt) / 1000, fresh });
    }
    await sleep(Math.max(0, at + 500 - Date.now()));
  }
  const perTileSec: number[] = [];
  const atTen: number[] = [];
  let never = 0;
  for (const points of series.values()) {
    // Back: from this sample on, every reading within the live target.
    let back: number | undefined;
    for (let i = points.length - 1; i >= 0; i--) {
      const p = points[i]!;
      if (p.fresh === undefined || p.fresh > LIVE_TARGET_MS) break;
      back = p.t;
    }
    if (back === undefined) never += 1;
    else perTileSec.push(back);
    const ten = points.find((p) => p.t >= 10 && p.fresh !== undefined);
    if (ten?.fresh !== undefined) atTen.push(ten.fresh);
  }
  return { perTileSec, atTen, never: never + Math.max(0, kept - series.size), fullAtTen, fullAtEnd, budgetAtEnd };
}

const s1 = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '—');
const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');

async function main(): Promise<void> {
  process.stderr.write(`wall bench: ${TILES} distinct cameras on a ${GRID}×${GRID} wall at ${VIEWPORT.width}×${VIEWPORT.height}, ${MINUTES} min per configuration (load ${loadAverage()})\n`);
  const results: Result[] = [];
  for (const config of CONFIGS) {
    process.stderr.write(`${config.name}…\n`);
    results.push(await runConfig(config));
  }
  const rows = results.map((r) => [
    r.config.name,
    Object.entries(r.tiersEnd)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ') + ` (full ${r.fullRange[0]}–${r.fullRange[1]})`,
    `${s1(quantile(r.freshness, 0.5))} / ${s1(quantile(r.freshness, 0.95))}`,
    `${s1(Math.max(...r.perTileP95))} (${r.perTileP95.filter((p) => p > FRESH_TARGET_MS).length} over 5 s)`,
    `${s1(quantile(r.fullLatency, 0.5))} (spread ${s1(quantile(r.spread, 0.5))})`,
    `${pct(r.cpu)} (${pct(r.cpuChromium)} + ${pct(r.cpuNode)})`,
    `${r.rendererMiB.toFixed(0)} (${(r.rendererMiB / TILES).toFixed(1)}/tile)`,
    `${r.dropped} of ${r.decoded}`,
    `${r.mediaPointsPerSec.toFixed(1)} (${r.manifestsPerSec.toFixed(1)} manifests)`,
    String(r.stuck),
    r.loadBefore,
    r.loadAfter,
  ]);
  console.log(`\n${TILES} distinct cameras (320×180 H.264, 2 s fragments), ${GRID}×${GRID} at ${VIEWPORT.width}×${VIEWPORT.height}, ${MINUTES} min each after 20 s settling; targets: freshness p95 ≤ 5 s for every tile, CPU ≤ 80%, ≥ 8 full-rate tiles with latency median ≤ 3.5 s, 0 stuck\n`);
  console.log(
    table(
      ['config', 'tiles per tier (end)', 'freshness s median / p95', 'worst tile p95 s', 'full-rate latency s median', 'machine CPU (Chromium + app & emulator)', 'renderer MiB', 'dropped frames', 'media points/s', 'stuck', 'load before', 'load after'],
      rows,
    ),
  );
  const shrinks = results.filter((r) => r.shrink);
  if (shrinks.length > 0) {
    console.log(`\n${GRID}×${GRID} → ${SHRINK}×${SHRINK}: seconds until each remaining tile is within its live target (≤ ${LIVE_TARGET_MS / 1000} s behind the camera) for good; target ≤ 10 s\n`);
    console.log(
      table(
        ['config', 'tiles back (of kept)', 'seconds median / max', 'latency 10 s after, median / max', 'never back in 20 s', 'full rate at 10 s / 20 s', 'budget’s last reason'],
        shrinks.map((r) => {
          const s = r.shrink!;
          return [r.config.name, `${s.perTileSec.length} of ${SHRINK * SHRINK}`, `${quantile(s.perTileSec, 0.5).toFixed(1)} / ${Math.max(...s.perTileSec).toFixed(1)}`, `${s1(quantile(s.atTen, 0.5))} / ${s1(Math.max(...s.atTen))}`, String(s.never), `${s.fullAtTen} / ${s.fullAtEnd}`, s.budgetAtEnd];
        }),
      ),
    );
  }
  if (values.record) {
    await writeFile(values.record, JSON.stringify(Object.fromEntries(results.map((r) => [r.config.decode, r.budgetWindows])), null, 1));
    console.log(`\nBudget windows written to ${values.record}`);
  }
}

await main();
