import type { Logger } from '../core/logger';
import type { LedgerSnapshot } from './ledger-snapshot';
import type { LedgerStore } from './types';

export interface LedgerWriter {
  /** Marks the ledger changed and saves in the background. */
  schedule(): void;
  /** Resolves once a save holding every change made before the call has completed; rejects if that save fails. */
  flush(): Promise<void>;
}

/**
 * Serialises saves and coalesces bursts: at most one save in flight, and the next one carries every
 * change made meanwhile. Callers that must not proceed before their change is on disk await `flush`.
 */
export function createLedgerWriter(store: LedgerStore, snapshot: () => LedgerSnapshot, logger: Logger): LedgerWriter {
  let version = 0;
  let savedVersion = 0;
  let inFlight: Promise<void> | undefined;

  const saveOnce = (): Promise<void> => {
    const target = version;
    const run = store.save(snapshot()).then(() => {
      savedVersion = Math.max(savedVersion, target);
    });
    // Waiters only need to know the save ended; the caller that started it sees its error.
    const ended: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      if (inFlight === ended) inFlight = undefined;
    });
    inFlight = ended;
    return run;
  };

  const flush = async (): Promise<void> => {
    version++;
    const wanted = version;
    while (savedVersion < wanted) {
      if (inFlight) {
        // Another caller's save may not include this change; wait for it, then check again.
        await inFlight;
        continue;
      }
      await saveOnce();
    }
  };

  return {
    schedule() {
      flush().catch((err: unknown) => logger.error('could not save the session ledger', { error: String(err) }));
    },
    flush,
  };
}
