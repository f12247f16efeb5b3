import type { Logger } from '../core/logger';

export interface SnapshotWriter {
  /** Marks the state changed and saves in the background. */
  schedule(): void;
  /** Resolves once a save holding every change made before the call has completed; rejects if that save fails. */
  flush(): Promise<void>;
}

/**
 * Serialises saves of one document and coalesces bursts: at most one save in flight, and the next
 * one carries every change made meanwhile. Callers that must not proceed before their change is on
 * disk await `flush`. Used for the session ledger and the session pool.
 */
export function createSnapshotWriter<T>(store: { save(snapshot: T): Promise<void> }, snapshot: () => T, logger: Logger, what: string): SnapshotWriter {
  let version = 0;
  let savedVersion = 0;
  let inFlight: Promise<void> | undefined;

  const saveOnce = (): Promise<void> => {
    const target = version;
    let saving: Promise<void>;
    try {
      saving = store.save(snapshot());
    } catch (err) {
      saving = Promise.reject(err);
    }
    const run = saving.then(() => {
      savedVersion = Math.max(savedVersion, target);
    });
    // Waiters only need to know the save ended; the caller that started it sees its error.
    const ended: Promise<void> = run
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
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
      flush().catch((err: unknown) => logger.error(`could not save the ${what}`, { error: String(err) }));
    },
    flush,
  };
}
