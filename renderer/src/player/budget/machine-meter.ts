import type { MachineWindow, Tier } from './tier-decision';

/** What one tile's player shows of itself at a window's end. */
export interface TileFrames {
  id: string;
  tier: Tier;
  /** The visible `<video>`'s counters (getVideoPlaybackQuality), or the canvas's pictures drawn/dropped. */
  totalFrames: number;
  droppedFrames: number;
  /** What the counters belong to: a swap to a new element restarts them. */
  source: object;
  /** How far the picture is behind its live target (s), for full-rate live tiles. */
  behindSec: number | undefined;
  /** Full-rate slots it takes (default 1; more when decoded in software, see TileDemand.slots). */
  slots?: number;
}

/** A tile this far behind its live target through a whole window counts as falling behind. */
export const BEHIND_SEC = 1.5;
const LAG_PROBE_MS = 100;
const MAX_LAG_SAMPLES = 600;

/** p-quantile (nearest rank) of a list, 0 when empty. */
function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * Measures what the machine keeps up with, one window at a time: main-thread lag (a 100 ms timer's
 * lateness), frames the full-rate tiles dropped of those due, full-rate tiles that stay behind their
 * live target, and the machine's CPU (asked of main, which sees every process). Canvas decode times are
 * collected for the stats. Constant-size state: a wall runs for weeks.
 */
export class MachineMeter {
  private lags: number[] = [];
  private probe: ReturnType<typeof setInterval> | undefined;
  private lastProbeAt = 0;
  private readonly counters = new Map<string, { source: object; total: number; dropped: number }>();
  private behind = new Set<string>();
  private decodeMs: number[] = [];

  constructor(
    private readonly readCpu: () => Promise<number | undefined>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    if (this.probe !== undefined) return;
    this.lastProbeAt = this.now();
    this.probe = setInterval(() => {
      const at = this.now();
      const lag = Math.max(0, at - this.lastProbeAt - LAG_PROBE_MS);
      this.lastProbeAt = at;
      if (this.lags.length < MAX_LAG_SAMPLES) this.lags.push(lag);
    }, LAG_PROBE_MS);
  }

  stop(): void {
    clearInterval(this.probe);
    this.probe = undefined;
  }

  /** One canvas decode took this long (decode() → frame). */
  decodeTime(ms: number): void {
    if (this.decodeMs.length < MAX_LAG_SAMPLES) this.decodeMs.push(ms);
  }

  /** Closes the window that started at the previous call. */
  async window(tiles: readonly TileFrames[]): Promise<MachineWindow & { decodeP95Ms: number }> {
    const cpu = await this.readCpu().catch(() => undefined);
    let due = 0;
    let dropped = 0;
    let fullTiles = 0;
    const behindNow = new Set<string>();
    const seen = new Set<string>();
    for (const tile of tiles) {
      seen.add(tile.id);
      const last = this.counters.get(tile.id);
      const sameSource = last?.source === tile.source;
      const dTotal = sameSource ? tile.totalFrames - last.total : tile.totalFrames;
      const dDropped = sameSource ? tile.droppedFrames - last.dropped : tile.droppedFrames;
      this.counters.set(tile.id, { source: tile.source, total: tile.totalFrames, dropped: tile.droppedFrames });
      if (tile.tier !== 'full') continue;
      // Counted in slots, as the capacity is: a software-decoded tile takes several.
      fullTiles += tile.slots ?? 1;
      // A tile first seen, or new to full rate, has counters from before the window: not this window's.
      if (last && sameSource && dTotal >= 0 && dDropped >= 0) {
        due += dTotal;
        dropped += dDropped;
      }
      if (tile.behindSec !== undefined && tile.behindSec > BEHIND_SEC) behindNow.add(tile.id);
    }
    for (const id of [...this.counters.keys()]) if (!seen.has(id)) this.counters.delete(id);
    const tilesBehind = [...behindNow].filter((id) => this.behind.has(id)).length;
    this.behind = behindNow;
    const lagP95Ms = quantile(this.lags, 0.95);
    const decodeP95Ms = quantile(this.decodeMs, 0.95);
    this.lags = [];
    this.decodeMs = [];
    return { atMs: this.now(), cpu, droppedRatio: due > 0 ? dropped / due : 0, lagP95Ms, tilesBehind, fullTiles, decodeP95Ms };
  }
}
