import type { StreamRef } from '../../../shared/model';
import type { BudgetTile, DecodeBudget } from '../player/budget/decode-budget';
import { isPinnedCamera } from '../player/budget/page-budget';
import type { Tier } from '../player/budget/tier-decision';
import type { TilePlayer } from '../player/tile-player';

/** What the wall says about a tile that decides its priority. */
export interface TileFlags {
  selected: boolean;
  maximised: boolean;
  /** Its camera: the settings may pin it to full rate. */
  stream: StreamRef;
  visible: boolean;
  /** Live tiles only: a replay or an archive is watched closely, always at full rate. */
  live: boolean;
  /** Reading order on the wall. */
  position: number;
}

/**
 * One tile's membership of the page's decode budget: it answers the budget's questions from the tile's
 * element (its size on screen), its flags and its player, and hands the budget's tier to the player —
 * the one it has, or the next one the tile session creates (tiles wait for a session without a player).
 */
export class TileBudgetLink implements BudgetTile {
  private player: TilePlayer | null = null;
  private tierNow: Tier;
  private readonly registration: { unregister: () => void };

  constructor(
    private readonly budget: DecodeBudget,
    readonly id: string,
    private readonly element: HTMLElement,
    private flags: TileFlags,
  ) {
    const registered = budget.register(this);
    this.tierNow = registered.tier;
    this.registration = registered;
  }

  get tier(): Tier {
    return this.tierNow;
  }

  /** The tile session made a player: it plays at the budget's tier from the start. */
  attach(player: TilePlayer): TilePlayer {
    this.player = player;
    return player;
  }

  setFlags(flags: TileFlags): void {
    const changed = JSON.stringify(flags) !== JSON.stringify(this.flags);
    this.flags = flags;
    if (changed) this.budget.refresh();
  }

  demand(): ReturnType<BudgetTile['demand']> {
    const rect = this.element.getBoundingClientRect();
    const caps = this.player?.capabilities() ?? { canFull: true, canKeyFrames: true, fullRateSlots: 1 };
    return {
      area: rect.width * rect.height,
      selected: this.flags.selected,
      maximised: this.flags.maximised,
      pinned: isPinnedCamera(this.flags.stream),
      visible: this.flags.visible,
      canFull: caps.canFull,
      // A replay plays at full rate: key frames are for live walls.
      canKeyFrames: caps.canKeyFrames && this.flags.live,
      position: this.flags.position,
      slots: caps.fullRateSlots,
    };
  }

  frames(): ReturnType<BudgetTile['frames']> {
    return this.player?.frameCounters();
  }

  setTier(tier: Tier): void {
    this.tierNow = tier;
    this.player?.setTier(tier);
  }

  decodeTime(ms: number): void {
    this.budget.decodeTime(ms);
  }

  close(): void {
    this.player = null;
    this.registration.unregister();
  }
}
