import { describe, expect, it } from 'vitest';
import type { Playback, StreamRef } from '../../../shared/model';
import { HANDOVER_HOLD_MS } from '../../../main/sessions/session-policy';
import { WallHarness } from './wall-harness';

const lobby: StreamRef = { accountId: 'acc1', streamName: 'lobby' };
const lobbySub: StreamRef = { accountId: 'acc1', streamName: 'lobby-sub' };
const LIVE: Playback = { mode: 'LIVE' };
/** How a tile asks when it switches streams (TileSession.switchStream). */
const SWITCH = { handover: true };

const sessionOf = (h: WallHarness, name: string) => h.tiles.get(name)?.grant?.sessionId;

describe('a tile switching between a camera and its sub-stream', () => {
  it('gets back the session of each stream from the pool: a round trip costs KVS calls only the first time', async () => {
    const h = new WallHarness({ seed: 7, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.acquireSettled('wall:1', lobbySub, LIVE);
    const sub = sessionOf(h, 'wall:1');
    await h.acquireSettled('wall:1', lobby, LIVE, undefined, SWITCH);
    const main = sessionOf(h, 'wall:1');
    expect(h.kvs.stats.brokerCalls).toBe(2);
    for (let round = 0; round < 3; round++) {
      await h.clock.advance(5_000);
      await h.acquireSettled('wall:1', lobbySub, LIVE, undefined, SWITCH);
      expect(sessionOf(h, 'wall:1')).toBe(sub);
      await h.clock.advance(5_000);
      await h.acquireSettled('wall:1', lobby, LIVE, undefined, SWITCH);
      expect(sessionOf(h, 'wall:1')).toBe(main);
    }
    expect(h.kvs.stats.brokerCalls).toBe(2);
    expect(h.violations).toEqual([]);
  });

  it('keeps the session it left for itself while its old picture may still show: another tile gets a new one', async () => {
    const h = new WallHarness({ seed: 8, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.acquireSettled('wall:1', lobbySub, LIVE);
    const sub = sessionOf(h, 'wall:1');
    // Selected: the tile switches to the camera; its sub-stream's picture is still on screen.
    await h.acquireSettled('wall:1', lobby, LIVE, undefined, SWITCH);
    const calls = h.kvs.stats.brokerCalls;
    await h.acquireSettled('wall:2', lobbySub, LIVE);
    expect(sessionOf(h, 'wall:2')).not.toBe(sub);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);

    // After the hold, the session left behind is anyone's: a third tile takes it without a call.
    await h.clock.advance(HANDOVER_HOLD_MS + 1);
    await h.acquireSettled('wall:3', lobbySub, LIVE);
    expect(sessionOf(h, 'wall:3')).toBe(sub);
    expect(h.kvs.stats.brokerCalls).toBe(calls + 1);
    expect(h.violations).toEqual([]);
  });

  it('lets go of a held session at once when the tile goes', async () => {
    const h = new WallHarness({ seed: 9, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.acquireSettled('wall:1', lobbySub, LIVE);
    const sub = sessionOf(h, 'wall:1');
    await h.acquireSettled('wall:1', lobby, LIVE, undefined, SWITCH);
    h.releaseNow('wall:1');
    const calls = h.kvs.stats.brokerCalls;
    await h.acquireSettled('wall:2', lobbySub, LIVE);
    expect(sessionOf(h, 'wall:2')).toBe(sub);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
  });

  it('a tile that changes camera without saying it switches (a wall edited under a reloaded page) holds nothing back', async () => {
    const h = new WallHarness({ seed: 11, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.acquireSettled('wall:1', lobbySub, LIVE);
    const sub = sessionOf(h, 'wall:1');
    await h.acquireSettled('wall:1', lobby, LIVE);
    const calls = h.kvs.stats.brokerCalls;
    await h.acquireSettled('wall:2', lobbySub, LIVE);
    expect(sessionOf(h, 'wall:2')).toBe(sub);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
  });

  it('a replay of the same camera holds nothing back, even asked as a switch', async () => {
    const h = new WallHarness({ seed: 10, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.acquireSettled('wall:1', lobby, LIVE);
    const live = sessionOf(h, 'wall:1');
    await h.acquireSettled('wall:1', lobby, { mode: 'LIVE_REPLAY', start: h.clock.now() - 600_000, selector: 'SERVER_TIMESTAMP' }, undefined, SWITCH);
    const calls = h.kvs.stats.brokerCalls;
    await h.acquireSettled('wall:2', lobby, LIVE);
    expect(sessionOf(h, 'wall:2')).toBe(live);
    expect(h.kvs.stats.brokerCalls).toBe(calls);
  });
});
