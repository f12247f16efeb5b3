import type { BrowserWindow, Display, Screen } from 'electron';
import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import { WindowLayout, type DisplayGeometry, type Move, type Placement, type SavedLayout, type WindowState } from './policy/window-layout';

/*
 * Electron glue for ./policy/window-layout: reads the displays from `screen`, reports the operator's
 * moves, applies the moves the policy decides, and saves the layout a moment after it changes.
 */

export function geometryOf(display: Pick<Display, 'id' | 'bounds' | 'workArea'>): DisplayGeometry {
  return { id: display.id, bounds: { ...display.bounds }, workArea: { ...display.workArea } };
}

export interface LayoutKeeperOptions {
  screen: Pick<Screen, 'getAllDisplays' | 'getPrimaryDisplay' | 'getDisplayMatching' | 'on'>;
  windowOf: (windowId: string) => BrowserWindow | undefined;
  /** Saves the layout; undefined when this run must not change it (started with kiosk arguments). */
  save: ((layout: SavedLayout) => Promise<void>) | undefined;
  clock: Clock;
  logger: Logger;
}

export interface LayoutKeeper {
  readonly layout: WindowLayout;
  displays(): DisplayGeometry[];
  primary(): DisplayGeometry;
  /** Follows a new window's moves from now on. */
  track(win: BrowserWindow, windowId: string, placement: Placement, home?: WindowState): void;
  /** "Move wall to next display". */
  moveToNext(windowId: string): void;
  /** A window closed by the operator; the last one is kept (closing it quits, and it opens there next time). */
  closed(windowId: string, stillOpen: number): void;
  /** Saves now (at quit); later changes are no longer saved. */
  flush(): Promise<void>;
}

const SAVE_DELAY_MS = 750;

export function createLayoutKeeper(options: LayoutKeeperOptions): LayoutKeeper {
  const { screen, clock, logger } = options;
  const layout = new WindowLayout();
  let saveTimer: TimerHandle | undefined;
  let frozen = false;
  const displays = () => screen.getAllDisplays().map(geometryOf);
  const primary = () => geometryOf(screen.getPrimaryDisplay());

  const saveNow = async () => {
    if (!options.save) return;
    try {
      await options.save(layout.snapshot());
    } catch (error) {
      logger.warn('the window layout could not be saved', { error });
    }
  };
  const saveSoon = () => {
    if (frozen || !options.save) return;
    if (saveTimer !== undefined) clock.clearTimeout(saveTimer);
    saveTimer = clock.setTimeout(() => {
      saveTimer = undefined;
      void saveNow();
    }, SAVE_DELAY_MS);
  };

  const apply = (move: Move) => {
    const win = options.windowOf(move.windowId);
    if (!win || win.isDestroyed()) return;
    logger.info('moving a wall window', { windowId: move.windowId, displayId: move.displayId, away: move.away });
    // Bounds don't apply to a fullscreen or kiosk window: leave it, move, then go back.
    if (win.isKiosk()) win.setKiosk(false);
    if (win.isFullScreen()) win.setFullScreen(false);
    win.setBounds(move.bounds);
    if (move.fullscreen) win.setFullScreen(true);
    if (move.kiosk) win.setKiosk(true);
  };

  screen.on('display-added', () => layout.displaysChanged(displays(), primary()).forEach(apply));
  screen.on('display-removed', () => layout.displaysChanged(displays(), primary()).forEach(apply));
  screen.on('display-metrics-changed', () => layout.displaysChanged(displays(), primary()).forEach(apply));

  return {
    layout,
    displays,
    primary,
    track(win, windowId, placement, home) {
      const display = displays().find((d) => d.id === placement.displayId) ?? primary();
      layout.track(windowId, placement, display, home);
      const report = () => {
        if (win.isDestroyed()) return;
        const fullscreen = win.isFullScreen();
        const bounds = fullscreen ? win.getNormalBounds() : win.getBounds();
        layout.moved(windowId, geometryOf(screen.getDisplayMatching(win.getBounds())), { bounds, fullscreen });
        saveSoon();
      };
      for (const event of ['move', 'resize', 'enter-full-screen', 'leave-full-screen'] as const) win.on(event as 'move', report);
      saveSoon();
    },
    moveToNext(windowId) {
      const move = layout.moveToNext(windowId, displays());
      if (!move) return;
      apply(move);
      saveSoon();
    },
    closed(windowId, stillOpen) {
      if (frozen || stillOpen === 0) return;
      layout.closed(windowId);
      saveSoon();
    },
    async flush() {
      frozen = true;
      if (saveTimer !== undefined) clock.clearTimeout(saveTimer);
      await saveNow();
    },
  };
}
