import type { TileHandle } from './tile-handle';
import { clockNow, IN_STEP_MS, jumpTo, rendezvous, SEEK_BEYOND_MS, setPaused, setRate, steer, type SyncClock } from './replay-sync';

/** A reload asked for is given this long to show its picture before it may be asked again. */
const RELOAD_GRACE_MS = 10_000;
/**
 * A replay is asked for this much before the shared time: a player starts a little into what it is
 * given (at its first fragments' edge), so its buffer then holds the shared time and the group seeks
 * into it exactly, rather than showing a picture a fragment or two late.
 */
const REPLAY_LEAD_MS = 4_000;
/** Closer than this to now, a replay has caught up with live: it becomes live. */
const LIVE_EDGE_MS = 4_000;

/**
 * The tiles the timeline drives together: one (the selected tile) or several (synced replay). Live
 * until a time is chosen; then every tile replays from that camera time (LIVE_REPLAY) and `tick`
 * keeps each at the shared clock. Back to live ends it.
 */
export class ReplayGroup {
  private clock: SyncClock | undefined;
  private readonly reloads = new Map<number, number>();
  /** Waiting for every tile's first picture of a new replay before the clock runs. */
  private gathering = false;

  constructor(
    private handles: TileHandle[],
    private readonly now: () => number = () => performance.now(),
    private readonly wallNow: () => number = () => Date.now(),
  ) {}

  get tiles(): readonly TileHandle[] {
    return this.handles;
  }

  /** Replaces the group's tiles (selection changed); the newcomers join at the shared time. */
  setTiles(handles: TileHandle[]): void {
    const joined = handles.filter((h) => !this.handles.some((o) => o.cell === h.cell));
    this.handles = handles;
    if (this.clock) for (const h of joined) this.load(h, clockNow(this.clock, this.now()));
  }

  get live(): boolean {
    return this.clock === undefined;
  }

  get paused(): boolean {
    return this.clock?.paused ?? false;
  }

  get rate(): number {
    return this.clock?.rate ?? 1;
  }

  /** The shared camera time, or the first tile's when live. */
  position(): number | undefined {
    if (this.clock && !this.gathering) return clockNow(this.clock, this.now());
    if (this.clock) return this.clock.cameraAt;
    return this.handles[0]?.cameraTime();
  }

  goLive(): void {
    this.clock = undefined;
    this.gathering = false;
    this.reloads.clear();
    for (const h of this.handles) {
      h.setRate(1);
      if (h.playback().mode !== 'LIVE') h.setPlayback({ mode: 'LIVE' });
    }
  }

  /** Replays every tile from `cameraTime` (within what a tile has loaded, by seeking; otherwise a new replay). */
  seekTo(cameraTime: number): void {
    const target = Math.min(cameraTime, this.wallNow() - LIVE_EDGE_MS);
    const now = this.now();
    this.clock = this.clock ? jumpTo(this.clock, target, now) : { cameraAt: target, at: now, rate: 1, paused: false };
    let reloaded = false;
    for (const h of this.handles) {
      if (h.playback().mode !== 'LIVE' && h.seekCamera(target)) continue;
      this.load(h, target);
      reloaded = true;
    }
    this.gathering = reloaded;
  }

  jump(byMs: number): void {
    const at = this.position();
    if (at !== undefined) this.seekTo(at + byMs);
  }

  setPaused(paused: boolean): void {
    if (!this.clock) {
      // Pausing live: hold the picture where it is, as a replay.
      const at = this.position();
      if (at === undefined) return;
      this.seekTo(at);
    }
    this.clock = setPaused(this.clock as SyncClock, paused, this.now());
    for (const h of this.handles) h.setRate(paused ? 0 : this.rate);
  }

  setRate(rate: number): void {
    if (!this.clock) {
      const at = this.position();
      if (at === undefined) return;
      this.seekTo(at);
    }
    this.clock = setRate(this.clock as SyncClock, rate, this.now());
  }

  /** Steers every tile to the shared clock; call it twice a second. */
  tick(): void {
    const clock = this.clock;
    if (!clock) return;
    const now = this.now();
    if (this.gathering) {
      // The clock starts when every tile shows its replay: at the latest of their times.
      const times = this.handles.map((h) => (this.reloading(h, now) && !this.near(h, clock.cameraAt) ? undefined : h.cameraTime()));
      if (rendezvous(times) === undefined) return;
      // The asked time when every tile has it loaded (they seek back to it); else the earliest
      // time they all have (a tile whose replay began at a later fragment).
      const froms = this.handles.map((h) => h.loaded()?.from).filter((t): t is number => t !== undefined);
      const start = Math.max(clock.cameraAt, ...froms);
      this.gathering = false;
      this.clock = { ...clock, cameraAt: start, at: now };
      // Every tile has the start loaded: one seek each puts them in step at once, rather than bending rates for seconds.
      for (const h of this.handles) {
        const t = h.cameraTime();
        if (t !== undefined && Math.abs(t - start) > IN_STEP_MS) h.seekCamera(start);
      }
    }
    let target = clockNow(this.clock as SyncClock, now);
    if (!clock.paused && target > this.wallNow() - LIVE_EDGE_MS) {
      this.goLive();
      return;
    }
    // A tile that fell behind what it could load holds the others back rather than being reloaded over and over.
    const slowest = Math.min(...this.handles.map((h) => h.cameraTime() ?? target));
    if (target - slowest > SEEK_BEYOND_MS && this.handles.every((h) => (h.loaded()?.to ?? Number.POSITIVE_INFINITY) >= slowest)) {
      const behind = this.handles.find((h) => h.cameraTime() === slowest);
      if (behind && (behind.loaded()?.to ?? 0) < target) {
        this.clock = jumpTo(this.clock as SyncClock, slowest, now);
        target = slowest;
      }
    }
    for (const h of this.handles) {
      if (this.reloading(h, now) && !this.near(h, target)) continue;
      this.reloads.delete(h.cell);
      const decision = steer({ cameraTime: h.cameraTime(), ...optionalLoaded(h) }, target, this.clock as SyncClock);
      switch (decision.kind) {
        case 'rate':
          h.setRate(decision.rate);
          break;
        case 'seek': {
          const at = (h.cameraTime() ?? target) + decision.byMs;
          if (!h.seekCamera(at)) this.load(h, target);
          break;
        }
        case 'reload':
          this.load(h, decision.at);
          break;
        case 'wait':
          break;
      }
    }
  }

  private load(h: TileHandle, at: number): void {
    this.reloads.set(h.cell, this.now());
    h.setPlayback({ mode: 'LIVE_REPLAY', start: Math.round(at - REPLAY_LEAD_MS), selector: 'PRODUCER_TIMESTAMP' });
  }

  private reloading(h: TileHandle, now: number): boolean {
    const since = this.reloads.get(h.cell);
    return since !== undefined && now - since < RELOAD_GRACE_MS;
  }

  private near(h: TileHandle, target: number): boolean {
    const t = h.cameraTime();
    return t !== undefined && Math.abs(t - target) <= SEEK_BEYOND_MS * 2;
  }
}

function optionalLoaded(h: TileHandle): { loaded?: { from: number; to: number } } {
  const loaded = h.loaded();
  return loaded ? { loaded } : {};
}
