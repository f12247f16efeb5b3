import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallResponse, EventPayload } from '../../shared/contract';
import type { AccountQuota, Playback, StreamRef, TileUsage } from '../../shared/model';
import type { LedgerSnapshot } from './ledger-snapshot';
import type { PoolSnapshot } from './pool-snapshot';
import type { PricedCall } from './points-price';
import type { TileAddress } from './tile-key';

/** A DASH session as KVS handed it out. The URL is a bearer token: never log it. */
export interface IssuedSession {
  url: string;
  /** The MaxManifestFragmentResults it was asked with: what each of its manifest GETs costs in metadata points. */
  maxManifestFragmentResults: number;
}

/**
 * Creates one KVS DASH session (GetDataEndpoint + GetDASHStreamingSessionURL, implemented by the KVS
 * layer), in one attempt. Rejects with an AppFailure whose `appError.code` is the KVS exception name
 * or one of ours, and whose `effect` says whether KVS may have created the session anyway.
 */
export interface SessionIssuer {
  issue(stream: StreamRef, playback: Playback, expiresSeconds: number): Promise<IssuedSession>;
}

/** Where a document survives restarts. `load` returns whatever was stored; the service validates it. */
export interface SnapshotStore<T> {
  load(): Promise<unknown>;
  save(snapshot: T): Promise<void>;
}

export interface SessionConfig {
  /** The Expires every session is asked for (it may be stretched to spread renewals; see docs/sessions.md). */
  expiresSeconds: number;
  /** Slots per stream left for other viewers, for accounts without a quota of their own. */
  reservePerStream: number;
  /** An account's quota model and numbers; accounts without one use the `sessions` model, limit 10. */
  quotaFor?: (accountId: string) => AccountQuota | undefined;
  renewLeadSeconds?: number;
  renewJitterSeconds?: number;
}

export interface SessionServiceDeps {
  clock: Clock;
  issuer: SessionIssuer;
  /** The ledger: every session that may exist at KVS. Plain JSON, no secrets. */
  ledgerStore: SnapshotStore<LedgerSnapshot>;
  /** The pool's live sessions (with their URLs): encrypted at rest. Absent: the pool is not persisted. */
  poolStore?: SnapshotStore<PoolSnapshot>;
  logger?: Logger;
  /** Read at each decision, so settings changes apply at once. */
  config: () => SessionConfig;
  /** Uniform in [0, 1); injected so tests are reproducible. */
  random?: () => number;
  /**
   * Accounts whose sessions from an earlier run are void: the built-in Demo cameras' emulator starts
   * fresh with the app, so what the last run held there no longer exists.
   */
  voidAccounts?: readonly string[];
  /** How far back the points meter looks (default 10 s; at least two page heartbeats). */
  pointsWindowMs?: number;
  /**
   * Benchmark-only: `false` hands no pooled session to a tile, so every tile start (and renewal) asks
   * KVS for a new one — the naive client the churn benchmark compares against. Never set by a shell.
   */
  reuse?: boolean;
}

export type AcquireResult = CallResponse<'session.acquire'>;

export interface AcquireOptions {
  /** A switch to another stream of the tile's camera: its old session stays the tile's alone a while (`HANDOVER_HOLD_MS`). */
  handover?: boolean;
}

/** Events about a tile carry the window it is in, so the caller can route them to that window's page. */
export interface SessionEventMap {
  renewed: EventPayload<'session.renewed'> & { windowId: string };
  state: EventPayload<'session.state'> & { windowId: string };
  budget: EventPayload<'session.budget'>;
}
export type SessionEventName = keyof SessionEventMap;

/** The pool in numbers (diagnostics): what is playable, who holds it, how much life is left. */
export interface PoolCounters {
  at: number;
  /** Sessions that can still be played (not retired, not expired). */
  live: number;
  /** Of those, leased to a tile now. */
  leased: number;
  /** Of those, free for the next tile of their stream. */
  free: number;
  /** Free sessions kept for the tile that played them last (a reload, a reconnect takes them back). */
  keptForLastTile: number;
  /** Distinct streams and accounts with a live session. */
  streams: number;
  accounts: number;
  /** Seconds until the soonest live session expires; absent with none. */
  soonestExpirySeconds?: number;
}

/** A stream's quota use, as `session.budget` shows it. */
export type BudgetView = Omit<EventPayload<'session.budget'>, 'stream'>;

export interface FailureReport {
  sessionId: string;
  httpStatus: number;
  /** The answer's `x-amzn-ErrorType` / `__type`, when the player could read it. */
  errorType?: string;
}

/**
 * Sessions for tiles: a pool of live sessions leased to tiles, a per-stream issue queue for new
 * ones, renewals before expiry, and a quota budget per account (`sessions` or `points` model).
 */
export interface SessionService {
  /**
   * A session for one tile: its own previous one or another free pooled one of the same stream and
   * playback at once, else a new one when the budget allows. `owner` (the page) lets `releaseOwner`
   * give back every tile of a page that went away.
   */
  acquire(tile: TileAddress, stream: StreamRef, playback: Playback, owner?: string, options?: AcquireOptions): Promise<AcquireResult>;
  /** The tile stopped: its session returns to the pool, synchronously. False for an unknown tile. */
  release(tile: TileAddress): boolean;
  /** Releases every tile acquired by `owner`; returns how many. */
  releaseOwner(owner: string): number;
  /**
   * The player saw its session fail. 401/403: expired or evicted → renew; 404: the stream has no
   * recent fragments → error, retried later; 400 ClientLimitExceededException: the stream backs off.
   * False when the tile or session is unknown (the tile must acquire again) or there is no remedy.
   */
  reportFailure(tile: TileAddress, report: FailureReport): boolean;
  /**
   * What a window's players fetched since their last report (points accounting, throttling);
   * `spanMs`: how long ago that report was (0: count it as of now).
   */
  recordUsage(windowId: string, usage: readonly TileUsage[], spanMs?: number): void;
  /**
   * Before main makes a call that spends the stream's points (ListFragments, GetImages, GetClip): waits
   * while the stream backs off from throttling, and in the `points` model for room in the share, or
   * refuses (ClientLimitExceededException, PointsShareSpent) when that would take more than 5 s; always
   * counts the spend.
   */
  beforeSpending(stream: StreamRef, call: PricedCall): Promise<void>;
  /**
   * One of main's own calls on the stream (GetImages, GetClip, ListFragments) was answered
   * ClientLimitExceededException: the stream backs off as when a player is throttled (1 s, 2 s, 4 s …
   * 30 s, or until `retryAt` if later); `beforeSpending` waits out the pause and new tiles wait too.
   */
  noteThrottled(stream: StreamRef, retryAt?: number): void;
  /** The machine woke from sleep: renew every session now, within the quotas. */
  onResume(): void;
  /**
   * The account's identity changed or it was removed: its free sessions are never offered again and
   * its tiles renew (make-before-break); every session keeps counting until it expires.
   */
  accountChanged(accountId: string): void;
  on<E extends SessionEventName>(event: E, listener: (payload: SessionEventMap[E]) => void): () => void;
  budget(stream: StreamRef): BudgetView;
  /** How the pool stands now, for diagnostics: counts only, no session id or URL. */
  counters(): PoolCounters;
  /** Resolves once the ledger and the pool are saved. */
  flush(): Promise<void>;
  /** Cancels timers, frees every lease and saves the ledger and the pool; sessions keep counting. */
  dispose(): Promise<void>;
}
