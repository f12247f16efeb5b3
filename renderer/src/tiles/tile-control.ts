import type { TileHandle } from '../evidence/tile-handle';
import type { ClockZone } from '../lib/clock-zone';

/** What the wall may do with a tile beyond the evidence tools: its clock, its zoom, its statistics. */
export interface TileControl extends TileHandle {
  /** The clock zone its times are shown in (the camera's own when chosen and tagged). */
  zone(): ClockZone;
  /** Back to the whole picture; false when it wasn't zoomed. */
  resetZoom(): boolean;
  toggleStats(): void;
  statsShown(): boolean;
  /**
   * Resolves true once the picture is the camera's own stream (a grid tile may show its sub-stream, and
   * switches when selected): evidence is taken of the camera. False after `timeoutMs`.
   */
  whenCamera?(timeoutMs: number): Promise<boolean>;
}
