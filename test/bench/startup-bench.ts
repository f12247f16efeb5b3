/**
 * Wall start-up benchmark: time to first frame per tile and time until a 16-tile wall is all live,
 * for the app's staggered starts against a naive baseline (every tile at once), in the same run.
 *
 *   npx tsx test/bench/startup-bench.ts [--runs 2] [--tiles 16]
 *
 * Builds the current renderer itself (as the end-to-end suite does) and needs Chromium. Each run gets
 * a fresh emulator and app core. Not part of pass/fail.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, probeTiles, startWallRig, waitAllLive, wallOf } from '../support/e2e-wall';
import { quantile } from './stats';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2' }, tiles: { type: 'string', default: '16' } } });
const RUNS = Number(values.runs);
const TILES = Number(values.tiles);
const CAMERAS = ['cam-a', 'cam-b', 'cam-c', 'cam-d'];
const CLIPS = join(ROOT, 'emulator', 'clips');

interface Config {
  name: string;
  /** Page parameters of the start queue: ms between starts, starts in flight until their first frame. */
  stagger: number;
  parallel: number;
}
const CONFIGS: Config[] = [
  { name: 'app (4 in flight, 25 ms apart)', stagger: 25, parallel: 4 },
  { name: 'serial (1 in flight, 100 ms apart)', stagger: 100, parallel: 1 },
  { name: 'baseline (all at once)', stagger: 0, parallel: 64 },
];

interface RunResult {
  /** Per tile: player load() → first presented frame. */
  loadToFrame: number[];
  /** Per tile: session acquire → first presented frame (what the operator waits). */
  acquireToFrame: number[];
  /** First acquire → last tile's first frame. */
  allLiveMs: number;
  /** Per tile, a few seconds after all are live: capture → on screen, from the LIVE badge (kvs:ts). */
  latencyMs: number[];
}

interface MarkDetail {
  tileId: string;
}

async function runOnce(config: Config): Promise<RunResult> {
  // A fresh service per run: released sessions keep counting until they expire, so runs must not share streams.
  const rig = await startWallRig({
    emulator: { cameras: CAMERAS.map((name, i) => ({ name, file: join(CLIPS, i % 2 === 0 ? 'lobby.mp4' : 'loading-dock.mp4') })) },
  });
  try {
    const copies = Math.ceil(TILES / CAMERAS.length);
    const page = await rig.open(wallOf('bench', rig.account!.id, CAMERAS, copies), `&stagger=${config.stagger}&parallel=${config.parallel}`);
    await waitAllLive(page, TILES, 120_000, 1000);
    const marks = await page.evaluate(() =>
      performance.getEntriesByType('mark').filter((m) => m.name.startsWith('kvs-wall:')).map((m) => ({ name: m.name, at: m.startTime, detail: (m as PerformanceMark).detail as MarkDetail })),
    );
    const first = (name: string): Map<string, number> => {
      const out = new Map<string, number>();
      for (const m of marks) if (m.name === name && !out.has(m.detail.tileId)) out.set(m.detail.tileId, m.at);
      return out;
    };
    const acquire = first('kvs-wall:acquire');
    const load = first('kvs-wall:load');
    const frame = first('kvs-wall:first-frame');
    const loadToFrame: number[] = [];
    const acquireToFrame: number[] = [];
    for (const [tile, at] of frame) {
      const l = load.get(tile);
      const a = acquire.get(tile);
      if (l !== undefined) loadToFrame.push(at - l);
      if (a !== undefined) acquireToFrame.push(at - a);
    }
    const allLiveMs = Math.max(...frame.values()) - Math.min(...acquire.values());
    await page.waitForTimeout(3000);
    const latencyMs = (await probeTiles(page)).map((t) => Number(/LIVE ([\d.]+) s/.exec(t.badge)?.[1] ?? NaN) * 1000).filter(Number.isFinite);
    await page.close();
    return { loadToFrame, acquireToFrame, allLiveMs, latencyMs };
  } finally {
    await rig.stop();
  }
}


const ms = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)}` : '—');

async function main(): Promise<void> {
  const results = new Map<string, RunResult[]>();
  // Alternate configs so drift on the machine (thermal, other load) hits both alike.
  for (let run = 0; run < RUNS; run++) {
    for (const config of CONFIGS) {
      process.stderr.write(`run ${run + 1}/${RUNS}: ${config.name}…\n`);
      const result = await runOnce(config);
      results.set(config.name, [...(results.get(config.name) ?? []), result]);
    }
  }
  const rows = CONFIGS.map((config) => {
    const runs = results.get(config.name) ?? [];
    const loadToFrame = runs.flatMap((r) => r.loadToFrame);
    const acquireToFrame = runs.flatMap((r) => r.acquireToFrame);
    const allLive = runs.map((r) => r.allLiveMs);
    const latency = runs.flatMap((r) => r.latencyMs);
    return [
      config.name,
      String(runs.length),
      `${ms(quantile(loadToFrame, 0.5))} / ${ms(quantile(loadToFrame, 0.95))}`,
      `${ms(quantile(acquireToFrame, 0.5))} / ${ms(quantile(acquireToFrame, 0.95))}`,
      `${ms(quantile(allLive, 0.5))} (${allLive.map(ms).join(', ')})`,
      `${ms(quantile(latency, 0.5))} / ${ms(quantile(latency, 0.95))}`,
    ];
  });
  const header = ['config', 'runs', 'TTFF load→frame ms (median / p95)', 'acquire→frame ms (median / p95)', `${TILES}-tile wall all live ms (median; runs)`, 'live latency ms (median / p95)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(`\n${TILES} tiles of ${CAMERAS.length} emulator cameras (360p H.264, 2 s fragments) on loopback; targets: TTFF median ≤ 500 ms, all live ≤ 2500 ms, latency median ≤ 3500 ms.`);
}

await main();
