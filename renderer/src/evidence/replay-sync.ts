/**
 * Synced replay: several tiles replay the same camera time (kvs:ts) together. A shared clock says
 * what camera time it is (it runs at the chosen speed while playing); every half second each tile's
 * own camera time is compared with it and the tile is steered: a small drift is taken back by
 * playing a little faster or slower (no jump), a large one by a seek, and one outside what the
 * tile has loaded by loading the replay again at the shared time.
 */

export interface SyncClock {
  /** The shared camera time at `at` (performance/Date ms of the page). */
  cameraAt: number;
  at: number;
  rate: number;
  paused: boolean;
}

export function clockNow(clock: SyncClock, now: number): number {
  return clock.paused ? clock.cameraAt : clock.cameraAt + (now - clock.at) * clock.rate;
}

export function setRate(clock: SyncClock, rate: number, now: number): SyncClock {
  return { cameraAt: clockNow(clock, now), at: now, rate, paused: clock.paused };
}

export function setPaused(clock: SyncClock, paused: boolean, now: number): SyncClock {
  return { cameraAt: clockNow(clock, now), at: now, rate: clock.rate, paused };
}

export function jumpTo(clock: SyncClock, cameraTime: number, now: number): SyncClock {
  return { ...clock, cameraAt: cameraTime, at: now };
}

/** Within this, a tile is in step and plays at the shared rate. */
export const IN_STEP_MS = 120;
/** Paused, a tile further than a frame from the shared time seeks to it: a still picture can be exact. */
export const PAUSED_EXACT_MS = 40;
/** Beyond this, a tile seeks rather than catching up by rate. */
export const SEEK_BEYOND_MS = 1_500;
/** The most a tile's rate is bent to catch up (±). */
const MAX_BEND = 0.25;
/** A drift of this is taken back in about this long by bending the rate. */
const CATCH_UP_MS = 3_000;

export type Steer =
  | { kind: 'rate'; rate: number }
  | { kind: 'seek'; byMs: number }
  /** The shared time isn't in what the tile has loaded: load the replay at it. */
  | { kind: 'reload'; at: number }
  /** The tile shows no picture yet: leave it. */
  | { kind: 'wait' };

export interface TileTimes {
  /** The tile's camera time now, if it shows a picture. */
  cameraTime: number | undefined;
  /** Camera times the tile has loaded around its picture (from its buffer), if known. */
  loaded?: { from: number; to: number };
}

export function steer(tile: TileTimes, target: number, clock: SyncClock): Steer {
  if (tile.cameraTime === undefined) return { kind: 'wait' };
  const drift = tile.cameraTime - target;
  if (clock.paused) return Math.abs(drift) > PAUSED_EXACT_MS ? seekOrReload(tile, target, drift) : { kind: 'rate', rate: 0 };
  if (Math.abs(drift) <= IN_STEP_MS) return { kind: 'rate', rate: clock.rate };
  if (Math.abs(drift) > SEEK_BEYOND_MS) return seekOrReload(tile, target, drift);
  const bend = Math.max(-MAX_BEND, Math.min(MAX_BEND, drift / CATCH_UP_MS));
  return { kind: 'rate', rate: clock.rate * (1 - bend) };
}

function seekOrReload(tile: TileTimes, target: number, drift: number): Steer {
  if (tile.loaded && (target < tile.loaded.from || target > tile.loaded.to)) return { kind: 'reload', at: target };
  return { kind: 'seek', byMs: -drift };
}

/** Where a group starts: once every tile shows a picture, the latest of their camera times (the others seek forward, within what they loaded). */
export function rendezvous(times: ReadonlyArray<number | undefined>): number | undefined {
  if (times.length === 0 || times.some((t) => t === undefined)) return undefined;
  return Math.max(...(times as number[]));
}
