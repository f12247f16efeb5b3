import { describe, expect, it } from 'vitest';
import type { Playback } from '../../../shared/model';
import { ReplayGroup } from '../../../renderer/src/evidence/replay-group';
import type { TileHandle } from '../../../renderer/src/evidence/tile-handle';

const NOW = Date.UTC(2025, 10, 29, 14, 0, 0);

/**
 * A player as the group sees it: a replay starts at the first 2-s fragment at or after the asked time,
 * `startupMs` after it was asked for; it plays at its rate; it has loaded 2 s behind and 6 s ahead.
 */
class FakeTile implements TileHandle {
  readonly stream: { accountId: string; streamName: string };
  readonly cameraName: string;
  mode: Playback = { mode: 'LIVE' };
  time: number | undefined;
  rate = 1;
  loads = 0;
  private pending: { at: number; readyAt: number } | undefined;
  constructor(
    readonly cell: number,
    private readonly clock: { t: number },
    private readonly startupMs: number,
    phaseMs: number,
  ) {
    this.stream = { accountId: 'a', streamName: `cam-${cell}` };
    this.cameraName = this.stream.streamName;
    this.time = NOW - 5_000 + phaseMs;
  }
  playback() {
    return this.mode;
  }
  setPlayback(p: Playback) {
    this.mode = p;
    this.loads++;
    if (p.mode === 'LIVE_REPLAY') this.pending = { at: Math.ceil(p.start / 2_000) * 2_000 + (this.cell % 3) * 37, readyAt: this.clock.t + this.startupMs };
  }
  cameraTime() {
    return this.time;
  }
  loaded() {
    return this.time === undefined ? undefined : { from: this.time - 2_000, to: this.time + 6_000 };
  }
  seekCamera(t: number) {
    const l = this.loaded();
    if (!l || t < l.from || t > l.to) return false;
    this.time = t;
    return true;
  }
  setRate(r: number) {
    this.rate = r;
  }
  frame() {
    return null;
  }
  hasAudio() {
    return false;
  }
  advance(dt: number) {
    if (this.pending && this.clock.t >= this.pending.readyAt) {
      this.time = this.pending.at;
      this.pending = undefined;
    }
    if (this.time !== undefined) this.time += dt * this.rate;
  }
}

function rig(n: number) {
  const clock = { t: 0 };
  const tiles = Array.from({ length: n }, (_, i) => new FakeTile(i, clock, 600 + i * 700, i * 450));
  const group = new ReplayGroup(tiles, () => clock.t, () => NOW + clock.t);
  const run = (ms: number, onTick?: () => void) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 100) {
      clock.t += 100;
      for (const t of tiles) t.advance(100);
      if (clock.t % 500 === 0) {
        group.tick();
        onTick?.();
      }
    }
  };
  return { clock, tiles, group, run };
}

const spread = (tiles: FakeTile[]) => Math.max(...tiles.map((t) => t.time!)) - Math.min(...tiles.map((t) => t.time!));

describe('replay group', () => {
  it('replays three tiles from one camera time and keeps them within a fragment for a minute, at 1× and 4×', () => {
    const { tiles, group, run } = rig(3);
    group.seekTo(NOW - 600_000);
    expect(tiles.every((t) => t.mode.mode === 'LIVE_REPLAY')).toBe(true);
    run(5_000);
    let worst = 0;
    run(60_000, () => (worst = Math.max(worst, spread(tiles))));
    expect(worst).toBeLessThan(2_000);
    expect(spread(tiles)).toBeLessThan(300);
    expect(group.position()! - (NOW - 600_000)).toBeGreaterThan(55_000);
    group.setRate(4);
    worst = 0;
    run(20_000, () => (worst = Math.max(worst, spread(tiles))));
    expect(worst).toBeLessThan(2_000);
    expect(tiles.every((t) => t.loads === 1)).toBe(true);
  });

  it('pauses and resumes together, jumps within what is loaded by seeking, elsewhere by a new replay', () => {
    const { tiles, group, run } = rig(2);
    group.seekTo(NOW - 120_000);
    run(5_000);
    group.setPaused(true);
    const held = group.position();
    run(3_000);
    // Paused: the shared time stands still and every tile shows it.
    expect(tiles.map((t) => t.rate)).toEqual([0, 0]);
    expect(group.position()).toBe(held);
    expect(tiles.map((t) => t.time)).toEqual([held, held]);
    group.setPaused(false);
    run(1_000);
    group.jump(3_000);
    expect(tiles.every((t) => t.loads === 1)).toBe(true);
    group.jump(-60_000);
    expect(tiles.every((t) => t.loads === 2)).toBe(true);
    run(5_000);
    expect(spread(tiles)).toBeLessThan(300);
  });

  it('becomes live again when a fast replay reaches now, or when asked', () => {
    const { tiles, group, run } = rig(1);
    group.seekTo(NOW - 20_000);
    run(3_000);
    group.setRate(8);
    run(5_000);
    expect(group.live).toBe(true);
    expect(tiles[0]!.mode).toEqual({ mode: 'LIVE' });
    group.seekTo(NOW + 60_000);
    expect(group.live).toBe(false);
    group.goLive();
    expect(tiles[0]!.mode).toEqual({ mode: 'LIVE' });
    expect(tiles[0]!.rate).toBe(1);
  });
});
