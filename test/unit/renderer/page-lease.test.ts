import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Playback } from '../../../shared/model';
import { MAX_USAGE_PER_BEAT, PageLease, WINDOW_ID_KEY, mergeUsage } from '../../../renderer/src/app/page-lease';
import type { SessionView } from '../../../renderer/src/tiles/session-view';
import { TileSession } from '../../../renderer/src/tiles/tile-session';
import { FakeMain, type FakeClient } from './fake-main';
import { FakePlayer } from './fake-player';

/** sessionStorage as a page has it: survives reloads of the tab. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

interface TileRig {
  session: TileSession<FakePlayer>;
  players: FakePlayer[];
  views: SessionView[];
  player(): FakePlayer;
}

let main: FakeMain;
let log: string[];

function newLease(client: FakeClient, storage = new MemoryStorage(), extra: Partial<ConstructorParameters<typeof PageLease>[0]> = {}): PageLease {
  return new PageLease({ api: client, onReconnected: client.onReconnected, storage, log: () => undefined, ...extra });
}

function newTile(client: FakeClient, lease: PageLease, tileId: string, streamName = 'cam-a', playback: Playback = { mode: 'LIVE' }): TileRig {
  const players: FakePlayer[] = [];
  const views: SessionView[] = [];
  const session = new TileSession<FakePlayer>(
    client,
    lease,
    tileId,
    { accountId: 'acc', streamName },
    playback,
    { onSession: (v) => views.push(v), onPhase: () => undefined, onBudget: () => undefined },
    (events) => {
      const p = new FakePlayer(events, log);
      players.push(p);
      return p;
    },
    { muted: true },
  );
  return { session, players, views, player: () => players.at(-1)! };
}

/** Lets calls be answered and timers due by now run. */
const settle = (ms = 1) => vi.advanceTimersByTimeAsync(ms);
const callNames = () => main.calls.map((c) => c.name);

beforeEach(() => {
  vi.useFakeTimers();
  main = new FakeMain();
  log = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('page lease', () => {
  it('attaches before any tile asks for a session, and tiles wait for it', async () => {
    const client = main.client();
    const lease = newLease(client);
    const tile = newTile(client, lease, 'wall:0');
    tile.session.start();
    await settle();
    expect(callNames()).toEqual([]);
    lease.start();
    await settle();
    expect(callNames()).toEqual(['page.attach', 'session.acquire']);
    expect(tile.player().loads).toEqual(['s1']);
    expect(lease.windowId).toBe('w1');
  });

  it('remembers its window across a reload and suggests it on the next attach', async () => {
    const storage = new MemoryStorage();
    const first = newLease(main.client(), storage);
    first.start();
    await settle();
    expect(storage.getItem(WINDOW_ID_KEY)).toBe('w1');
    first.detach();
    await settle();
    const reloaded = newLease(main.client(), storage);
    reloaded.start();
    await settle();
    expect(main.calls.at(-1)).toMatchObject({ name: 'page.attach', request: { pageId: reloaded.pageId, windowId: 'w1' } });
    expect(reloaded.windowId).toBe('w1');
    expect(reloaded.pageId).not.toBe(first.pageId);
  });

  it('ignores a remembered window id that is not an id', async () => {
    const storage = new MemoryStorage();
    storage.setItem(WINDOW_ID_KEY, 'not an id!');
    newLease(main.client(), storage).start();
    await settle();
    expect(main.calls[0]!.request).toEqual({ pageId: expect.any(String) });
  });

  it('beats every heartbeatMs with what the players fetched since the last beat, each count sent once', async () => {
    main.heartbeatMs = 2000;
    const client = main.client();
    const lease = newLease(client);
    const tile = newTile(client, lease, 'wall:0');
    lease.start();
    tile.session.start();
    await settle();
    tile.player().fetch('manifests', 2);
    tile.player().fetch('inits');
    tile.player().fetch('fragments', 3);
    await settle(1990);
    expect(callNames().filter((n) => n === 'page.heartbeat')).toHaveLength(0);
    await settle(20);
    expect(main.usage).toEqual([{ tileId: 'wall:0', sessionId: 's1', manifests: 2, inits: 1, fragments: 3, throttled: 0 }]);
    await settle(2000);
    expect(callNames().filter((n) => n === 'page.heartbeat')).toHaveLength(2);
    // Nothing new fetched: the second beat carries no usage.
    expect(main.calls.at(-1)!.request).toEqual({ pageId: lease.pageId });
    expect(main.usage).toHaveLength(1);
  });

  it('sends at most the contract’s bound of usage entries per beat and the rest with the next', async () => {
    const client = main.client();
    const lease = newLease(client);
    lease.start();
    await settle();
    const many = Array.from({ length: MAX_USAGE_PER_BEAT + 5 }, (_, i) => ({ tileId: `wall:${i % 64}`, sessionId: `s${i}`, manifests: 1, inits: 0, fragments: 1, throttled: 0 }));
    lease.keepUsage(many);
    await settle(5000);
    expect(main.usage).toHaveLength(MAX_USAGE_PER_BEAT);
    await settle(5000);
    expect(main.usage).toHaveLength(MAX_USAGE_PER_BEAT + 5);
    expect(new Set(main.usage.map((u) => u.sessionId)).size).toBe(MAX_USAGE_PER_BEAT + 5);
  });

  it('attaches again when a heartbeat is not accepted, keeps the unsent counts, and every tile gets its own session back without a reload', async () => {
    const client = main.client();
    const lease = newLease(client);
    const a = newTile(client, lease, 'wall:0');
    const b = newTile(client, lease, 'wall:1');
    lease.start();
    a.session.start();
    b.session.start();
    await settle();
    expect([a.player().loads, b.player().loads]).toEqual([['s1'], ['s2']]);
    a.player().fetch('fragments', 4);
    // Main stops knowing the page (its lease ran out while the page was frozen).
    main.declareGone(lease.pageId);
    await settle(5000);
    expect(callNames().slice(-4)).toEqual(['page.heartbeat', 'page.attach', 'session.acquire', 'session.acquire']);
    expect(lease.attachGeneration).toBe(2);
    // The same sessions, no second load, no new session at KVS.
    expect([a.player().loads, b.player().loads]).toEqual([['s1'], ['s2']]);
    expect(a.players).toHaveLength(1);
    expect(main.sessionsCreated).toBe(2);
    // The counts of the refused beat arrive with the next one.
    await settle(5000);
    expect(main.usage).toEqual([{ tileId: 'wall:0', sessionId: 's1', manifests: 0, inits: 0, fragments: 4, throttled: 0 }]);
  });

  it('attaches again after the socket comes back, and the tiles ask again (keeping their picture meanwhile)', async () => {
    const client = main.client();
    const lease = newLease(client);
    const a = newTile(client, lease, 'wall:0');
    lease.start();
    a.session.start();
    await settle();
    client.drop();
    // A beat while the socket is down fails; nothing is lost or torn down.
    a.player().fetch('manifests');
    await settle(5000);
    expect(a.player().destroyed).toBe(false);
    client.reconnect();
    await settle();
    expect(callNames().slice(-2)).toEqual(['page.attach', 'session.acquire']);
    expect(a.player().loads).toEqual(['s1']);
    expect(main.heldBy(lease.windowId!, 'wall:0')?.id).toBe('s1');
    await settle(5000);
    expect(main.usage).toEqual([{ tileId: 'wall:0', sessionId: 's1', manifests: 1, inits: 0, fragments: 0, throttled: 0 }]);
  });

  it('keeps trying to attach while main is unreachable, then attaches', async () => {
    const client = main.client();
    client.connected = false;
    const lease = newLease(client, new MemoryStorage(), { retryStepsMs: [100, 200] });
    const tile = newTile(client, lease, 'wall:0');
    lease.start();
    tile.session.start();
    await settle(1000);
    expect(lease.attached).toBe(false);
    expect(main.calls).toHaveLength(0);
    client.connected = true;
    await settle(250);
    expect(lease.attached).toBe(true);
    expect(tile.player().loads).toEqual(['s1']);
  });

  it('detaches when the page goes away: its tiles’ sessions are free for the next page at once', async () => {
    const client = main.client();
    const lease = newLease(client);
    const tile = newTile(client, lease, 'wall:0');
    lease.start();
    tile.session.start();
    await settle();
    lease.detach();
    await settle();
    expect(callNames().at(-1)).toBe('page.detach');
    expect(main.sessions[0]!.lessee).toBeUndefined();
    // No more beats from a page that is gone.
    await settle(20_000);
    expect(callNames().at(-1)).toBe('page.detach');
  });

  it('reloads the page when main says so', async () => {
    const client = main.client();
    const reload = vi.fn();
    const lease = newLease(client, new MemoryStorage(), { reload });
    lease.start();
    await settle();
    client.emit('page.reload', { reason: 'media-origins' });
    expect(reload).toHaveBeenCalledTimes(1);
    lease.dispose();
    client.emit('page.reload', { reason: 'media-origins' });
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('merges usage per tile and session without passing the contract’s bounds', () => {
    const u = (sessionId: string, fragments: number) => ({ tileId: 'w:0', sessionId, manifests: 0, inits: 0, fragments, throttled: 0 });
    expect(mergeUsage([u('a', 1), u('b', 2)], [u('a', 3)])).toEqual([u('a', 4), u('b', 2)]);
    expect(mergeUsage([u('a', 99_999)], [u('a', 5)])).toEqual([u('a', 100_000)]);
  });
});

describe('tile session with the page lease', () => {
  async function attachedPage() {
    const client = main.client();
    const lease = newLease(client);
    lease.start();
    await settle();
    return { client, lease };
  }

  it('sends the release in the same turn as stop, after stopping the player’s network and before its teardown finishes', async () => {
    const { client, lease } = await attachedPage();
    const tile = newTile(client, lease, 'wall:0');
    tile.session.start();
    await settle();
    const player = tile.player();
    const done = tile.session.stop();
    expect(callNames().at(-1)).toBe('session.release');
    expect(log).toEqual(['stopNetwork', 'destroy']);
    expect(main.sessions[0]!.lessee).toBeUndefined();
    let finished = false;
    void done.then(() => (finished = true));
    await settle();
    expect(finished).toBe(false);
    player.finishDestroy();
    await settle();
    expect(finished).toBe(true);
  });

  it('a swap of two tiles: both releases reach main before the new acquires, so both sessions are reused', async () => {
    const { client, lease } = await attachedPage();
    const a = newTile(client, lease, 'wall:0', 'cam-a');
    const b = newTile(client, lease, 'wall:1', 'cam-b');
    a.session.start();
    b.session.start();
    await settle();
    expect(main.sessionsCreated).toBe(2);
    main.calls.length = 0;
    // What Svelte does in one update: the old tiles torn down, the new ones mounted (in any order).
    const a2 = newTile(client, lease, 'wall:0', 'cam-b');
    const b2 = newTile(client, lease, 'wall:1', 'cam-a');
    a2.session.start();
    void a.session.stop();
    b2.session.start();
    void b.session.stop();
    await settle();
    expect(callNames()).toEqual(['session.release', 'session.release', 'session.acquire', 'session.acquire']);
    expect(main.sessionsCreated).toBe(2);
    expect([a2.player().loads, b2.player().loads]).toEqual([['s2'], ['s1']]);
  });

  it('a stopped tile’s last counts go with the next heartbeat', async () => {
    const { client, lease } = await attachedPage();
    const tile = newTile(client, lease, 'wall:0');
    tile.session.start();
    await settle();
    tile.player().fetch('fragments', 2);
    void tile.session.stop();
    await settle(5000);
    expect(main.usage).toEqual([{ tileId: 'wall:0', sessionId: 's1', manifests: 0, inits: 0, fragments: 2, throttled: 0 }]);
  });

  it('PageNotAttached: the page attaches again and the tile asks again', async () => {
    const { client, lease } = await attachedPage();
    main.declareGone(lease.pageId);
    const tile = newTile(client, lease, 'wall:0');
    tile.session.start();
    await settle();
    expect(callNames()).toEqual(['page.attach', 'session.acquire', 'page.attach', 'session.acquire']);
    expect(tile.player().loads).toEqual(['s1']);
  });

  it('a failure report main doesn’t take is never ignored: the tile asks again', async () => {
    const { client, lease } = await attachedPage();
    const tile = newTile(client, lease, 'wall:0');
    tile.session.start();
    await settle();
    // Another page took the window over and main let go of this tile.
    main.sessions[0]!.lessee = undefined;
    tile.player().events.onSessionRefused('s1', 403);
    await settle();
    expect(callNames().slice(-2)).toEqual(['session.reportFailure', 'session.acquire']);
    expect(main.heldBy(lease.windowId!, 'wall:0')?.id).toBe('s1');
  });

  it('reports a throttled burst with its error type', async () => {
    const { client, lease } = await attachedPage();
    const tile = newTile(client, lease, 'wall:0');
    tile.session.start();
    await settle();
    tile.player().events.onThrottled('s1', 400, 'ClientLimitExceededException');
    await settle();
    expect(main.reports).toEqual([{ tileId: 'wall:0', sessionId: 's1', httpStatus: 400, errorType: 'ClientLimitExceededException' }]);
    expect(callNames().at(-1)).toBe('session.reportFailure');
  });

  it('told to wait when it asks again, it stops its player: the session is not its own any more', async () => {
    const { client, lease } = await attachedPage();
    main.limitPerStream = 1;
    const a = newTile(client, lease, 'wall:0');
    a.session.start();
    await settle();
    // The page was gone for a while and another tile took the only session.
    main.declareGone(lease.pageId);
    main.sessions[0]!.lessee = 'w9|other:0';
    await settle(5000);
    expect(a.player().networkStopped).toBe(true);
    expect(a.player().destroyed).toBe(true);
    expect(a.views.at(-1)).toMatchObject({ kind: 'waiting', reason: '1 of 1 sessions on this camera are in use' });
  });

  it('look back and back to live on the same tile: release, then acquire, and the live session comes back', async () => {
    const { client, lease } = await attachedPage();
    const live = newTile(client, lease, 'wall:0');
    live.session.start();
    await settle();
    const replay = newTile(client, lease, 'wall:0', 'cam-a', { mode: 'LIVE_REPLAY', start: 1_000, selector: 'PRODUCER_TIMESTAMP' });
    void live.session.stop();
    replay.session.start();
    await settle();
    const back = newTile(client, lease, 'wall:0');
    void replay.session.stop();
    back.session.start();
    await settle();
    expect(back.player().loads).toEqual(['s1']);
    expect(main.sessionsCreated).toBe(2);
  });
});
