import { MachineMeter, type TileFrames } from './machine-meter';
import {
  DEFAULT_CPU_CEILING,
  afterDeparture,
  assignTiers,
  demandOf,
  initialBudget,
  nextBudget,
  type BudgetSettings,
  type BudgetState,
  type MachineWindow,
  type Tier,
  type TileDemand,
} from './tier-decision';

/** One tile as the page's decode budget sees it. */
export interface BudgetTile {
  readonly id: string;
  /** Its demand now (size on screen, selected, maximised, pinned, visible, what it can play). */
  demand(): Omit<TileDemand, 'id'>;
  /** Its player's frame counters, once it plays. */
  frames(): Omit<TileFrames, 'id'> | undefined;
  /** The budget moved it to another tier. */
  setTier(tier: Tier): void;
}

/**
 * How the page decides tiers: `adaptive` (the budget), or fixed for a comparison or a test —
 * `full` (every tile at full rate: the naive wall) or `key-frames` (every tile it can).
 */
export type BudgetMode = 'adaptive' | 'full' | 'key-frames';

export interface DecodeBudgetOptions {
  mode: BudgetMode;
  cores: number;
  /** The machine's CPU (main's `machine.load`), undefined when unknown. */
  readCpu: () => Promise<number | undefined>;
  settings: () => BudgetSettings;
  windowMs?: number;
  now?: () => number;
}

/** What the page shows of the budget (the stats overlay, the benchmark) — constant size. */
export interface BudgetSnapshot {
  mode: BudgetMode;
  capacity: number;
  reason: string;
  full: number;
  keyFrames: number;
  window?: MachineWindow & { decodeP95Ms: number };
}

const WINDOW_MS = 2000;
/** Tiles moved up to full rate per window: each starts a Shaka player, a burst of work. Moving down is free. */
const PROMOTIONS_PER_WINDOW = 2;

/**
 * The page's decode budget: every tile registers; once a window the machine meter says what the
 * machine kept up with, the decision (tier-decision.ts) sets the number of full-rate slots, and tiles
 * whose tier changed are told. A tile registering gets its tier at once, so a 64-tile wall never
 * starts 64 full-rate players only to shed most of them.
 */
export class DecodeBudget {
  private readonly tiles = new Map<string, BudgetTile>();
  private readonly tiers = new Map<string, Tier>();
  private state: BudgetState;
  private readonly meter: MachineMeter;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastWindow: BudgetSnapshot['window'];
  private readonly now: () => number;
  private readonly listeners = new Set<(snapshot: BudgetSnapshot) => void>();

  constructor(private readonly options: DecodeBudgetOptions) {
    this.now = options.now ?? (() => performance.now());
    this.state = initialBudget(options.cores, this.now());
    this.meter = new MachineMeter(options.readCpu, this.now);
  }

  get mode(): BudgetMode {
    return this.options.mode;
  }

  /** Adds a tile and returns its tier now; `unregister` when it goes. */
  register(tile: BudgetTile): { tier: Tier; unregister: () => void } {
    this.tiles.set(tile.id, tile);
    if (this.tiles.size === 1) this.start();
    this.apply(Infinity, tile.id);
    return {
      tier: this.tiers.get(tile.id) ?? 'full',
      unregister: () => {
        if (this.tiles.get(tile.id) !== tile) return;
        const tier = this.tiers.get(tile.id);
        this.tiles.delete(tile.id);
        this.tiers.delete(tile.id);
        if (this.tiles.size === 0) return this.stop();
        if (tier && this.options.mode === 'adaptive') this.state = afterDeparture(this.state, tier, demandOf(this.demands()).wanting, this.now());
        this.apply(PROMOTIONS_PER_WINDOW);
      },
    };
  }

  tierOf(id: string): Tier | undefined {
    return this.tiers.get(id);
  }

  /** Something a tile's priority depends on changed (selection, maximise, a pin, visibility): decide again now. */
  refresh(): void {
    this.apply(Infinity);
  }

  /** A canvas decode took this long. */
  decodeTime(ms: number): void {
    this.meter.decodeTime(ms);
  }

  snapshot(): BudgetSnapshot {
    let full = 0;
    let keyFrames = 0;
    for (const tier of this.tiers.values()) tier === 'full' ? (full += 1) : (keyFrames += 1);
    return { mode: this.options.mode, capacity: this.state.capacity, reason: this.state.reason, full, keyFrames, ...(this.lastWindow ? { window: this.lastWindow } : {}) };
  }

  onChange(listener: (snapshot: BudgetSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private start(): void {
    if (this.options.mode !== 'adaptive' || this.timer !== undefined) return;
    this.meter.start();
    this.timer = setInterval(() => void this.tick(), this.options.windowMs ?? WINDOW_MS);
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.meter.stop();
  }

  private async tick(): Promise<void> {
    const samples: TileFrames[] = [];
    for (const tile of this.tiles.values()) {
      const frames = tile.frames();
      if (frames) samples.push({ id: tile.id, ...frames });
    }
    const window = await this.meter.window(samples);
    this.lastWindow = window;
    // A hidden page's timers and frames say nothing about the machine.
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    const { wanting, fewest } = demandOf(this.demands());
    const settings = this.options.settings();
    this.state = nextBudget(this.state, window, { cpuCeiling: settings.cpuCeiling || DEFAULT_CPU_CEILING }, wanting, fewest);
    this.apply(PROMOTIONS_PER_WINDOW);
  }

  private demands(): TileDemand[] {
    return [...this.tiles.values()].map((tile) => ({ ...tile.demand(), id: tile.id }));
  }

  /**
   * Decides every tile's tier and tells those that changed. At most `promotions` tiles move up to full
   * rate now (the rest next window); `quiet` is a tile being registered, which learns its tier from the
   * return value instead.
   */
  private apply(promotions: number, quiet?: string): void {
    const demands = this.demands();
    let decided: Map<string, Tier>;
    if (this.options.mode === 'full') decided = new Map(demands.map((d) => [d.id, d.canFull || !d.canKeyFrames ? 'full' : 'key-frames']));
    else if (this.options.mode === 'key-frames') decided = new Map(demands.map((d) => [d.id, d.canKeyFrames || !d.canFull ? 'key-frames' : 'full']));
    else decided = assignTiers(demands, this.state.capacity);
    let promoted = 0;
    for (const [id, tier] of decided) {
      const before = this.tiers.get(id);
      if (before === tier) continue;
      if (tier === 'full' && before !== undefined) {
        if (promoted >= promotions) continue;
        promoted += 1;
      }
      this.tiers.set(id, tier);
      if (id !== quiet) this.tiles.get(id)?.setTier(tier);
    }
    const snapshot = this.snapshot();
    for (const listener of this.listeners) listener(snapshot);
  }
}
