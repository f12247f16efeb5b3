/**
 * Churn benchmark: what an operator's routine costs in KVS sessions, and how long the wall takes to be
 * live again after each action, in the browser through the browser shell, for this app (sessions follow
 * the camera: main's pool, tiles known by their place) against a naive client in the same run: the same
 * app with main's pool reuse switched off (`sessionReuse: false`, bench-only), so every tile start asks
 * KVS for a new session, released ones keep counting until they expire, and nothing outlives a restart
 * — how the app worked before. Both on the emulator's `sessions` model (10 per stream) with main's
 * budget, so the naive client waits for a slot rather than evicting its own sessions.
 *
 *   npx tsx test/bench/churn-bench.ts [--rounds 2]      (npm run bench -- churn)
 *
 * A 3×3 wall of three cameras; each round: 4 swaps, the grid 3×3 → 1×1 → 4×4 → 3×3, a look back and
 * back to live, 2 page reloads, an app restart. "Live again": every tile shows LIVE (or REPLAY) and its
 * picture moves, polled every 100 ms; timed on the page's clock from when the action reached the page
 * (the drop, the click), and from the action for reloads and restarts. The pool's key is kept in memory
 * across restarts, as the keychain would (benches run without a keyring). Builds the renderer itself
 * and needs Chromium. Not part of pass/fail.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { ROOT, probeTiles, startWallRig, waitAllLive, wallOf, type TileProbe, type WallRig, type WallRigOptions } from '../support/e2e-wall';
import { memorySealingKey } from '../support/memory-vault';
import { quantile } from './stats';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' } } });
const ROUNDS = Number(values.rounds);

declare global {
  interface Window {
    /** Page time of the last drop (a tile dragged onto another). */
    kvsDropAt?: number;
  }
}
const CAMERAS = ['cam-a', 'cam-b', 'cam-c'];
const TILES = 9;
const CLIPS = join(ROOT, 'emulator', 'clips');
/** An action whose wall isn't live again by then counts as "not live" (a tile waits for a slot). */
const GIVE_UP_MS = 20_000;

type ActionKind = 'swap' | 'grid change' | 'look back' | 'back to live' | 'page reload' | 'app restart';
const KINDS: ActionKind[] = ['swap', 'grid change', 'look back', 'back to live', 'page reload', 'app restart'];

interface Client {
  name: string;
  /** Core options that make the app this client. */
  core: WallRigOptions['core'];
}

interface Sample {
  kind: ActionKind;
  sessions: number;
  /** ms until live again; undefined: not within GIVE_UP_MS. */
  liveMs: number | undefined;
  waiting: number;
}

const live = (before: TileProbe | undefined, after: TileProbe): boolean =>
  !!before && after.frames > 0 && after.phase === 'playing' && /^(LIVE|REPLAY)/.test(after.badge) && after.currentTime !== before.currentTime;

/** The tiles as the page shows them, and the page's clock then. */
function look(page: Page): Promise<{ at: number; tiles: TileProbe[] }> {
  return Promise.all([page.evaluate(() => performance.now()), probeTiles(page)]).then(([at, tiles]) => ({ at, tiles }));
}

/**
 * Polls until every tile is live (picture moving) or GIVE_UP_MS passes. Time is counted on the page's
 * clock from `startedAt` (when the action reached the page: a drop, a click) when given, otherwise on
 * this process's clock from `startedNode` (reloads and restarts start a new page clock).
 */
async function liveAgain(page: Page, tiles: number, startedNode: number, startedAt?: number): Promise<{ liveMs: number | undefined; waiting: number }> {
  let previous = await look(page).catch(() => ({ at: 0, tiles: [] as TileProbe[] }));
  while (performance.now() - startedNode < GIVE_UP_MS) {
    await page.waitForTimeout(100);
    const now = await look(page).catch(() => ({ at: 0, tiles: [] as TileProbe[] }));
    if (now.tiles.length === tiles && now.tiles.every((t, i) => live(previous.tiles[i], t))) {
      // Live by the look that saw every picture moved since the previous one (at most one poll late).
      return { liveMs: startedAt === undefined ? performance.now() - startedNode : now.at - startedAt, waiting: 0 };
    }
    previous = now;
  }
  return { liveMs: undefined, waiting: previous.tiles.filter((t) => /wait/i.test(t.badge)).length };
}

async function runClient(client: Client): Promise<{ samples: Sample[]; created: number; revoked: number }> {
  const rig: WallRig = await startWallRig({
    emulator: { cameras: CAMERAS.map((name, i) => ({ name, file: join(CLIPS, i === 1 ? 'loading-dock.mp4' : 'lobby.mp4') })) },
    ...(client.core ? { core: client.core } : {}),
  });
  const samples: Sample[] = [];
  await rig.context.addInitScript(`document.addEventListener('drop', () => { window.kvsDropAt = performance.now(); }, true);`);
  try {
    const page = await rig.open(wallOf('churn', rig.account!.id, CAMERAS, 3, 3));
    await waitAllLive(page, TILES, 60_000);
    const created = () => rig.emulator!.control.counters().requests.getDASHStreamingSessionURL ?? 0;
    /** `pageClock`: the action stays on this page, so time it on the page's clock from when it reached the page. */
    const measure = async (kind: ActionKind, action: () => Promise<void>, tiles = TILES, pageClock = true): Promise<void> => {
      const before = created();
      const startedNode = performance.now();
      const clickedAt = pageClock ? await page.evaluate(() => performance.now()) : undefined;
      await action();
      // A drag is a gesture that takes the pointer a while: its action starts at the drop.
      const dropAt = pageClock ? await page.evaluate(() => window.kvsDropAt) : undefined;
      const startedAt = clickedAt === undefined ? undefined : dropAt !== undefined && dropAt > clickedAt ? dropAt : clickedAt;
      const result = await liveAgain(page, tiles, startedNode, startedAt);
      samples.push({ kind, sessions: created() - before, ...result });
    };
    for (let round = 0; round < ROUNDS; round++) {
      await page.getByRole('button', { name: 'Edit' }).click();
      for (const [a, b] of [[0, 3], [4, 7], [2, 8], [1, 5]] as const) {
        await measure('swap', () => page.dragAndDrop(`.wall > .cell:nth-child(${a + 1})`, `.wall > .cell:nth-child(${b + 1})`));
      }
      await page.getByRole('button', { name: 'Done' }).click();
      const grid = page.getByRole('combobox', { name: 'Grid size' });
      await measure('grid change', async () => void (await grid.selectOption('1')), 1);
      await measure('grid change', async () => void (await grid.selectOption('4')));
      await measure('grid change', async () => void (await grid.selectOption('3')));
      const tile = page.locator('section.tile[data-position="1"]');
      await tile.hover();
      await tile.getByRole('button', { name: 'Look back' }).click();
      await measure('look back', () => tile.getByRole('button', { name: 'Replay from here' }).click());
      await measure('back to live', () => tile.getByRole('button', { name: 'Back to live' }).click());
      await tile.getByRole('button', { name: 'Close look back' }).click();
      for (let i = 0; i < 2; i++) await measure('page reload', async () => void (await page.reload()), TILES, false);
      await measure('app restart', () => rig.restart([page]), TILES, false);
    }
    return { samples, created: created(), revoked: rig.emulator!.control.counters().revokedSessions };
  } finally {
    await rig.stop();
  }
}

const seconds = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '—' : (ms / 1000).toFixed(1));

async function main(): Promise<void> {
  const clients: Client[] = [
    // The pool's key lives in this process, as the keychain would keep it (benches run without a keyring).
    { name: 'this app (pool)', core: { sessionPoolKey: memorySealingKey() } },
    { name: 'naive (new session per tile start)', core: NAIVE_CORE },
  ];
  const results = new Map<string, Sample[]>();
  const totals: string[] = [];
  for (const client of clients) {
    process.stderr.write(`${client.name}…\n`);
    const run = await runClient(client);
    results.set(client.name, run.samples);
    totals.push(`${client.name}: ${run.created} sessions created in all (${TILES} at the start), ${run.revoked} closed by KVS`);
  }
  const header = ['action', ...clients.flatMap((c) => [`${c.name}: sessions / action`, `${c.name}: s to live again, median / max (not live)`])];
  const rows = KINDS.map((kind) => [
    kind,
    ...clients.flatMap((c) => {
      const of = (results.get(c.name) ?? []).filter((s) => s.kind === kind);
      const times = of.map((s) => s.liveMs).filter((t): t is number => t !== undefined);
      const notLive = of.length - times.length;
      const sessions = of.reduce((sum, s) => sum + s.sessions, 0) / Math.max(1, of.length);
      return [sessions.toFixed(1), `${seconds(quantile(times, 0.5))} / ${seconds(times.length ? Math.max(...times) : undefined)}${notLive ? ` (${notLive} of ${of.length} not live in ${GIVE_UP_MS / 1000} s)` : ''}`];
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(`\n${totals.join('; ')}.`);
  console.log(`${TILES} tiles of ${CAMERAS.length} emulator cameras (sessions model), ${ROUNDS} rounds; target: live again ≤ 3 s.`);
}

/** Core options that make the naive client: no session is ever handed to a second tile start. */
const NAIVE_CORE: WallRigOptions['core'] = { sessionReuse: false };

await main();
