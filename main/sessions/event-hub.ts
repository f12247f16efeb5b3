import type { Logger } from '../core/logger';

/** Typed listeners; a throwing listener is logged and can't stop the others or the broker. */
export class EventHub<M extends object> {
  private readonly listeners = new Map<keyof M, Set<(payload: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<E extends keyof M>(event: E, listener: (payload: M[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const stored = listener as (payload: never) => void;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  emit<E extends keyof M>(event: E, payload: M[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as (p: M[E]) => void)(payload);
      } catch (err) {
        this.logger.error('a session event listener threw', { event: String(event), error: String(err) });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
