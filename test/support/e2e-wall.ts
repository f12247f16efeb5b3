import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { createAppCore, type AppCore, type AppCoreOptions } from '../../main/compose';
import { startBrowserShell, type BrowserShell } from '../../main/web';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';
import type { CallName, CallRequest, CallResponse } from '../../shared/contract';
import { WIRE_TOKEN_PARAM } from '../../shared/wire';
import type { AccountSummary, Wall } from '../../shared/model';
import { launchChromium } from './browser';
import { memoryVault } from './memory-vault';
import type { SecretVault } from '../../main/accounts/keychain';

export const ROOT = join(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
/** The test itself, as a caller of the contract (it owns no tiles). */
const TEST_SENDER = { id: 'e2e-test', url: 'http://127.0.0.1/' };

/** Calls the app as a window would, through the contract's validation and handlers. */
export async function callApp<N extends CallName>(core: AppCore, name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
  const reply = await core.dispatch(name, request, TEST_SENDER);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as CallResponse<N>;
}

export interface WallRigOptions {
  /** The built-in Demo cameras account (embedded emulator, no test controls). */
  demo?: boolean;
  /** The demo's large wall of distinct cameras (default none: their first encodes cost a minute of CPU). */
  demoGrid?: { cameras: number; cacheDir?: string };
  /** A separate emulator with test controls, added as an account; false for none. */
  emulator?: EmulatorOptions | false;
  /** Add the emulator as an access-keys account (default); false leaves adding an account to the test. */
  addAccount?: boolean;
  /** Test-only account settings passed to createAppCore (short role sessions, a stand-in network). */
  accountOptions?: AppCoreOptions['accountOptions'];
  viewport?: { width: number; height: number };
  /**
   * Short sessions for renewal tests (the settings refuse under 300 s). Passed to createAppCore as
   * `sessionTimings`; the renewal test checks the emulator saw sessions this short.
   */
  sessionTimings?: { expiresSeconds: number; renewLeadSeconds: number };
  /** Kiosk options as the command line would give them (`--wall NAME --fullscreen`). */
  kiosk?: { wall?: string; fullscreen: boolean };
  /**
   * Files written into the user-data folder before the core starts (name relative to the folder →
   * contents), e.g. a corrupt `walls.json`, as a previous run or a bad disk would have left them.
   */
  userData?: Record<string, string>;
  /** More core options (e.g. where the session pool keeps its key), passed as given on every start. */
  core?: Partial<AppCoreOptions>;
}

export interface WallRig {
  readonly dir: string;
  /** The running core and shell; both are new objects after `restart()`. */
  readonly core: AppCore;
  readonly shell: BrowserShell;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly emulator: RunningEmulator | undefined;
  /** The account for `emulator`, when there is one. */
  readonly account: AccountSummary | undefined;
  /** Where the app keeps account secrets in this rig (in memory: the keychain has its own tests). */
  readonly vault: SecretVault;
  /**
   * Saves `wall` (if given) as the last-opened wall and opens the app on it. `query` is appended to the
   * page's address (`&decode=adaptive` …); without a `decode=` in it the page plays every tile at full
   * rate (`&decode=full`): these suites test the Shaka tiles, and the decode budget's choices follow the
   * whole machine's CPU, which other work on a shared machine would sway. The budget has its own suite.
   */
  open(wall?: Wall, query?: string): Promise<Page>;
  /** What `open` does before opening a page: saves `wall` as the last-opened wall; returns the page's address. */
  prepare(wall?: Wall, query?: string): Promise<string>;
  /**
   * Quits and starts the app again on the same user-data folder (same account secrets, same port),
   * as an operator restarting `npm run start:browser -- --port N` would. The page's socket is refused
   * by the new shell (its token is per launch): pass the open pages to send them to the new address,
   * in the same tab, as the operator would.
   */
  restart(pages?: readonly Page[]): Promise<void>;
  /** Stops the browser shell's server (every socket closed, nothing listening); the core keeps running. */
  stopShell(): Promise<void>;
  /** Serves again on the same port with the same token, so the open pages can reconnect by themselves. */
  startShell(): Promise<void>;
  stop(): Promise<void>;
}

let rendererBuild: Promise<string> | undefined;

/**
 * The renderer as it is now, built once per test process into its own folder: a stale
 * renderer/dist would test old code, and parallel test files must not rebuild under each other.
 */
export function builtRenderer(): Promise<string> {
  rendererBuild ??= (async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'kvs-wall-renderer-'));
    await build({ configFile: join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
    return outDir;
  })();
  return rendererBuild;
}

export async function startWallRig(options: WallRigOptions = {}): Promise<WallRig> {
  const rendererDir = await builtRenderer();
  const dir = await mkdtemp(join(tmpdir(), 'kvs-wall-e2e-'));
  for (const [name, contents] of Object.entries(options.userData ?? {})) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), contents);
  }
  const emulator = options.emulator === false ? undefined : await startEmulator({ port: 0, testControls: true, ...(options.emulator ?? {}) });
  const vault = memoryVault();
  const coreOptions: AppCoreOptions = {
    userDataDir: dir,
    shell: 'browser' as const,
    demo: options.demo ?? false,
    demoGrid: options.demoGrid ?? { cameras: 0 },
    vault,
    ...(options.sessionTimings ? { sessionTimings: options.sessionTimings } : {}),
    ...(options.kiosk ? { kiosk: options.kiosk } : {}),
    ...(options.accountOptions ? { accountOptions: options.accountOptions } : {}),
    ...options.core,
  };
  let core = await createAppCore(coreOptions);
  const account = emulator && options.addAccount !== false
    ? await callApp(core, 'accounts.add', {
        name: 'Test cameras',
        region: emulator.region,
        accessKeyId: emulator.credentials.accessKeyId,
        secretAccessKey: emulator.credentials.secretAccessKey,
        endpoint: emulator.url,
      })
    : undefined;
  let shell = await startBrowserShell({ port: 0, userDataDir: dir, core, rendererDir });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 720 } });
  const prepare = async (wall?: Wall, query = ''): Promise<string> => {
    if (wall) {
      await callApp(core, 'walls.save', wall);
      await callApp(core, 'settings.update', { lastWallId: wall.id });
    }
    return `${shell.url}${query}${query.includes('decode=') ? '' : '&decode=full'}`;
  };
  return {
    dir,
    get core() {
      return core;
    },
    get shell() {
      return shell;
    },
    browser,
    context,
    emulator,
    account,
    vault,
    prepare,
    async open(wall, query = '') {
      const url = await prepare(wall, query);
      const page = await context.newPage();
      await page.goto(url);
      return page;
    },
    async restart(pages = []) {
      const port = shell.port;
      await shell.stop();
      await core.dispose();
      core = await createAppCore(coreOptions);
      shell = await startBrowserShell({ port, userDataDir: dir, core, rendererDir });
      for (const page of pages) {
        // The new launch's token, the page's own decode mode.
        const decode = new URL(page.url()).searchParams.get('decode') ?? 'full';
        await page.goto(`${shell.url}&decode=${encodeURIComponent(decode)}`);
      }
    },
    async stopShell() {
      await shell.stop();
    },
    async startShell() {
      const token = new URL(shell.url).searchParams.get(WIRE_TOKEN_PARAM) ?? undefined;
      shell = await startBrowserShell({ port: shell.port, userDataDir: dir, core, rendererDir, ...(token ? { token } : {}) });
    },
    async stop() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await shell.stop().catch(() => undefined);
      await core.dispose().catch(() => undefined);
      await emulator?.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A wall of `streams`, each repeated `copies` times, on the smallest grid that holds them. */
export function wallOf(id: string, accountId: string, streams: readonly string[], copies = 1, grid?: number): Wall {
  const names = streams.flatMap((s) => Array.from({ length: copies }, () => s));
  const size = grid ?? [1, 2, 3, 4, 5, 6, 8].find((g) => g * g >= names.length) ?? 8;
  return { id, name: `Test wall ${id}`, grid: size, tiles: names.map((streamName, cell) => ({ cell, colSpan: 1, rowSpan: 1, muted: true, stream: { accountId, streamName } })) };
}

/** What a user sees of one tile: its badge, and the visible video's frames and clock. */
export interface TileProbe {
  position: number;
  stream: string;
  phase: string;
  /** The state word (LIVE, REPLAY, WAITING, OFFLINE, ERROR…). */
  badge: string;
  /** What goes with it ("−4:12", "last seen 10:42:17"), and the sentence over a dimmed picture. */
  extra: string;
  why: string;
  /** Short words after the state word ("0.5 fps", "software decode", "audio: G.711 not supported"). */
  notes: string[];
  frames: number;
  currentTime: number;
  videos: number;
  /** What draws the visible picture: Shaka's `<video>`, or the canvas player (key frames, or a codec only a software decoder plays). */
  surface: 'video' | 'canvas' | 'none';
  /** The tile's camera clock (epoch ms, kvs:ts) for the picture on screen. */
  cameraMs: number | undefined;
  /** When (epoch ms) the tile read `cameraMs`: `cameraAt − cameraMs` is how far behind the camera its picture was. */
  cameraAt: number | undefined;
}

/** The tile's bar as read aloud: the state word and its notes ("LIVE · 0.5 fps · software decode"). */
export function barText(tile: Pick<TileProbe, 'badge' | 'notes'>): string {
  return [tile.badge, ...tile.notes].join(' · ');
}

/** What the probes need of a page: Playwright's, or one driven over a bare DevTools pipe (raw-cdp.ts). */
export interface ProbedPage {
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  waitForTimeout(ms: number): Promise<void>;
}

export function probeTiles(page: ProbedPage): Promise<TileProbe[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('section.tile')].map((tile) => {
      const video = tile.querySelector<HTMLVideoElement>('video[data-front="true"]');
      const canvas = tile.querySelector<HTMLCanvasElement>('canvas[data-front="true"]');
      return {
        position: Number(tile.dataset['position']),
        stream: tile.dataset['stream'] ?? '',
        phase: tile.dataset['phase'] ?? '',
        badge: tile.querySelector('.badge')?.textContent ?? '',
        extra: tile.querySelector('.state-extra')?.textContent ?? '',
        why: tile.querySelector('.why')?.textContent ?? '',
        notes: [...tile.querySelectorAll('.note')].map((note) => note.textContent ?? ''),
        frames: video ? video.getVideoPlaybackQuality().totalVideoFrames : 0,
        currentTime: video ? video.currentTime : 0,
        videos: tile.querySelectorAll('video').length,
        surface: video ? ('video' as const) : canvas ? ('canvas' as const) : ('none' as const),
        cameraMs: tile.dataset['cameraMs'] === undefined ? undefined : Number(tile.dataset['cameraMs']),
        cameraAt: tile.dataset['cameraAt'] === undefined ? undefined : Number(tile.dataset['cameraAt']),
      };
    }),
  );
}

/**
 * Waits until every tile decodes frames and advances its clock over `windowMs`. Returns the last
 * two probes so a failing test can print what each tile showed.
 */
export async function waitAllLive(page: ProbedPage, expectedTiles: number, timeoutMs = 60_000, windowMs = 1500): Promise<{ before: TileProbe[]; after: TileProbe[] }> {
  const deadline = Date.now() + timeoutMs;
  let last: { before: TileProbe[]; after: TileProbe[] } = { before: [], after: [] };
  while (Date.now() < deadline) {
    const before = await probeTiles(page);
    await page.waitForTimeout(windowMs);
    const after = await probeTiles(page);
    last = { before, after };
    if (after.length === expectedTiles && after.every((t, i) => advanced(before[i], t))) return last;
  }
  throw new Error(`not every tile became live within ${timeoutMs} ms:\n${describeProbes(last.before, last.after)}`);
}

export function advanced(before: TileProbe | undefined, after: TileProbe): boolean {
  if (!before) return false;
  if (after.phase !== 'playing' || !after.badge.startsWith('LIVE')) return false;
  // A canvas tile has no media element to ask: its camera clock moves with each picture it draws.
  if (after.surface === 'canvas') return after.cameraMs !== undefined && before.cameraMs !== undefined && after.cameraMs > before.cameraMs;
  if (after.frames <= 0) return false;
  // A session swap replaces the element, so its frame counter restarts; the clock must still have moved.
  const swapped = after.frames < before.frames;
  return after.currentTime !== before.currentTime && (swapped || after.frames > before.frames);
}

export function describeProbes(before: TileProbe[], after: TileProbe[]): string {
  return after
    .map((t, i) => `  #${t.position} ${t.stream}: ${t.phase} "${t.badge}" ${t.surface} camera ${before[i]?.cameraMs ?? '?'}→${t.cameraMs ?? '?'} frames ${before[i]?.frames ?? '?'}→${t.frames} t ${before[i]?.currentTime.toFixed(2) ?? '?'}→${t.currentTime.toFixed(2)} videos ${t.videos}`)
    .join('\n');
}

/** A camera time as the timeline's "Go to" box takes it (the page's own zone): `2025-11-29 14:03:07`. */
export function typedTime(page: Page, epochMs: number): Promise<string> {
  return page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }, epochMs);
}

/** Opens the timeline of the tile at `position` (its Look back button) and replays from `secondsAgo`. */
export async function replayFrom(page: Page, position: number, secondsAgo: number): Promise<number> {
  const tile = page.locator(`section.tile[data-position="${position}"]`);
  await tile.hover();
  await tile.getByRole('button', { name: 'Look back' }).click();
  // The timeline follows the selected tile: type the time only once it shows this tile's camera.
  const stream = await tile.getAttribute('data-stream');
  await page.locator(`section.timeline[aria-label="Timeline of ${stream}"]`).waitFor({ timeout: 15_000 });
  const at = Math.floor((Date.now() - secondsAgo * 1000) / 1000) * 1000;
  await page.getByRole('textbox', { name: 'Go to date and time' }).fill(await typedTime(page, at));
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  return at;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * With KVS_WALL_UPDATE_SCREENSHOT=1, also writes a screenshot (from `screenshot()`) into docs/ as the
 * README shows it: 1280 px wide JPEG. Off by default: a test run never changes the repository.
 */
export async function updateReadmeShot(artifact: string, name: string): Promise<void> {
  if (process.env['KVS_WALL_UPDATE_SCREENSHOT'] !== '1') return;
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-i', artifact, '-vf', 'scale=1280:-2', '-q:v', '6', join(ROOT, 'docs', name)]);
}

declare global {
  interface Window {
    /** Every text a tile badge has shown since the page loaded (see recordBadges). */
    kvsBadges?: string[];
  }
}

/**
 * From now on, every page of `context` records each text any tile's badge shows, from its first
 * render: a MutationObserver on the whole document, so a state shown for a single frame is caught.
 */
export async function recordBadges(context: BrowserContext): Promise<void> {
  // A script, not a function: Playwright would send a function's source, and a transpiler's helpers
  // (e.g. esbuild's __name) don't exist in the page.
  await context.addInitScript(`{
    const seen = new Set();
    window.kvsBadges = [];
    new MutationObserver(() => {
      for (const badge of document.querySelectorAll('section.tile .badge')) {
        const text = badge.textContent ?? '';
        if (!seen.has(text)) {
          seen.add(text);
          window.kvsBadges.push(text);
        }
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  }`);
}

/** The badge texts the page has shown so far (distinct, in order of first appearance). */
export function badgesSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => window.kvsBadges ?? []);
}
