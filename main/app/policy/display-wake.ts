/** A tile's session state as the session service reports it (`session.state`). */
export type TileState = 'acquiring' | 'granted' | 'renewing' | 'waiting' | 'backoff' | 'error' | 'released';

export interface DisplayWakeOptions {
  /** Starts keeping the displays awake (Electron: `powerSaveBlocker.start('prevent-display-sleep')`); returns its id. */
  block: () => number;
  /** Lets them sleep again. */
  unblock: (id: number) => void;
}

export interface DisplayWake {
  tileState(windowId: string, tileId: string, state: TileState): void;
  /** A window closed or its page went away: none of its tiles play any more. */
  windowGone(windowId: string): void;
  readonly playing: number;
  dispose(): void;
}

/** Only a tile with a session plays video; one waiting or in error shows a still badge. */
const PLAYS: ReadonlySet<TileState> = new Set(['granted', 'renewing']);

/**
 * Keeps the displays awake while any wall plays, and only then: a wall left with every camera waiting
 * or removed lets the monitors sleep as the OS would. Electron-free; the shell passes the blocker in.
 */
export function createDisplayWake(options: DisplayWakeOptions): DisplayWake {
  const playing = new Set<string>();
  let blocker: number | undefined;

  const settle = () => {
    if (playing.size > 0 && blocker === undefined) blocker = options.block();
    else if (playing.size === 0 && blocker !== undefined) {
      options.unblock(blocker);
      blocker = undefined;
    }
  };

  return {
    get playing() {
      return playing.size;
    },
    tileState(windowId, tileId, state) {
      const key = `${windowId}\u0000${tileId}`;
      if (PLAYS.has(state)) playing.add(key);
      else playing.delete(key);
      settle();
    },
    windowGone(windowId) {
      for (const key of [...playing]) if (key.startsWith(`${windowId}\u0000`)) playing.delete(key);
      settle();
    },
    dispose() {
      playing.clear();
      settle();
    },
  };
}
