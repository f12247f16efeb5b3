/**
 * Session broker economics over simulated days (not part of pass/fail): KVS session calls per tile-hour,
 * player swaps per tile-day, sessions held per stream, self-evictions, throttling and renewal margins,
 * for a 16-tile wall (4 streams × 4 tiles) and a 64-tile wall (8 streams × 8 tiles) at several Expires,
 * against a naive renew-on-expiry client in the same run. Everything runs on the unit tests' fake clock
 * and fake KVS (per-stream session limit, revoke-oldest, 5/s burst and 1/s sustained, expiry), so
 * 24 simulated hours take seconds and every run replays exactly.
 *
 * Run: npx tsx test/bench/broker-bench.ts [--hours 24]
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../main/core/logger';
import { createEndpointCache, DEFAULT_ENDPOINT_MAX_AGE_MS, type EndpointCache } from '../../main/kvs/endpoint-cache';
import { DEFAULT_SESSION_LIMIT, resolveTimings } from '../../main/sessions';
import type { JsonFile, ReadResult } from '../../main/store/atomic-json';
import type { EndpointCacheDoc } from '../../main/store/account-caches';
import { DEFAULT_SESSION_EXPIRES_SECONDS, DEFAULT_SETTINGS } from '../../main/store/settings-store';
import type { Playback, StreamRef } from '../../shared/model';
import { FakeClock } from '../unit/sessions/fake-clock';
import { FakeKvs, type KvsSession } from '../unit/sessions/fake-kvs';
import { seededRandom } from '../unit/sessions/prng';
import { WallHarness } from '../unit/sessions/wall-harness';

const { values } = parseArgs({ options: { hours: { type: 'string', default: '24' } } });
const HOURS = Number(values.hours);
if (!(HOURS > 0)) throw new Error(`--hours must be a positive number, not ${values.hours}`);

/** The wall opens at t=0; steady-state rates are measured from here on, so start-up calls don't dilute them. */
const WARM_UP_MS = 60_000;
const WINDOW_MS = HOURS * 3600_000;
const LIMIT = DEFAULT_SESSION_LIMIT;
/** The app's shipped settings, so the numbers describe what users get. */
const RESERVE = DEFAULT_SETTINGS.sessionReservePerStream;
const BUDGET = LIMIT - RESERVE;
const EXPIRES = [300, 600, DEFAULT_SESSION_EXPIRES_SECONDS, 3600, 43_200];
const LIVE: Playback = { mode: 'LIVE' };
const DASH_API = 'GET_DASH_STREAMING_SESSION_URL';

interface Wall {
  name: string;
  streams: number;
  tilesPerStream: number;
}
const WALL_16: Wall = { name: '16 (4×4)', streams: 4, tilesPerStream: 4 };
const WALL_64: Wall = { name: '64 (8×8)', streams: 8, tilesPerStream: 8 };
/** More tiles on one camera than its 10 sessions can carry with make-before-break renewals. */
const ONE_STREAM_12: Wall = { name: '12 on 1 stream', streams: 1, tilesPerStream: 12 };

const streamsOf = (wall: Wall): StreamRef[] => Array.from({ length: wall.streams }, (_, i) => ({ accountId: 'acc1', streamName: `cam-${i}` }));

interface Result {
  client: 'broker' | 'naive';
  wall: Wall;
  expires: number;
  /** Tiles that got video at all (the broker keeps tiles beyond a stream's room waiting, by design). */
  playing: number;
  expiresMean: number;
  expiresMax: number;
  calls: number;
  swaps: number;
  maxHeld: number;
  selfEvictions: number;
  throttled: number;
  minMargin: number;
  /** Times a tile sat on a dead (expired or revoked) session before its replacement arrived. */
  breaks: number;
  deadSeconds: number;
  dataEndpointAfterWarmUp?: number;
  /** Of those, lookups that only refreshed an endpoint past the cache's maximum age. */
  dataEndpointMaxAge?: number;
  wallMs: number;
}

/** Round trips of 50–900 ms, as in the churn soak: slow answers are what eat into renewal margins. */
function latencyFor(seed: number): () => number {
  const random = seededRandom(seed + 1000);
  return () => 50 + Math.round(random() * 850);
}

function expiresStats(kvs: FakeKvs): { mean: number; max: number } {
  let n = 0;
  let sum = 0;
  let max = 0;
  for (const [expires, count] of kvs.expiresHistogram()) {
    n += count;
    sum += expires * count;
    max = Math.max(max, expires);
  }
  return { mean: n ? sum / n : 0, max };
}

/**
 * The endpoint cache's document, held in memory: a real file's I/O completes in real time, which the
 * fake clock doesn't wait for, so a pending read could let hours of virtual time pass mid-call.
 */
function memoryEndpointFile(): JsonFile<EndpointCacheDoc> {
  let doc: EndpointCacheDoc = { entries: [] };
  const read = async (): Promise<ReadResult<EndpointCacheDoc>> => ({ value: doc, source: 'file' });
  return {
    path: '(memory)',
    read,
    write: async (value) => {
      doc = value;
    },
    update: async (change) => {
      doc = await change(doc);
      return doc;
    },
    remove: async () => {
      doc = { entries: [] };
    },
  };
}

async function runBroker(wall: Wall, expires: number, seed: number): Promise<Result> {
  const t0 = performance.now();
  const h = new WallHarness({ seed, config: { expiresSeconds: expires, reservePerStream: RESERVE } });
  h.kvs.latencyMs = latencyFor(seed);

  // The production issuer resolves the data endpoint through this cache before every session call;
  // the real cache sits in the same place here, with a counting stand-in for GetDataEndpoint.
  const file = memoryEndpointFile();
  const lookups: Array<{ stream: string; at: number }> = [];
  const endpoints: EndpointCache = createEndpointCache({
    caches: { endpoints: () => file },
    lookup: async (ref) => {
      lookups.push({ stream: ref.streamName, at: h.clock.now() });
      return `https://b-${ref.streamName}.kinesisvideo.us-east-1.amazonaws.com`;
    },
    clock: h.clock,
    logger: silentLogger,
  });
  const issueDirect = h.kvs.issuer.issue;
  h.kvs.issuer.issue = async (stream, playback, expiresSeconds) => {
    await endpoints.get(stream, DASH_API);
    return issueDirect(stream, playback, expiresSeconds);
  };

  await h.start();
  // Every session each tile was handed, in order, to measure how long tiles sat on dead ones.
  const handed = new Map<string, Array<{ at: number; url: string }>>();
  const hand = (tileId: string, url: string) => {
    const list = handed.get(tileId) ?? [];
    list.push({ at: h.clock.now(), url });
    handed.set(tileId, list);
  };
  h.service.on('renewed', (p) => hand(p.tileId, p.grant.url));
  const warmEnd = h.clock.now() + WARM_UP_MS;
  streamsOf(wall).forEach((stream, s) => {
    for (let t = 0; t < wall.tilesPerStream; t++) {
      const tileId = `s${s}-t${t}`;
      void h.acquire(tileId, stream, LIVE).then((answer) => {
        if (answer.status === 'granted') hand(tileId, answer.grant.url);
      });
    }
  });
  await h.clock.advance(WARM_UP_MS);
  const grantsOf = () => [...h.tiles.values()].reduce((sum, tile) => sum + tile.grants, 0);
  const warm = { calls: h.kvs.stats.brokerCalls, grants: grantsOf(), lookups: lookups.length, margins: h.swapMargins.length };
  for (let left = WINDOW_MS; left > 0; left -= 3600_000) await h.clock.advance(Math.min(3600_000, left));

  const playing = [...h.tiles.values()].filter((tile) => tile.grants > 0).length;
  const margins = h.swapMargins.slice(warm.margins);
  const { mean, max } = expiresStats(h.kvs);
  const end = h.clock.now();
  let deadMs = 0;
  for (const list of handed.values()) {
    list.forEach(({ url }, i) => {
      const session = h.kvs.sessionOf(url);
      if (!session) return;
      const death = Math.max(warmEnd, Math.min(session.revokedAt ?? Infinity, session.expiresAt));
      deadMs += Math.max(0, Math.min(list[i + 1]?.at ?? end, end) - death);
    });
  }
  // A lookup at least the maximum age after the stream's previous one is the cache's scheduled refresh;
  // anything else after warm-up would be a cache miss the target (≈ 0) counts against us.
  const maxAgeRefreshes = lookups.slice(warm.lookups).filter((l, i) => {
    const previous = lookups.slice(0, warm.lookups + i).findLast((p) => p.stream === l.stream);
    return previous !== undefined && l.at - previous.at >= DEFAULT_ENDPOINT_MAX_AGE_MS;
  }).length;
  const result: Result = {
    client: 'broker',
    wall,
    expires,
    playing,
    expiresMean: mean,
    expiresMax: max,
    calls: h.kvs.stats.brokerCalls - warm.calls,
    swaps: grantsOf() - warm.grants,
    maxHeld: Math.max(0, ...h.kvs.stats.maxBrokerActive.values()),
    selfEvictions: h.kvs.stats.selfEvictions,
    throttled: h.kvs.stats.throttled,
    minMargin: margins.length ? Math.min(...margins) : Number.NaN,
    // The harness flags every tile left on an expired or revoked session.
    breaks: h.violations.length,
    deadSeconds: deadMs / 1000,
    dataEndpointAfterWarmUp: lookups.length - warm.lookups,
    dataEndpointMaxAge: maxAgeRefreshes,
    wallMs: 0,
  };
  await h.broker.dispose();
  await endpoints.settled();
  result.wallMs = performance.now() - t0;
  return result;
}

interface NaiveTile {
  stream: StreamRef;
  session?: KvsSession;
  requesting: boolean;
  /** When the tile's session died (virtual ms); undefined while it plays. */
  deadSince?: number;
  renewTimer?: ReturnType<FakeClock['setTimeout']>;
  deathTimer?: ReturnType<FakeClock['setTimeout']>;
  grants: number;
}

/** A player notices an evicted session on its next manifest or fragment fetch, every 2 s fragment. */
const NAIVE_DETECT_MS = 2_000;
/** What a simple client does after an error: try again a second later. */
const NAIVE_RETRY_MS = 1_000;

/**
 * The baseline: each tile asks for a session, and asks again when it expires (by the tile's own timer,
 * Expires after the answer) or fails. No budget, no pacing, no spacing: break-before-make. A revoked
 * session looks to the player like an expired one (403), so the tile renews then too, which is what
 * turns one eviction into a chain when a stream has more tiles than sessions.
 */
async function runNaive(wall: Wall, expires: number, seed: number): Promise<Result> {
  const t0 = performance.now();
  const clock = new FakeClock();
  const kvs = new FakeKvs(clock, { latencyMs: latencyFor(seed), limit: LIMIT });
  const warmEnd = clock.now() + WARM_UP_MS;
  const tiles: NaiveTile[] = [];
  const margins: number[] = [];
  let breaks = 0;
  let deadMs = 0;

  const closeDead = (tile: NaiveTile, at: number) => {
    if (tile.deadSince === undefined) return;
    deadMs += Math.max(0, at - Math.max(tile.deadSince, warmEnd));
    tile.deadSince = undefined;
  };
  const died = (tile: NaiveTile, at: number) => {
    if (tile.deadSince !== undefined) return;
    tile.deadSince = at;
    if (at >= warmEnd) breaks++;
  };

  const request = (tile: NaiveTile) => {
    if (tile.requesting) return;
    tile.requesting = true;
    kvs.issuer.issue(tile.stream, LIVE, expires).then(
      ({ url }) => {
        tile.requesting = false;
        granted(tile, url);
      },
      () => {
        tile.requesting = false;
        clock.setTimeout(() => request(tile), NAIVE_RETRY_MS);
      },
    );
  };

  const granted = (tile: NaiveTile, url: string) => {
    const now = clock.now();
    const session = kvs.sessionOf(url);
    if (!session) throw new Error('the fake KVS issued a URL it does not know');
    const old = tile.session;
    if (old) margins.push(((old.revokedAt ?? old.expiresAt) - now) / 1000);
    if (tile.renewTimer) clock.clearTimeout(tile.renewTimer);
    if (tile.deathTimer) clock.clearTimeout(tile.deathTimer);
    tile.session = session;
    tile.grants++;
    if (!kvs.isActive(url)) {
      // Revoked between KVS creating it and the answer arriving: dead on arrival.
      died(tile, now);
      clock.setTimeout(() => request(tile), NAIVE_DETECT_MS);
      return;
    }
    closeDead(tile, now);
    tile.deathTimer = clock.setTimeout(() => died(tile, session.expiresAt), session.expiresAt - now);
    tile.renewTimer = clock.setTimeout(() => request(tile), expires * 1000);
  };

  kvs.onRevoke((session) => {
    const tile = tiles.find((t) => t.session === session);
    if (!tile) return;
    died(tile, clock.now());
    if (tile.deathTimer) clock.clearTimeout(tile.deathTimer);
    clock.setTimeout(() => request(tile), NAIVE_DETECT_MS);
  });

  for (const stream of streamsOf(wall)) {
    for (let t = 0; t < wall.tilesPerStream; t++) tiles.push({ stream, requesting: false, grants: 0 });
  }
  for (const tile of tiles) request(tile);
  await clock.advance(WARM_UP_MS);
  const warm = { calls: kvs.stats.brokerCalls, grants: tiles.reduce((s, t) => s + t.grants, 0), margins: margins.length };
  for (let left = WINDOW_MS; left > 0; left -= 3600_000) await clock.advance(Math.min(3600_000, left));
  for (const tile of tiles) closeDead(tile, clock.now());

  const windowMargins = margins.slice(warm.margins);
  const { mean, max } = expiresStats(kvs);
  return {
    client: 'naive',
    wall,
    expires,
    playing: tiles.filter((t) => t.grants > 0).length,
    expiresMean: mean,
    expiresMax: max,
    calls: kvs.stats.brokerCalls - warm.calls,
    swaps: tiles.reduce((s, t) => s + t.grants, 0) - warm.grants,
    maxHeld: Math.max(0, ...kvs.stats.maxBrokerActive.values()),
    selfEvictions: kvs.stats.selfEvictions,
    throttled: kvs.stats.throttled,
    minMargin: windowMargins.length ? Math.min(...windowMargins) : Number.NaN,
    breaks,
    deadSeconds: deadMs / 1000,
    wallMs: performance.now() - t0,
  };
}

// ---- operator actions: sessions follow the camera ----

/** A 3×3 wall of three cameras (camera = cell % 3), as the e2e churn test drives it, on the fake clock. */
const ACTION_CAMS: StreamRef[] = ['door', 'yard', 'dock'].map((streamName) => ({ accountId: 'acc1', streamName }));
const camOf = (cell: number) => ACTION_CAMS[cell % 3]!;
const cellsOf = (grid: number) => Array.from({ length: grid * grid }, (_, cell) => cell);
type ActionKind = 'swap' | 'grid change' | 'look back + back to live' | 'page reload' | 'app restart';

interface ActionRow {
  kind: ActionKind;
  times: number;
  ours: { created: number; waited: number; maxSecondsToLive: number };
  naive: { created: number; selfEvictions: number };
}

/**
 * Both clients run the same script. Ours: the session service with its pool (and the pool saved
 * across restarts). The baseline: a client that asks KVS for a new session at every tile start, as
 * the app did before the pool; its sessions count at KVS until they expire whether played or not.
 */
async function runActions(seed: number): Promise<ActionRow[]> {
  const h = new WallHarness({ seed, config: { expiresSeconds: DEFAULT_SESSION_EXPIRES_SECONDS, reservePerStream: RESERVE } });
  h.kvs.latencyMs = latencyFor(seed);
  const naiveClock = new FakeClock();
  const naiveKvs = new FakeKvs(naiveClock, { latencyMs: latencyFor(seed), limit: LIMIT });
  let naivePending = 0;
  const naiveStart = (cell: number, playback: Playback = LIVE) => {
    naivePending++;
    void naiveKvs.issuer.issue(camOf(cell), playback, DEFAULT_SESSION_EXPIRES_SECONDS).finally(() => naivePending--).catch(() => undefined);
  };
  const settleNaive = async () => {
    while (naivePending > 0) await naiveClock.advance(100);
  };

  let owner = 0;
  const rows = new Map<ActionKind, ActionRow>();
  /** Starts tiles on both clients; for ours, how long until each is granted (a waiting tile gets it by event). */
  const start = async (cells: number[], playback: (cell: number) => Playback = () => LIVE) => {
    const t0 = h.clock.now();
    const answers = await h.settle(Promise.all(cells.map((cell) => h.acquire(`wall:${cell}`, camOf(cell), playback(cell), `page-${owner}`))));
    const waited = answers.filter((a) => a.status !== 'granted').length;
    await h.clock.advanceUntil(() => cells.every((cell) => h.tiles.get(`wall:${cell}`)?.grant), 3600_000, 100);
    for (const cell of cells) naiveStart(cell, playback(cell));
    await settleNaive();
    return { waited, seconds: (h.clock.now() - t0) / 1000 };
  };
  const measure = async (kind: ActionKind, act: () => Promise<{ waited: number; seconds: number }>) => {
    const before = { ours: h.kvs.stats.brokerSessions, naive: naiveKvs.stats.brokerSessions, evictions: naiveKvs.stats.selfEvictions };
    const { waited, seconds } = await act();
    const row = rows.get(kind) ?? { kind, times: 0, ours: { created: 0, waited: 0, maxSecondsToLive: 0 }, naive: { created: 0, selfEvictions: 0 } };
    row.times++;
    row.ours.created += h.kvs.stats.brokerSessions - before.ours;
    row.ours.waited += waited;
    row.ours.maxSecondsToLive = Math.max(row.ours.maxSecondsToLive, seconds);
    row.naive.created += naiveKvs.stats.brokerSessions - before.naive;
    row.naive.selfEvictions += naiveKvs.stats.selfEvictions - before.evictions;
    rows.set(kind, row);
    await h.clock.advance(30_000);
    await naiveClock.advance(30_000 + h.clock.now() - naiveClock.now());
  };

  await h.start();
  let grid = 3;
  await start(cellsOf(3));
  const release = (cells: number[]) => {
    for (const cell of cells) h.releaseNow(`wall:${cell}`);
  };
  for (let i = 0; i < 20; i++) {
    // Cells i % 9 and the next one hold different cameras; the page releases both, then acquires both.
    await measure('swap', async () => {
      const [a, b] = [i % 9, (i % 9) + 1 === 9 ? 0 : (i % 9) + 1];
      release([a, b]);
      const t0 = h.clock.now();
      const answers = await h.settle(Promise.all([h.acquire(`wall:${a}`, camOf(b), LIVE, `page-${owner}`), h.acquire(`wall:${b}`, camOf(a), LIVE, `page-${owner}`)]));
      naiveStart(b);
      naiveStart(a);
      await settleNaive();
      return { waited: answers.filter((x) => x.status !== 'granted').length, seconds: (h.clock.now() - t0) / 1000 };
    });
    // Put them back so the wall stays camera = cell % 3.
    const [a, b] = [i % 9, (i % 9) + 1 === 9 ? 0 : (i % 9) + 1];
    release([a, b]);
    await h.settle(Promise.all([h.acquire(`wall:${a}`, camOf(a), LIVE, `page-${owner}`), h.acquire(`wall:${b}`, camOf(b), LIVE, `page-${owner}`)]));
  }
  for (let round = 0; round < 5; round++) {
    for (const next of [1, 4, 3]) {
      await measure('grid change', async () => {
        release(cellsOf(grid).filter((cell) => cell >= next * next));
        const fresh = cellsOf(next).filter((cell) => cell >= grid * grid);
        grid = next;
        return start(fresh);
      });
    }
  }
  // A replay session serves only its tile and counts 30 min: five on the camera the 4×4 wall gave six
  // tiles would fill it (6 + 5 > 10). Spread over the cameras, as an operator looking around would.
  for (let round = 0; round < 5; round++) {
    await measure('look back + back to live', async () => {
      const cell = round % 3;
      const replay: Playback = { mode: 'LIVE_REPLAY', start: h.clock.now() - 600_000, selector: 'SERVER_TIMESTAMP' };
      const there = await start([cell], () => replay);
      await h.clock.advance(20_000);
      const back = await start([cell]);
      return { waited: there.waited + back.waited, seconds: Math.max(there.seconds, back.seconds) };
    });
  }
  for (let reload = 0; reload < 12; reload++) {
    await measure('page reload', async () => {
      h.service.releaseOwner(`page-${owner}`);
      owner++;
      for (const tile of h.tiles.values()) tile.wants = false;
      return start(cellsOf(3));
    });
  }
  for (let restart = 0; restart < 3; restart++) {
    await measure('app restart', async () => {
      await h.quit();
      h.clock.sleep(10_000);
      naiveClock.sleep(10_000);
      await h.start();
      owner++;
      for (const tile of h.tiles.values()) tile.wants = false;
      return start(cellsOf(3));
    });
  }
  await h.service.dispose();
  if (h.violations.length > 0) throw new Error(`operator actions: ${h.violations[0]}`);
  return [...rows.values()];
}

function printActions(rows: ActionRow[]): void {
  const headers = ['operator action', 'times', 'ours: sessions created', 'per action', 'tiles that waited', 'max s to live', 'new-per-start: sessions', 'per action', 'self-evictions'];
  const lines = rows.map((r) => [
    r.kind,
    String(r.times),
    String(r.ours.created),
    fixed(r.ours.created / r.times, 2),
    String(r.ours.waited),
    fixed(r.ours.maxSecondsToLive, 1),
    String(r.naive.created),
    fixed(r.naive.created / r.times, 2),
    String(r.naive.selfEvictions),
  ]);
  const total = rows.reduce((t, r) => ({ ours: t.ours + r.ours.created, naive: t.naive + r.naive.created, ev: t.ev + r.naive.selfEvictions, waited: t.waited + r.ours.waited }), { ours: 0, naive: 0, ev: 0, waited: 0 });
  lines.push(['all', String(rows.reduce((n, r) => n + r.times, 0)), String(total.ours), '', String(total.waited), '', String(total.naive), '', String(total.ev)]);
  printTable(headers, lines);
}

// ---- reporting ----

const tileHours = (r: Result) => r.playing * HOURS;
const perTileHour = (r: Result) => r.calls / tileHours(r);
const perTileDay = (r: Result) => (r.swaps / tileHours(r)) * 24;

/** The design's expectation: one call per renewal period, Expires − lead − jitter/2, at the configured Expires. */
function expectedPerTileHour(expires: number): number {
  const t = resolveTimings({ expiresSeconds: expires }, BUDGET);
  return 3600 / (expires - t.leadMs / 1000 - t.jitterMs / 2000);
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

function row(r: Result): string[] {
  return [
    r.client,
    r.wall.name,
    String(r.expires),
    `${fixed(r.expiresMean, 0)}/${r.expiresMax}`,
    `${r.playing}/${r.wall.streams * r.wall.tilesPerStream}`,
    fixed(perTileHour(r), 2),
    fixed(expectedPerTileHour(r.expires), 2),
    fixed(perTileDay(r), 1),
    `${r.maxHeld}/${BUDGET}/${LIMIT}`,
    String(r.selfEvictions),
    String(r.throttled),
    fixed(r.minMargin, 1),
    String(r.breaks),
    fixed(r.deadSeconds / (tileHours(r) / 24), 1),
    r.dataEndpointAfterWarmUp === undefined ? '—' : `${r.dataEndpointAfterWarmUp} (${r.dataEndpointMaxAge ?? 0})`,
    fixed(r.wallMs / 1000, 1),
  ];
}

const HEADERS = [
  'client',
  'wall',
  'Expires',
  'asked mean/max',
  'playing',
  'calls/tile-h',
  'expected',
  'swaps/tile-day',
  'max held/budget/limit',
  'self-evict',
  'throttled',
  'min margin s',
  'breaks',
  'dead s/tile-day',
  'GDE after warm-up (max-age)',
  'run s',
];

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`Session broker over ${HOURS} simulated h after a ${WARM_UP_MS / 1000} s warm-up; fake KVS: ${LIMIT} sessions/stream, 5/s burst, 1/s sustained; reserve ${RESERVE} (budget ${BUDGET}); round trips 50–900 ms.\n`);

  const broker: Result[] = [];
  let seed = 1;
  for (const wall of [WALL_16, WALL_64]) for (const expires of EXPIRES) broker.push(await runBroker(wall, expires, seed++));
  printTable(HEADERS, broker.map(row));

  const D = DEFAULT_SESSION_EXPIRES_SECONDS;
  const pairs: Array<[Result, Result]> = [];
  for (const wall of [WALL_16, WALL_64, ONE_STREAM_12]) {
    const s = seed++;
    pairs.push([await runBroker(wall, D, s), await runNaive(wall, D, s)]);
  }
  const naive300 = await runNaive(ONE_STREAM_12, 300, seed++);
  console.log(`\nBroker vs naive renew-on-expiry client (same fake KVS, Expires ${D}; naive also at 300 on one stream)\n`);
  printTable(HEADERS, [...pairs.flatMap(([b, n]) => [row(b), row(n)]), row(naive300)]);

  console.log('\nColumns: calls/tile-h and swaps/tile-day over the measured window per playing tile; "expected" = 3600 / (Expires − lead − jitter/2);');
  console.log('"asked" = Expires actually requested (the broker stretches to space renewals); max held = most of our sessions KVS held at once on a stream;');
  console.log('self-evict and throttled count the whole run incl. start-up; min margin = s before the old session died that its replacement arrived');
  console.log('(negative: the tile sat on a dead session); breaks = tiles left on a dead session; GDE = GetDataEndpoint calls through the real endpoint cache,');
  console.log(`in brackets those that only refreshed an endpoint older than its ${DEFAULT_ENDPOINT_MAX_AGE_MS / 3600_000} h maximum age (at most one per stream per day).\n`);

  for (const [b, n] of pairs) {
    const callRatio = perTileHour(n) / perTileHour(b);
    console.log(
      `ratio ${b.wall.name} @${D}: naive/broker calls per tile-h ${fixed(callRatio, 2)}× (${fixed(perTileHour(n), 2)} vs ${fixed(perTileHour(b), 2)}); ` +
        `self-evictions ${n.selfEvictions} vs ${b.selfEvictions}; throttled ${n.throttled} vs ${b.throttled}; breaks ${n.breaks} vs ${b.breaks}; ` +
        `dead ${fixed(n.deadSeconds / (tileHours(n) / 24), 1)} vs ${fixed(b.deadSeconds / (tileHours(b) / 24), 1)} s/tile-day`,
    );
  }
  const def16 = broker.find((r) => r.wall === WALL_16 && r.expires === D);
  if (def16) console.log(`target (16 tiles @${D}): ${fixed(perTileHour(def16), 2)} calls/tile-h vs ≈${fixed(expectedPerTileHour(D), 2)} expected (${fixed(perTileHour(def16) / expectedPerTileHour(D), 2)}×); GetDataEndpoint after warm-up ${def16.dataEndpointAfterWarmUp ?? '—'}`);

  console.log(`\nOperator actions on a 3×3 wall of 3 cameras (simulated; Expires ${D}, budget ${BUDGET}); the wall opened with 9 sessions before the first action.`);
  console.log('Ours: the session service with its pool, saved across restarts. New-per-start: a new session at every tile start (the app before the pool).\n');
  printActions(await runActions(seed++));

  const all = [...broker, ...pairs.map(([b]) => b)];
  const name = (r: Result) => `${r.wall.name} @${r.expires}`;
  // These the design promises in every configuration; a bench that sees one broken must not pass quietly.
  const broken = all.filter((r) => r.selfEvictions > 0 || r.throttled > 0 || r.maxHeld > BUDGET);
  console.log(broken.length ? `BROKER INVARIANT BROKEN (self-eviction, throttling or over budget) in ${broken.map(name).join(', ')}` : 'broker: 0 self-evictions, 0 throttled, never above budget, in every run');
  // Breaks are a quality finding, not a broken rule: the design accepts them where no spare slot can exist.
  const breaking = all.filter((r) => r.breaks > 0);
  for (const r of breaking) {
    const stretch = resolveTimings({ expiresSeconds: r.expires }, BUDGET).maxStretchSeconds;
    const spare = BUDGET - r.wall.tilesPerStream;
    const why =
      stretch === 0 && spare < r.wall.tilesPerStream
        ? ` (no room to stretch Expires past the ${r.expires} s cap, so ${r.wall.tilesPerStream} tiles that opened together keep renewing together on ${spare} spare slots; the rest wait for their own old session to stop counting)`
        : '';
    console.log(`WARNING broker ${name(r)}: ${r.breaks} breaks, ${fixed(r.deadSeconds / (tileHours(r) / 24), 1)} dead s/tile-day, min margin ${fixed(r.minMargin, 1)} s${why}`);
  }
  console.log(`total ${fixed((performance.now() - started) / 1000, 1)} s`);
  if (broken.length) process.exitCode = 1;
}

await main();
