import type { Clock } from '../../../main/core/clock';
import type { LedgerSnapshot, PoolSnapshot, SnapshotStore } from '../../../main/sessions';

/**
 * A stored document shared by successive service instances (the ledger, the pool). Each instance
 * writes through its own handle, and a crashed instance's handle stops writing, as a dead process would.
 */
export class MemorySnapshotFile<T> {
  private json: string | undefined;
  saves = 0;
  failSaves = false;
  /** A slow disk: each save lands this long after it starts, on `clock`. */
  slow?: { clock: Clock; ms: number };

  handle(): SnapshotStore<T> & { crash(): void } {
    let crashed = false;
    return {
      load: async () => (this.json === undefined ? undefined : (JSON.parse(this.json) as unknown)),
      save: async (snapshot) => {
        const json = JSON.stringify(snapshot);
        const slow = this.slow;
        if (slow) await new Promise<void>((resolve) => slow.clock.setTimeout(resolve, slow.ms));
        // A dead process's write never lands.
        if (crashed) return new Promise<void>(() => {});
        if (this.failSaves) throw new Error('disk full');
        this.json = json;
        this.saves++;
      },
      crash: () => {
        crashed = true;
      },
    };
  }

  read(): T | undefined {
    return this.json === undefined ? undefined : (JSON.parse(this.json) as T);
  }

  write(snapshot: unknown): void {
    this.json = JSON.stringify(snapshot);
  }
}

export class MemoryLedgerFile extends MemorySnapshotFile<LedgerSnapshot> {}
export class MemoryPoolFile extends MemorySnapshotFile<PoolSnapshot> {}
