/**
 * The decode budget's decision, pure: how many tiles this machine keeps at full rate (learnt from what
 * it measurably keeps up with), and which tiles those are (selected, maximised and pinned first, then
 * the largest, then reading order). Everything else drops to key frames: one decode per fragment.
 *
 * The number of full-rate slots is a control loop over measurement windows (a couple of seconds each):
 * - overloaded (CPU over the ceiling, dropped frames, a main thread lagging, full-rate tiles falling
 *   behind their live target) two windows running → a quarter of the slots go (at least one), and no
 *   growth for a while;
 * - comfortably healthy several windows running, with tiles waiting for a slot → more slots, as many as
 *   the CPU headroom pays for at a slot's expected cost (at least one, at most a few at a time);
 * - tiles leaving the wall (a grid change) free the CPU their key frames took: their share of a slot
 *   goes to the tiles left at once, so a wall shrunk from 8×8 to 3×3 plays at full rate in seconds;
 * - windows right after a change are not judged: a tile starting Shaka costs a burst of CPU that says
 *   nothing about the steady state.
 * Cautious growth and fast, bounded shrinking keep a wall from oscillating between tiers.
 */

export type Tier = 'full' | 'key-frames';

/** What the budget knows of one tile when it decides. */
export interface TileDemand {
  id: string;
  /** On-screen area, CSS px². */
  area: number;
  selected: boolean;
  maximised: boolean;
  /** The operator pinned it to full rate: always full, whatever the machine says. */
  pinned: boolean;
  /** Hidden tiles (covered, off screen, page hidden) decode nothing: they take no slot. */
  visible: boolean;
  /** The platform's `<video>` plays its codec (Shaka): full rate is possible. */
  canFull: boolean;
  /** A canvas decoder decodes its codec: key frames are possible. */
  canKeyFrames: boolean;
  /** Reading order on the wall: the last tie-break, so the choice is stable. */
  position: number;
  /**
   * Full-rate slots its full rate costs (default 1): a picture decoded in software (H.265 where the
   * platform has no decoder) costs the CPU of several platform-decoded tiles.
   */
  slots?: number;
}

/** One measurement window of the whole page (machine-meter.ts). */
export interface MachineWindow {
  /** End of the window, ms (any monotonic clock). */
  atMs: number;
  /** Machine CPU busy, 0–1 over all cores, when known. */
  cpu: number | undefined;
  /** Of the frames full-rate tiles had due in the window, the share dropped (0–1). */
  droppedRatio: number;
  /** 95th percentile of main-thread timer lag in the window, ms. */
  lagP95Ms: number;
  /** Full-rate tiles whose picture stayed well behind their live target through the window. */
  tilesBehind: number;
  /** Full-rate slots in use in the window: tiles playing at full rate, each counted by its `slots`. */
  fullTiles: number;
}

export interface BudgetSettings {
  /** Machine CPU the wall may push to before shedding full-rate tiles (0–1, default 0.8). */
  cpuCeiling: number;
}

export interface BudgetState {
  /** Full-rate slots. */
  capacity: number;
  overloadedWindows: number;
  healthyWindows: number;
  /** No judging before this (after a change), no growth before `growAfterMs` (after a shrink). */
  settleUntilMs: number;
  growAfterMs: number;
  /** Why the capacity last changed, for the stats overlay and the benchmark. */
  reason: string;
  /** Expected machine CPU (0–1) of one full-rate slot, from the start rate per core. */
  slotCpu: number;
  /** Slot shares freed by departed key-frames tiles, not yet a whole slot. */
  freedShare: number;
}

export const DEFAULT_CPU_CEILING = 0.8;
/** Slots at the start: a few per core (a 4×4 wall of 360p cameras took about one of two cores), then measurement takes over. */
const START_SLOTS_PER_CORE = 8;
/**
 * What one key-frames tile costs the machine, as a share of a full-rate slot: on this project's 2-core
 * reference machine a 64-tile key-frames wall took ≈ 1 core in all (renderer, GPU, browser, network
 * processes), ≈ 1.5% of a core a tile, against ≈ 6% for a full-rate 360p tile.
 */
const KEY_FRAMES_SLOT_SHARE = 0.2;
/** Slots added at most per growth step, however much headroom: each one starts a Shaka player. */
const MAX_GROWTH_STEP = 4;
const OVERLOAD_WINDOWS = 2;
const HEALTHY_WINDOWS = 3;
/** After any change, windows inside this are not judged (Shaka start-up and teardown). */
const SETTLE_MS = 5000;
/** After a shrink, no growth for this long. */
const HOLD_AFTER_SHRINK_MS = 30_000;
const SHRINK_FACTOR = 0.75;
/** Growth needs this much CPU headroom under the ceiling. */
const GROW_HEADROOM = 0.12;
/** Overloaded: more than this share of due frames dropped, or a main thread this late. */
const DROPPED_OVERLOAD = 0.05;
const DROPPED_HEALTHY = 0.01;
const LAG_OVERLOAD_MS = 150;
const LAG_HEALTHY_MS = 50;
const TILES_BEHIND_OVERLOAD = 2;

export function initialBudget(cores: number, nowMs: number): BudgetState {
  return {
    capacity: Math.round(Math.max(1, cores) * START_SLOTS_PER_CORE),
    overloadedWindows: 0,
    healthyWindows: 0,
    settleUntilMs: nowMs + SETTLE_MS,
    growAfterMs: nowMs,
    reason: 'start',
    slotCpu: 1 / (Math.max(1, cores) * START_SLOTS_PER_CORE),
    freedShare: 0,
  };
}

type Verdict = 'overloaded' | 'healthy' | 'neutral';

/** One window's verdict, and the first reason for it. */
export function judge(window: MachineWindow, settings: BudgetSettings): { verdict: Verdict; reason: string } {
  const cpu = window.cpu;
  if (cpu !== undefined && cpu > settings.cpuCeiling) return { verdict: 'overloaded', reason: `CPU ${pct(cpu)} over the ${pct(settings.cpuCeiling)} ceiling` };
  if (window.fullTiles > 0 && window.droppedRatio > DROPPED_OVERLOAD) return { verdict: 'overloaded', reason: `${pct(window.droppedRatio)} of frames dropped` };
  if (window.lagP95Ms > LAG_OVERLOAD_MS) return { verdict: 'overloaded', reason: `main thread ${Math.round(window.lagP95Ms)} ms late` };
  // One tile alone behind among several is more likely its camera or its network than the machine; the
  // only full-rate tile falling behind is the machine (and that tile is fresher at key frames anyway).
  if (window.tilesBehind > 0 && window.tilesBehind >= Math.min(TILES_BEHIND_OVERLOAD, window.fullTiles)) return { verdict: 'overloaded', reason: `${window.tilesBehind} full-rate tile${window.tilesBehind === 1 ? '' : 's'} falling behind` };
  const roomy = (cpu === undefined || cpu < settings.cpuCeiling - GROW_HEADROOM) && window.droppedRatio <= DROPPED_HEALTHY && window.lagP95Ms <= LAG_HEALTHY_MS && window.tilesBehind === 0;
  return roomy ? { verdict: 'healthy', reason: 'room to spare' } : { verdict: 'neutral', reason: 'near the limit' };
}

/**
 * The next state after a measurement window. `wanting` is how many visible tiles could play at full
 * rate (the most slots that could be used); `fewest` is the least capacity (`demandOf`): pinned tiles
 * are never shed, and a tile the operator looks at closely keeps one slot. Otherwise a machine that
 * can't keep even one tile at full rate gets none: every tile at key frames, all of them fresh.
 */
export function nextBudget(state: BudgetState, window: MachineWindow, settings: BudgetSettings, wanting: number, fewest: number): BudgetState {
  const floor = Math.max(0, fewest);
  const clamp = (n: number): number => Math.max(floor, n);
  if (window.atMs < state.settleUntilMs) return { ...state, capacity: clamp(state.capacity) };
  const { verdict, reason } = judge(window, settings);
  const overloadedWindows = verdict === 'overloaded' ? state.overloadedWindows + 1 : 0;
  const healthyWindows = verdict === 'healthy' ? state.healthyWindows + 1 : 0;
  // Shed only slots that are in use: a wall of 4 tiles with 8 slots sheds from 4.
  const inUse = Math.min(state.capacity, Math.max(window.fullTiles, floor));
  if (overloadedWindows >= OVERLOAD_WINDOWS && inUse > floor) {
    const capacity = clamp(Math.min(inUse - 1, Math.floor(inUse * SHRINK_FACTOR)));
    return { ...state, capacity, overloadedWindows: 0, healthyWindows: 0, settleUntilMs: window.atMs + SETTLE_MS, growAfterMs: window.atMs + HOLD_AFTER_SHRINK_MS, reason, freedShare: 0 };
  }
  if (healthyWindows >= HEALTHY_WINDOWS && window.atMs >= state.growAfterMs && state.capacity < wanting && window.fullTiles >= Math.min(state.capacity, wanting)) {
    const step = Math.min(MAX_GROWTH_STEP, wanting - state.capacity, Math.max(1, growthFor(window.cpu, settings, state.slotCpu)));
    return { ...state, capacity: state.capacity + step, overloadedWindows: 0, healthyWindows: 0, settleUntilMs: window.atMs + SETTLE_MS, growAfterMs: window.atMs, reason };
  }
  return { ...state, capacity: clamp(state.capacity), overloadedWindows, healthyWindows };
}

/** Slots the CPU headroom under the ceiling (less the growth margin) pays for; 1 when the CPU is unknown. */
function growthFor(cpu: number | undefined, settings: BudgetSettings, slotCpu: number): number {
  if (cpu === undefined) return 1;
  return Math.floor((settings.cpuCeiling - GROW_HEADROOM - cpu) / slotCpu);
}

/**
 * A tile left the wall (a grid change, another wall). A key-frames tile's CPU goes to full-rate slots
 * for the tiles left, a slot for every few departed, without waiting for measurement windows: the next
 * windows still judge the result, and shed it if the machine can't keep up. A departed full-rate tile
 * frees its own slot already. `wanting` bounds the capacity to what the tiles left could use.
 */
export function afterDeparture(state: BudgetState, tier: Tier, wanting: number, nowMs: number): BudgetState {
  if (tier !== 'key-frames') return state;
  const share = state.freedShare + KEY_FRAMES_SLOT_SHARE;
  const whole = Math.floor(share + 1e-9);
  if (whole === 0) return { ...state, freedShare: share };
  if (state.capacity >= wanting) return { ...state, freedShare: 0 };
  // The tiles moving up start Shaka players: a burst the next windows must not be judged by.
  return { ...state, capacity: Math.min(wanting, state.capacity + whole), freedShare: share - whole, settleUntilMs: nowMs + SETTLE_MS, reason: 'tiles left the wall' };
}

/** Priority: pinned, maximised, selected, then the largest, then reading order. */
function rank(a: TileDemand, b: TileDemand): number {
  return Number(b.pinned) - Number(a.pinned) || Number(b.maximised) - Number(a.maximised) || Number(b.selected) - Number(a.selected) || b.area - a.area || a.position - b.position;
}

/**
 * Each visible tile's tier for `capacity` full-rate slots. Tiles that can only do one thing get it
 * (a codec only `<video>` plays stays full rate and takes a slot; one only a canvas decoder decodes
 * gets key frames); hidden tiles are left out (they decode nothing).
 */
export function assignTiers(tiles: readonly TileDemand[], capacity: number): Map<string, Tier> {
  const tiers = new Map<string, Tier>();
  let slots = capacity;
  for (const tile of [...tiles].filter((t) => t.visible).sort(rank)) {
    const cost = tile.slots ?? 1;
    const full = tile.canFull && (!tile.canKeyFrames || tile.pinned || slots >= cost);
    tiers.set(tile.id, full ? 'full' : 'key-frames');
    if (full) slots -= cost;
  }
  return tiers;
}

/**
 * Full-rate slots the visible tiles could use, and the fewest slots the budget keeps: those the pinned
 * tiles take, and those of one selected or maximised tile (the one the operator is looking at). A tile
 * decoded in software takes more than one slot (`slots`).
 */
export function demandOf(tiles: readonly TileDemand[]): { wanting: number; fewest: number } {
  const visible = tiles.filter((t) => t.visible && t.canFull);
  const slots = (list: readonly TileDemand[]): number => list.reduce((sum, t) => sum + (t.slots ?? 1), 0);
  const watched = visible.find((t) => !t.pinned && (t.selected || t.maximised));
  return { wanting: slots(visible), fewest: slots(visible.filter((t) => t.pinned)) + (watched ? slots([watched]) : 0) };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
