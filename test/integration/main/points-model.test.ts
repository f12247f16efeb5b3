import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplySchema, type CallResponse } from '../../../shared/contract';
import type { Grant, TileUsage } from '../../../shared/model';
import { createAppCore, type AppCore } from '../../../main/compose';
import type { SenderInfo } from '../../../main/ipc/dispatcher';
import { memoryVault } from '../../support/memory-vault';
import { accountInputFor, CLIPS, startTestEmulator, tempDir, type TestEmulator } from './helpers';

/**
 * The points quota model end to end: the emulator enforcing AWS's current rules (no session cap,
 * per-stream media and metadata points), the whole app core with an account in the `points` model,
 * and players that fetch real manifests and fragments and report them in their page's heartbeats.
 */
let emulator: TestEmulator;
let dir: { path: string; remove: () => Promise<void> };
let core: AppCore;
let accountId: string;
const sender: SenderInfo = { id: 'socket-1', url: 'http://127.0.0.1:1' };
const SHARE = 0.1;

async function call<T>(name: string, payload: unknown): Promise<T> {
  const reply = ReplySchema.parse(await core.dispatch(name, payload, sender));
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
  return reply.value as T;
}

beforeAll(async () => {
  emulator = await startTestEmulator({ quotaModel: 'points', cameras: [{ name: 'hall', file: join(CLIPS, 'lobby.mp4') }] });
  dir = await tempDir('points');
  core = await createAppCore({ userDataDir: dir.path, shell: 'browser', demo: false, vault: memoryVault(), sessionPoolKey: false, pageLease: { leaseMs: 6_000, heartbeatMs: 1_000 } });
  accountId = (await call<{ id: string }>('accounts.add', accountInputFor(emulator))).id;
  await call('settings.update', { accountQuotas: { [accountId]: { model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare: SHARE } } });
  await call('page.attach', { pageId: 'points-page' });
});
afterAll(async () => {
  await core?.dispose();
  await emulator?.stop();
  await dir?.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unescape = (s: string) => s.replace(/&amp;/g, '&');

/** One poll of a live player: the manifest, then the newest fragment of each track. */
async function poll(url: string, usage: TileUsage): Promise<void> {
  const manifest = await fetch(url);
  usage.manifests++;
  if (manifest.status === 400) usage.throttled++;
  const mpd = await manifest.text();
  for (const template of mpd.matchAll(/<SegmentTemplate\b[^>]*>/g)) {
    const media = /\bmedia="([^"]+)"/.exec(template[0])?.[1];
    const start = Number(/\bstartNumber="(\d+)"/.exec(template[0])?.[1] ?? 1);
    if (!media) continue;
    const fragment = await fetch(new URL(unescape(media).replace('$Number$', String(start)), url));
    await fragment.arrayBuffer();
    usage.fragments++;
    if (fragment.status === 400) usage.throttled++;
  }
}

/**
 * The page's players: every second each playing tile polls once; then the page beats, reporting what
 * they fetched. Tiles granted later join in.
 */
function startPlayers(grants: Map<number, Grant>) {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      const tiles = [...grants];
      const usage = tiles.map(([cell, g]) => ({ tileId: `wall:${cell}`, sessionId: g.sessionId, manifests: 0, inits: 0, fragments: 0, throttled: 0 }));
      await Promise.all(tiles.map(([, g], i) => poll(g.url, usage[i]!)));
      const beat = await call<{ accepted: boolean }>('page.heartbeat', { pageId: 'points-page', usage });
      if (!beat.accepted) throw new Error('the page lost its lease');
      await sleep(Math.max(0, t0 + 1000 - Date.now()));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

describe('the points model through the core, against the emulator in points mode', () => {
  it('16 tiles of one camera all play (no session cap); the app keeps its measured spend under its share and says so', async () => {
    const stream = { accountId, streamName: 'hall' };
    const acquire = (cell: number) => call<CallResponse<'session.acquire'>>('session.acquire', { tileId: `wall:${cell}`, stream, playback: { mode: 'LIVE' } });
    const grants = new Map<number, Grant>();
    const answers = await Promise.all(Array.from({ length: 16 }, (_, cell) => acquire(cell)));
    answers.forEach((a, cell) => a.status === 'granted' && grants.set(cell, a.grant));
    expect(grants.size).toBe(16);
    emulator.control.resetCounters();

    const started = Date.now();
    const players = startPlayers(grants);
    try {
      await sleep(6_000);
      const elapsed = (Date.now() - started) / 1000;
      const spent = emulator.control.counters().points.hall!;
      const view = core.sessions.budget(stream);
      console.log(
        `points, stream hall, 16 tiles: emulator counted ${(spent.media / elapsed).toFixed(1)} media/s and ${(spent.metadata / elapsed).toFixed(1)} metadata/s; ` +
          `the app measured ${view.points!.mediaPerSecond} and ${view.points!.metadataPerSecond}, against its share of ${view.points!.mediaShare} and ${view.points!.metadataShare}`,
      );
      expect(view).toMatchObject({ model: 'points', used: 16, points: { mediaShare: 500 * SHARE, metadataShare: 10_000 * SHARE } });
      expect(view.limit).toBeUndefined();
      // What the app measures is what the emulator counted (both over about the same seconds).
      expect(view.points!.mediaPerSecond).toBeGreaterThan(0.5 * (spent.media / elapsed));
      expect(view.points!.mediaPerSecond).toBeLessThan(2 * (spent.media / elapsed));

      // More tiles than the share can carry, while the wall plays: the ones that would push it over wait, in words.
      const more = await Promise.all(Array.from({ length: 44 }, (_, i) => acquire(16 + i)));
      more.forEach((a, i) => a.status === 'granted' && grants.set(16 + i, a.grant));
      const waiting = more.filter((a) => a.status === 'waiting');
      expect(waiting.length).toBeGreaterThan(0);
      expect(waiting[0]).toMatchObject({ reason: expect.stringMatching(/^This camera's playback share is in use: \d+ of 50 media points a second$/) });
      await sleep(12_000);
      const after = core.sessions.budget(stream);
      const perTile = after.points!.mediaPerSecond / grants.size;
      console.log(`points, stream hall, ${grants.size} of 60 tiles admitted: the app measured ${after.points!.mediaPerSecond} media/s against its share of ${after.points!.mediaShare}`);
      expect(grants.size).toBeLessThan(60);
      // Measured with every admitted tile playing: within the share, give or take the tile admitted last.
      expect(after.points!.mediaPerSecond).toBeLessThanOrEqual(after.points!.mediaShare + 2 * perTile);
      expect(emulator.control.counters().throttled.hall ?? {}).toEqual({});
    } finally {
      await players.stop();
    }
  }, 90_000);
});
