import { z } from 'zod';
import { IdSchema } from '../../../shared/model';

/*
 * Which wall is on which monitor, kept across restarts. Electron-free: the shell passes the displays'
 * geometry in (Electron's `screen`) and applies the placements this module decides.
 */

const RectSchema = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().min(1).max(100_000), height: z.number().int().min(1).max(100_000) }).strict();
export type Rect = z.infer<typeof RectSchema>;

export interface DisplayGeometry {
  id: number;
  bounds: Rect;
  workArea: Rect;
}

/** One wall window as it was last placed by the operator (its home), saved in `window-layout.json`. */
export const WindowStateSchema = z
  .object({
    wallId: IdSchema.optional(),
    displayId: z.number().int(),
    /** The display's bounds, to know it again if the OS gives it another id after a reboot. */
    displayBounds: RectSchema,
    /** The window's normal (not fullscreen) bounds. */
    bounds: RectSchema,
    fullscreen: z.boolean(),
    kiosk: z.boolean(),
  })
  .strict();
export type WindowState = z.infer<typeof WindowStateSchema>;

export const WindowLayoutSchema = z.object({ windows: z.array(WindowStateSchema).max(16) }).strict();
export type SavedLayout = z.infer<typeof WindowLayoutSchema>;

/** Where a window goes now; `away` when its own display is missing and it waits on another. */
export interface Placement {
  displayId: number;
  bounds: Rect;
  fullscreen: boolean;
  kiosk: boolean;
  wallId?: string;
  away: boolean;
}

export interface Move extends Placement {
  windowId: string;
}

/** The display a saved window belongs to: the same id, else one with exactly the same bounds. */
export function findDisplay(displays: readonly DisplayGeometry[], state: Pick<WindowState, 'displayId' | 'displayBounds'>): DisplayGeometry | undefined {
  return displays.find((d) => d.id === state.displayId) ?? displays.find((d) => sameRect(d.bounds, state.displayBounds));
}

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** `bounds` made to fit inside `area`: no larger, and moved in so all of it is visible. */
export function fitInto(bounds: Rect, area: Rect): Rect {
  const width = Math.min(bounds.width, area.width);
  const height = Math.min(bounds.height, area.height);
  const x = Math.min(Math.max(bounds.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(bounds.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

/** The same place relative to another display's work area (then fitted into it). */
export function relocate(bounds: Rect, from: Rect, to: Rect): Rect {
  return fitInto({ ...bounds, x: to.x + (bounds.x - from.x), y: to.y + (bounds.y - from.y) }, to);
}

/** The display after `currentId`, left to right then top to bottom, wrapping around. */
export function nextDisplay(displays: readonly DisplayGeometry[], currentId: number): DisplayGeometry | undefined {
  const ordered = [...displays].sort((a, b) => a.bounds.x - b.bounds.x || a.bounds.y - b.bounds.y || a.id - b.id);
  if (ordered.length === 0) return undefined;
  const at = ordered.findIndex((d) => d.id === currentId);
  return ordered[(at + 1) % ordered.length];
}

/** Where a saved window opens: at home when its display is there, else on the primary display, away. */
export function placeSaved(state: WindowState, displays: readonly DisplayGeometry[], primary: DisplayGeometry): Placement {
  const home = findDisplay(displays, state);
  const common = { fullscreen: state.fullscreen, kiosk: state.kiosk, ...(state.wallId ? { wallId: state.wallId } : {}) };
  if (home) return { ...common, displayId: home.id, bounds: relocate(state.bounds, state.displayBounds, home.bounds), away: false };
  return { ...common, displayId: primary.id, bounds: relocate(state.bounds, state.displayBounds, primary.workArea), away: true };
}

interface Tracked {
  home: WindowState;
  /** Where it is now (differs from home while away). */
  current: Placement;
}

/**
 * The live layout: each open window's home, where it is now, and what to do when displays come and go.
 * The shell reports the operator's moves (`moved`) and applies what `displaysChanged` and `moveToNext`
 * return; `snapshot` is what gets saved.
 */
export class WindowLayout {
  private readonly windows = new Map<string, Tracked>();

  /** A window opened at `placement` (from `placeSaved`, or a new window's own place). */
  track(windowId: string, placement: Placement, display: DisplayGeometry, home?: WindowState): void {
    this.windows.set(windowId, {
      home: home ?? stateOf(placement, display),
      current: placement,
    });
  }

  /**
   * The window is now at `bounds` on `display` (moved, resized, fullscreen toggled). While a window is
   * away, only a move by the operator to a display other than the one it waits on becomes its new home.
   */
  moved(windowId: string, display: DisplayGeometry, change: { bounds: Rect; fullscreen: boolean }): void {
    const entry = this.windows.get(windowId);
    if (!entry) return;
    const now: Placement = { ...entry.current, displayId: display.id, bounds: change.bounds, fullscreen: change.fullscreen };
    if (entry.current.away && display.id === entry.current.displayId) {
      entry.current = now;
      return;
    }
    entry.current = { ...now, away: false };
    entry.home = stateOf(entry.current, display, change.fullscreen ? entry.home.bounds : change.bounds);
  }

  /** The window shows another wall now. */
  showing(windowId: string, wallId: string): void {
    const entry = this.windows.get(windowId);
    if (!entry) return;
    entry.home = { ...entry.home, wallId };
    entry.current = { ...entry.current, wallId };
  }

  wallOf(windowId: string): string | undefined {
    return this.windows.get(windowId)?.home.wallId;
  }

  closed(windowId: string): void {
    this.windows.delete(windowId);
  }

  /** Displays were added, removed or changed: windows whose display went away, or came back, move. */
  displaysChanged(displays: readonly DisplayGeometry[], primary: DisplayGeometry): Move[] {
    const moves: Move[] = [];
    for (const [windowId, entry] of this.windows) {
      const currentThere = displays.some((d) => d.id === entry.current.displayId);
      const home = findDisplay(displays, entry.home);
      if (entry.current.away && home) {
        const back = placeSaved(entry.home, displays, primary);
        entry.current = back;
        moves.push({ windowId, ...back });
      } else if (!currentThere) {
        // Its home is gone too (a window at home is on it): the primary display until it is back.
        entry.current = { ...placeSaved(entry.home, displays, primary), away: true };
        moves.push({ windowId, ...entry.current });
      }
    }
    return moves;
  }

  /** "Move wall to next display": the window's new home is the next display, same place on it. */
  moveToNext(windowId: string, displays: readonly DisplayGeometry[]): Move | undefined {
    const entry = this.windows.get(windowId);
    if (!entry) return undefined;
    const from = displays.find((d) => d.id === entry.current.displayId);
    const to = nextDisplay(displays, entry.current.displayId);
    if (!to || !from || to.id === from.id) return undefined;
    const bounds = relocate(entry.current.fullscreen ? entry.home.bounds : entry.current.bounds, from.bounds, to.workArea);
    entry.current = { ...entry.current, displayId: to.id, bounds, away: false };
    entry.home = stateOf(entry.current, to);
    return { windowId, ...entry.current };
  }

  /** What to save: every open window's home, in window order. */
  snapshot(): SavedLayout {
    return { windows: [...this.windows.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([, e]) => e.home) };
  }
}

function stateOf(placement: Placement, display: DisplayGeometry, bounds: Rect = placement.bounds): WindowState {
  return {
    ...(placement.wallId ? { wallId: placement.wallId } : {}),
    displayId: display.id,
    displayBounds: display.bounds,
    bounds,
    fullscreen: placement.fullscreen,
    kiosk: placement.kiosk,
  };
}
