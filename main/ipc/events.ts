import { events, type EventName, type EventPayload } from '../../shared/contract';
import type { Logger } from '../core/logger';

/**
 * Receives every event meant for it: a window's `webContents.send`, a socket's `send`, a test's
 * array. Returns false when it chose not to pass the event on (a socket not subscribed to it).
 */
export type EventSink = (name: EventName, payload: unknown) => boolean | void;

export interface EventHub {
  /**
   * Validates `payload` against the event's schema and delivers it: to every subscriber, or only to
   * the subscriber registered as `to` (events about a tile go to the window that owns the tile).
   * Returns how many subscribers passed it on.
   */
  emit<E extends EventName>(name: E, payload: EventPayload<E>, to?: string): number;
  /** Registers a sink under a sender id (one per window or socket); returns the unsubscribe. */
  subscribe(senderId: string, sink: EventSink): () => void;
  readonly size: number;
}

export function createEventHub({ logger }: { logger: Logger }): EventHub {
  const sinks = new Map<string, Set<EventSink>>();

  const deliver = (sink: EventSink, name: EventName, payload: unknown): boolean => {
    try {
      return sink(name, payload) !== false;
    } catch (err) {
      // One closed window or socket must not stop the others from hearing the event.
      logger.warn('event subscriber failed', { event: name, error: String(err) });
      return false;
    }
  };

  return {
    emit(name, payload, to) {
      const parsed = events[name].safeParse(payload);
      if (!parsed.success) {
        logger.error('dropped an event outside its schema', {
          event: name,
          issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`),
        });
        return 0;
      }
      let delivered = 0;
      const targets = to === undefined ? [...sinks.values()] : [sinks.get(to) ?? new Set<EventSink>()];
      for (const set of targets) for (const sink of [...set]) if (deliver(sink, name, parsed.data)) delivered++;
      return delivered;
    },
    subscribe(senderId, sink) {
      let set = sinks.get(senderId);
      if (!set) sinks.set(senderId, (set = new Set()));
      set.add(sink);
      return () => {
        const current = sinks.get(senderId);
        if (!current) return;
        current.delete(sink);
        if (current.size === 0) sinks.delete(senderId);
      };
    },
    get size() {
      let n = 0;
      for (const set of sinks.values()) n += set.size;
      return n;
    },
  };
}
