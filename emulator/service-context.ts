import type { Counters } from './control/counters';
import type { QuotaBook } from './quotas/quotas';
import type { SessionStore } from './sessions/session-store';
import type { StreamRegistry } from './streams/stream-registry';

/** What every request handler may use; built once per emulator. */
export interface ServiceContext {
  readonly region: string;
  readonly now: () => number;
  /** The emulator's own origin (`http://127.0.0.1:PORT`), known once the server listens. */
  readonly origin: () => string;
  readonly streams: StreamRegistry;
  readonly sessions: SessionStore;
  /** The quota model's rate limits and point budgets; `quotas.model` says which model. */
  readonly quotas: QuotaBook;
  readonly counters: Counters;
  /** The lowest Expires a session may ask for (300 unless test controls lower it). */
  readonly minExpiresSeconds: () => number;
}
