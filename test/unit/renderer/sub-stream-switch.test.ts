import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppError } from '../../../shared/errors';
import type { StreamRef } from '../../../shared/model';
import { PageLease } from '../../../renderer/src/app/page-lease';
import { TileSession } from '../../../renderer/src/tiles/tile-session';
import { FakeMain, type FakeClient } from './fake-main';
import { FakePlayer } from './fake-player';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const camera: StreamRef = { accountId: 'acc', streamName: 'lobby' };
const sub: StreamRef = { accountId: 'acc', streamName: 'lobby-sub' };

let main: FakeMain;
let log: string[];
const settle = (ms = 1) => vi.advanceTimersByTimeAsync(ms);

function rig(client: FakeClient, first: StreamRef) {
  const lease = new PageLease({ api: client, onReconnected: client.onReconnected, storage: new MemoryStorage(), log: () => undefined });
  const players: FakePlayer[] = [];
  const failed: Array<{ stream: StreamRef; error: AppError }> = [];
  const session = new TileSession<FakePlayer>(
    client,
    lease,
    'wall:0',
    first,
    { mode: 'LIVE' },
    { onSession: () => undefined, onPhase: () => undefined, onBudget: () => undefined, onSwitchFailed: (stream, error) => failed.push({ stream, error }) },
    (events) => {
      const p = new FakePlayer(events, log);
      players.push(p);
      return p;
    },
    { muted: true },
  );
  lease.start();
  session.start();
  return { session, players, failed };
}

beforeEach(() => {
  vi.useFakeTimers();
  main = new FakeMain();
  log = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a tile switching between a camera and its sub-stream', () => {
  it('hands the same player the other stream\'s session, named, and keeps it (make-before-break is the player\'s)', async () => {
    const { session, players } = rig(main.client(), sub);
    await settle();
    expect(players).toHaveLength(1);
    expect(players[0]!.loads).toEqual(['s1']);
    expect(players[0]!.streams).toEqual(['acc/lobby-sub']);

    session.switchStream(camera);
    await settle();
    expect(players).toHaveLength(1);
    expect(players[0]!.destroyed).toBe(false);
    expect(players[0]!.networkStopped).toBe(false);
    expect(players[0]!.loads).toEqual(['s1', 's2']);
    expect(players[0]!.streams.at(-1)).toBe('acc/lobby');
    expect(session.stream).toEqual(camera);
  });

  it('asks for the other stream as a handover (main keeps the old picture\'s session for it), and its first session not', async () => {
    const { session } = rig(main.client(), sub);
    await settle();
    session.switchStream(camera);
    await settle();
    const acquires = main.calls.filter((c) => c.name === 'session.acquire').map((c) => c.request as { stream: StreamRef; handover?: boolean });
    expect(acquires.map((r) => [r.stream.streamName, r.handover])).toEqual([
      ['lobby-sub', undefined],
      ['lobby', true],
    ]);
  });

  it('gets back the session it played on the way back: a round trip creates no session', async () => {
    const { session, players } = rig(main.client(), sub);
    await settle();
    session.switchStream(camera);
    await settle();
    expect(main.sessionsCreated).toBe(2);
    session.switchStream(sub);
    await settle();
    session.switchStream(camera);
    await settle();
    expect(players[0]!.loads).toEqual(['s1', 's2', 's1', 's2']);
    expect(main.sessionsCreated).toBe(2);
    expect(main.calls.filter((c) => c.name === 'session.acquire')).toHaveLength(4);
  });

  it('goes back to the stream it showed when the sub-stream does not exist, and says why', async () => {
    main.missingStreams.add('acc/lobby-sub');
    const { session, players, failed } = rig(main.client(), camera);
    await settle();
    session.switchStream(sub);
    await settle();
    expect(failed).toHaveLength(1);
    expect(failed[0]!.stream).toEqual(sub);
    expect(failed[0]!.error).toMatchObject({ code: 'ResourceNotFoundException', message: 'The stream lobby-sub was not found.' });
    expect(session.stream).toEqual(camera);
    // The picture never left: the same player, its own session back from the pool.
    expect(players).toHaveLength(1);
    expect(players[0]!.destroyed).toBe(false);
    expect(players[0]!.loads).toEqual(['s1']);
    expect(main.sessionsCreated).toBe(1);
  });

  it('goes back when the other stream must wait for a session, rather than blanking the tile', async () => {
    main.limitPerStream = 1;
    const other = rig(main.client(), camera);
    await settle();
    expect(other.players[0]!.loads).toEqual(['s1']);
    // Another page's tile holds the camera's one session: this tile's switch to the camera has to wait.
    const client = main.client();
    const { session, players, failed } = rig(client, sub);
    await settle();
    session.switchStream(camera);
    await settle();
    expect(failed.map((f) => f.error.code)).toEqual(['ClientLimitExceededException']);
    expect(failed[0]!.error.message).toMatch(/1 of 1 sessions on this camera are in use/);
    expect(session.stream).toEqual(sub);
    expect(players).toHaveLength(1);
    expect(players[0]!.destroyed).toBe(false);
  });

  it('a first session that fails is the tile\'s own error, not a switch to undo', async () => {
    main.missingStreams.add('acc/lobby-sub');
    const { session, players, failed } = rig(main.client(), sub);
    await settle();
    expect(failed).toEqual([]);
    expect(players).toHaveLength(0);
    expect(session.stream).toEqual(sub);
  });

  it('a switch and a switch back before the grant leave nothing to undo', async () => {
    const { session, players } = rig(main.client(), camera);
    await settle();
    session.switchStream(sub);
    session.switchStream(camera);
    await settle();
    expect(players[0]!.loads).toEqual(['s1']);
    expect(session.stream).toEqual(camera);
  });
});
