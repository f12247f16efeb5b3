import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallResponse, EventPayload } from '../../shared/contract';
import type { Playback, StreamRef } from '../../shared/model';
import type { LedgerSnapshot } from './ledger-snapshot';

/**
 * Creates one KVS DASH session (GetDataEndpoint + GetDASHStreamingSessionURL, implemented by the KVS layer).
 * Rejects with an AppFailure whose `appError.code` is the KVS exception name or one of ours.
 */
export interface SessionIssuer {
  issue(stream: StreamRef, playback: Playback, expiresSeconds: number): Promise<{ url: string }>;
}

/** Where the ledger survives restarts; the composition root backs it with an atomic JSON file. */
export interface LedgerStore {
  load(): Promise<LedgerSnapshot | undefined>;
  save(snapshot: LedgerSnapshot): Promise<void>;
}

export interface BrokerConfig {
  /** The Expires every session is asked for (the broker may stretch it to spread renewals; see docs/sessions.md). */
  expiresSeconds: number;
  /** Slots per stream left for other viewers. */
  reservePerStream: number;
  /** The service's session limit for a stream; 10 unless told otherwise. */
  limitFor?: (stream: StreamRef) => number;
  renewLeadSeconds?: number;
  renewJitterSeconds?: number;
}

export interface BrokerDeps {
  clock: Clock;
  issuer: SessionIssuer;
  ledgerStore: LedgerStore;
  logger?: Logger;
  /** Read at each use, so settings changes apply to the next session. */
  config: () => BrokerConfig;
  /** Uniform in [0, 1); injected so tests are reproducible. */
  random?: () => number;
}

export type AcquireResult = CallResponse<'session.acquire'>;

export interface BrokerEventMap {
  renewed: EventPayload<'session.renewed'>;
  state: EventPayload<'session.state'>;
  budget: EventPayload<'session.budget'>;
}
export type BrokerEventName = keyof BrokerEventMap;

export interface BudgetView {
  /** Sessions that still count at KVS: held, in flight, and released-but-unexpired. */
  used: number;
  /** What this app may use on the stream: the service limit minus the reserve. */
  limit: number;
  /** When the earliest counted session stops counting. */
  nextFreeAt?: number;
}

export interface SessionBroker {
  acquire(tileId: string, stream: StreamRef, playback: Playback): Promise<AcquireResult>;
  release(tileId: string): Promise<boolean>;
  /** 401/403: expired or evicted → renew; 404: the stream has no recent fragments → error, retried later. */
  reportFailure(tileId: string, sessionId: string, httpStatus: number): boolean;
  /** The machine woke from sleep: renew every session now, within the quotas. */
  onResume(): void;
  on<E extends BrokerEventName>(event: E, listener: (payload: BrokerEventMap[E]) => void): () => void;
  budget(stream: StreamRef): BudgetView;
  /** Cancels timers and saves the ledger; sessions already created keep counting in it. */
  dispose(): Promise<void>;
}
