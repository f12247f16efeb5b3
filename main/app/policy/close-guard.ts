export interface CloseGuardOptions {
  /** Asks the operator; true to go ahead. Electron: a modal message box on the window. */
  confirm: (what: 'close-window' | 'quit') => boolean;
  /** Off in settings: close without asking. */
  enabled: () => boolean;
}

export interface CloseGuard {
  /** A window is about to close; false: keep it open. */
  windowClosing(): boolean;
  /** The app is about to quit (menu Quit, Cmd+Q); false: keep running. */
  quitting(): boolean;
  /** The operator already said yes (closing the last window quits): don't ask again. */
  confirmed(): void;
}

/**
 * A wall left running for weeks should not end by a stray click or key: closing a wall window or
 * quitting asks first. A quit that was confirmed closes every window without asking again.
 */
export function createCloseGuard(options: CloseGuardOptions): CloseGuard {
  let quitConfirmed = false;
  return {
    windowClosing() {
      if (quitConfirmed || !options.enabled()) return true;
      return options.confirm('close-window');
    },
    quitting() {
      if (quitConfirmed || !options.enabled()) return (quitConfirmed = true);
      quitConfirmed = options.confirm('quit');
      return quitConfirmed;
    },
    confirmed() {
      quitConfirmed = true;
    },
  };
}

/** The question and its detail, one place for the wording. */
export function closeQuestion(what: 'close-window' | 'quit'): { message: string; detail: string; confirmLabel: string } {
  return what === 'quit'
    ? { message: 'Quit KVS Wall?', detail: 'Every wall stops playing on this PC.', confirmLabel: 'Quit' }
    : { message: 'Close this wall window?', detail: 'Its cameras stop playing on this screen; other windows keep playing.', confirmLabel: 'Close' };
}
