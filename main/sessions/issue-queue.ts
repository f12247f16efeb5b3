import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import { appError } from '../../shared/errors';
import type { Playback, StreamRef } from '../../shared/model';
import { exponentialDelay } from './backoff';
import type { LanePause, QuotaBudget, Verdict } from './budget';
import { chooseExpiresSeconds } from './expiry-spacing';
import { classifyFailure, type ClassifiedFailure } from './failure-policy';
import type { SessionLedger } from './session-ledger';
import type { PooledSession, SessionPool } from './session-pool';
import { EVICTION_BACKOFF, EVICTION_RESET_MS, THROTTLE_BACKOFF, THROTTLE_RESET_MS } from './session-policy';
import type { SnapshotWriter } from './snapshot-writer';
import { streamKey } from './stream-key';
import type { SessionTimings } from './timings';
import { TokenBucket } from './token-bucket';
import type { SessionIssuer } from './types';

export type RequestKind = 'first' | 'renew';

/** Why a queued request can't be served yet. */
export type QueueBlock = { kind: 'budget'; verdict: Extract<Verdict, { ok: false }> } | { kind: 'paused'; pause: LanePause };

/**
 * A tile's request for a session, as the queue sees it. The queue decides *when* it is served; the
 * requester decides *what* it gets (a pooled session, or the one the queue created for it).
 */
export interface IssueRequest {
  readonly key: string;
  readonly windowId: string;
  readonly stream: StreamRef;
  readonly playback: Playback;
  /** `first`: the tile has no session yet; `renew`: it needs a newer one. */
  readonly kind: RequestKind;
  /** Renewals: when the tile's session expires (the most urgent go first). */
  deadline: number;
  readonly queuedAt: number;
  /** Serves the request from the pool if a suitable session is free there; true when it did. */
  fromPool(now: number): boolean;
  /** It waits: the budget or a pause stands in the way. */
  blocked(block: QueueBlock): void;
  /** A call to KVS for it is starting. */
  started(): void;
  /** The session was created; it is in the pool, free, for the requester to lease. */
  issued(session: PooledSession): void;
  /** Creating the session failed in a way the requester handles (throttling the queue handles itself). */
  failed(failure: ClassifiedFailure): void;
}

interface Flight {
  readonly request: IssueRequest;
  readonly expiresAt: number;
  cancelled: boolean;
}

/** Everything the queue does for one stream: its waiting requests, calls in flight, pacing and pauses. */
interface Lane {
  readonly stream: StreamRef;
  readonly queued: Set<IssueRequest>;
  readonly inFlight: Map<string, Flight>;
  bucket: TokenBucket;
  pacingKey: string;
  pause?: LanePause;
  evictionStreak: number;
  lastEvictionAt?: number;
  throttleStreak: number;
  lastThrottleAt?: number;
  wakeTimer?: TimerHandle;
  wakeAt?: number;
}

export interface IssueQueueDeps {
  clock: Clock;
  issuer: SessionIssuer;
  ledger: SessionLedger;
  pool: SessionPool;
  ledgerWriter: SnapshotWriter;
  poolWriter: SnapshotWriter;
  logger: Logger;
  random: () => number;
  budgetOf(stream: StreamRef): QuotaBudget;
  timingsOf(stream: StreamRef): SessionTimings;
  /** Called after every pass over a stream, so its budget view can be refreshed. */
  onPumped(stream: StreamRef): void;
}

/**
 * The per-stream issue queue: serves tiles' requests for sessions as the stream's pause, budget and
 * call pacing allow — renewals first (most urgent first), then new tiles in arrival order — and
 * sleeps until one of them changes. Before each call the session is reserved in the ledger and that
 * reservation saved, so a crash can never leave a session KVS holds uncounted. Failures are
 * classified: throttling pauses the stream and keeps the request queued; everything else goes back
 * to the requester.
 */
export class IssueQueue {
  private readonly lanes = new Map<string, Lane>();
  private sessionCounter = 0;
  private disposed = false;

  constructor(private readonly deps: IssueQueueDeps) {}

  submit(request: IssueRequest): void {
    if (this.disposed) return;
    this.laneFor(request.stream).queued.add(request);
    this.pump(request.stream);
  }

  /** The requester no longer wants it. A call already in flight completes into the pool, free. */
  cancel(request: IssueRequest): void {
    const lane = this.lanes.get(streamKey(request.stream));
    if (!lane) return;
    lane.queued.delete(request);
    for (const flight of lane.inFlight.values()) if (flight.request === request) flight.cancelled = true;
  }

  isWaiting(request: IssueRequest): boolean {
    return this.lanes.get(streamKey(request.stream))?.queued.has(request) ?? false;
  }

  /** Sessions being created for tiles of one window on the stream. */
  inFlightFor(stream: StreamRef, windowId: string): number {
    let n = 0;
    for (const f of this.lanes.get(streamKey(stream))?.inFlight.values() ?? []) if (!f.cancelled && f.request.windowId === windowId) n++;
    return n;
  }

  /** First sessions being created on the stream: tiles admitted that don't play yet. */
  startingTiles(stream: StreamRef): number {
    let n = 0;
    for (const f of this.lanes.get(streamKey(stream))?.inFlight.values() ?? []) if (!f.cancelled && f.request.kind === 'first') n++;
    return n;
  }

  pauseOf(stream: StreamRef, now: number): LanePause | undefined {
    const pause = this.lanes.get(streamKey(stream))?.pause;
    return pause && now < pause.until ? pause : undefined;
  }

  /**
   * A session on the stream was refused well before its expiry: another viewer pushed the stream
   * over its limit. The stream waits 5 s, 10 s, 20 s … 5 min before creating again; evictions during
   * a pause join it. The caller pumps the stream afterwards.
   */
  noteEviction(stream: StreamRef, now: number): void {
    const lane = this.laneFor(stream);
    const inSameWave = lane.pause?.cause === 'evicted' && now < lane.pause.until;
    if (!inSameWave) {
      if (lane.lastEvictionAt === undefined || now - lane.lastEvictionAt > EVICTION_RESET_MS) lane.evictionStreak = 0;
      lane.evictionStreak++;
      const delay = exponentialDelay(lane.evictionStreak, EVICTION_BACKOFF.baseMs, EVICTION_BACKOFF.capMs, this.deps.random);
      this.pauseLane(lane, { until: now + delay, cause: 'evicted' });
      this.deps.logger.warn('another viewer evicted a session; backing off', { stream: stream.streamName, delayMs: delay });
    }
    lane.lastEvictionAt = now;
  }

  /**
   * KVS answered ClientLimitExceeded on the stream (a session call, a player's manifest or
   * fragment): the stream backs off 1 s, 2 s, 4 s … 30 s, or until KVS said, if later. Reports
   * arriving during a pause join it. The caller pumps the stream afterwards.
   */
  noteThrottle(stream: StreamRef, now: number, retryAt?: number): void {
    const lane = this.laneFor(stream);
    lane.bucket.drain(now);
    const inSameWave = lane.pause?.cause === 'throttled' && now < lane.pause.until;
    if (!inSameWave) {
      if (lane.lastThrottleAt === undefined || now - lane.lastThrottleAt > THROTTLE_RESET_MS) lane.throttleStreak = 0;
      lane.throttleStreak++;
      const delay = exponentialDelay(lane.throttleStreak, THROTTLE_BACKOFF.baseMs, THROTTLE_BACKOFF.capMs, this.deps.random);
      this.pauseLane(lane, { until: Math.max(now + delay, retryAt ?? 0), cause: 'throttled' });
      this.deps.logger.warn('KVS is throttling a stream; backing off', { stream: stream.streamName, delayMs: delay });
    }
    lane.lastThrottleAt = now;
  }

  /** Expiries to space a new session from: pooled sessions that may need renewing and calls in flight, other than `exceptKey`'s. */
  heldExpiries(stream: StreamRef, exceptKey: string): number[] {
    const out = this.deps.pool.heldExpiries(stream, exceptKey, this.deps.clock.now(), this.deps.timingsOf(stream).minReusableLifeMs);
    for (const f of this.lanes.get(streamKey(stream))?.inFlight.values() ?? []) if (f.request.key !== exceptKey) out.push(f.expiresAt);
    return out;
  }

  pumpAll(): void {
    for (const lane of this.lanes.values()) this.pump(lane.stream);
  }

  /** Serves the stream's queue as far as its pause, budget and pacing allow, then sleeps until one changes. */
  pump(stream: StreamRef): void {
    if (this.disposed) return;
    const lane = this.laneFor(stream);
    const now = this.deps.clock.now();
    this.deps.ledger.prune(now);
    this.deps.pool.prune(now);
    if (lane.pause && now >= lane.pause.until) lane.pause = undefined;
    const budget = this.deps.budgetOf(stream);
    this.fitPacing(lane, budget, now);
    const wakeAt: number[] = [];
    // Once creating is blocked for one request it is for every later one (renewals sort first, and
    // they need the least room); later requests may still be served from the pool.
    let creation: QueueBlock | 'pacing' | undefined;
    for (const request of this.ordered(lane)) {
      if (!lane.queued.has(request)) continue;
      if (request.kind === 'first') {
        const admitted = budget.admitTile(stream, now);
        if (!admitted.ok) {
          wakeAt.push(admitted.until);
          request.blocked({ kind: 'budget', verdict: admitted });
          continue;
        }
      }
      lane.queued.delete(request);
      if (request.fromPool(now)) continue;
      lane.queued.add(request);
      if (creation !== undefined) {
        if (creation !== 'pacing') request.blocked(creation);
        continue;
      }
      if (lane.pause) {
        creation = { kind: 'paused', pause: lane.pause };
        wakeAt.push(lane.pause.until);
        request.blocked(creation);
        continue;
      }
      const verdict = budget.mayCreate(stream, request.kind, now);
      if (!verdict.ok) {
        creation = { kind: 'budget', verdict };
        wakeAt.push(verdict.until);
        request.blocked(creation);
        continue;
      }
      if (!lane.bucket.tryTake(now)) {
        creation = 'pacing';
        wakeAt.push(lane.bucket.nextTokenAt(now));
        continue;
      }
      lane.queued.delete(request);
      this.startIssue(lane, request, now);
    }
    // The ledger's next free slot and the pool's next change also refresh the stream's budget view.
    const nextFree = this.deps.ledger.nextFreeAt(stream, now);
    if (nextFree !== undefined) wakeAt.push(nextFree);
    const poolChange = this.deps.pool.nextChangeAt(stream, now, this.deps.timingsOf(stream).minReusableLifeMs);
    if (poolChange !== undefined) wakeAt.push(poolChange);
    this.deps.onPumped(stream);
    this.scheduleWake(lane, wakeAt, now);
  }

  dispose(): void {
    this.disposed = true;
    for (const lane of this.lanes.values()) {
      if (lane.wakeTimer !== undefined) this.deps.clock.clearTimeout(lane.wakeTimer);
      lane.wakeTimer = undefined;
      lane.queued.clear();
      for (const flight of lane.inFlight.values()) flight.cancelled = true;
    }
  }

  // ── Issuing ───────────────────────────────────────────────────────────────

  private startIssue(lane: Lane, request: IssueRequest, now: number): void {
    const timings = this.deps.timingsOf(lane.stream);
    const expiresSeconds = chooseExpiresSeconds({
      issueAt: now,
      baseSeconds: timings.expiresSeconds,
      maxStretchSeconds: timings.maxStretchSeconds,
      maxShrinkSeconds: timings.maxShrinkSeconds,
      spacingMs: timings.spacingMs,
      otherExpiries: this.heldExpiries(lane.stream, request.key),
    });
    const sessionId = this.newSessionId(now);
    this.deps.ledger.reserve(lane.stream, { sessionId, playback: request.playback, reservedAt: now, expiresSeconds });
    const flight: Flight = { request, expiresAt: now + expiresSeconds * 1000, cancelled: false };
    lane.inFlight.set(sessionId, flight);
    request.started();
    void this.issue(lane, flight, sessionId, expiresSeconds);
  }

  private async issue(lane: Lane, flight: Flight, sessionId: string, expiresSeconds: number): Promise<void> {
    const { request } = flight;
    // The reservation must be on disk before KVS can create the session: a crash in between then
    // leaves a restarted app counting a session that may exist, never missing one that does.
    try {
      await this.deps.ledgerWriter.flush();
    } catch (err) {
      this.deps.ledger.forget(sessionId);
      lane.inFlight.delete(sessionId);
      this.deps.logger.error('could not record a session reservation; not requesting it', { error: String(err) });
      if (!flight.cancelled && !this.disposed) {
        const error = appError('Internal', 'The session ledger could not be saved, so no session was requested.', { retryable: true });
        request.failed({ kind: 'transient', error, sessionMayExist: false });
      }
      this.pump(lane.stream);
      return;
    }
    if (flight.cancelled || this.disposed) {
      this.deps.ledger.forget(sessionId);
      lane.inFlight.delete(sessionId);
      if (!this.disposed) this.deps.ledgerWriter.schedule();
      this.pump(lane.stream);
      return;
    }

    let issued: { url: string; maxManifestFragmentResults: number };
    try {
      issued = await this.deps.issuer.issue(lane.stream, request.playback, expiresSeconds);
    } catch (err) {
      this.onFailure(lane, flight, sessionId, err);
      return;
    }
    const answeredAt = this.deps.clock.now();
    const entry =
      this.deps.ledger.confirm(sessionId, answeredAt) ??
      // The machine slept through the call and the reservation already aged out: record it afresh.
      (this.deps.ledger.reserve(lane.stream, { sessionId, playback: request.playback, reservedAt: answeredAt, expiresSeconds }),
      this.deps.ledger.confirm(sessionId, answeredAt)!);
    if (!this.disposed) {
      await this.deps.ledgerWriter.flush().catch((err: unknown) => this.deps.logger.warn('could not save the session ledger', { error: String(err) }));
    }
    lane.inFlight.delete(sessionId);
    lane.throttleStreak = 0;
    // Into the pool first: if nobody wants it any more it waits there, free, for the next tile.
    const session = this.deps.pool.add({
      sessionId,
      url: issued.url,
      stream: lane.stream,
      playback: request.playback,
      maxManifestFragmentResults: issued.maxManifestFragmentResults,
      issuedAt: entry.reservedAt,
      expiresAt: entry.expiresAt,
    });
    this.deps.poolWriter.schedule();
    this.deps.logger.info('session created', { stream: lane.stream.streamName, sessionId, expiresSeconds, forTile: !flight.cancelled });
    if (this.disposed) return;
    if (!flight.cancelled) request.issued(session);
    this.pump(lane.stream);
  }

  private onFailure(lane: Lane, flight: Flight, sessionId: string, err: unknown): void {
    const failure = classifyFailure(err);
    const now = this.deps.clock.now();
    lane.inFlight.delete(sessionId);
    if (failure.sessionMayExist) this.deps.ledger.markUnknown(sessionId, now);
    else this.deps.ledger.forget(sessionId);
    this.deps.logger.warn('creating a session failed', {
      stream: lane.stream.streamName,
      code: failure.error.code,
      kind: failure.kind,
      sessionMayExist: failure.sessionMayExist,
    });
    if (this.disposed) return;
    this.deps.ledgerWriter.schedule();
    if (failure.kind === 'throttled') {
      this.noteThrottle(lane.stream, now, failure.error.retryAt);
      // Keeps its place: it is served when the pause ends.
      if (!flight.cancelled) lane.queued.add(flight.request);
    } else if (!flight.cancelled) {
      flight.request.failed(failure);
    }
    this.pump(lane.stream);
  }

  // ── Lanes ─────────────────────────────────────────────────────────────────

  /** Renewals first, most urgent first; then new tiles in arrival order. */
  private ordered(lane: Lane): IssueRequest[] {
    return [...lane.queued].sort((a, b) => {
      if (a.kind !== b.kind) return a.kind === 'renew' ? -1 : 1;
      return a.kind === 'renew' ? a.deadline - b.deadline || a.queuedAt - b.queuedAt : a.queuedAt - b.queuedAt;
    });
  }

  /** The caller pumps the lane afterwards, so waiting tiles learn of the pause. */
  private pauseLane(lane: Lane, pause: LanePause): void {
    if (!lane.pause || lane.pause.until < pause.until) lane.pause = pause;
  }

  /** The account's model may change with the settings; its bucket follows. */
  private fitPacing(lane: Lane, budget: QuotaBudget, now: number): void {
    const key = `${budget.pacing.burst}/${budget.pacing.intervalMs}`;
    if (key === lane.pacingKey) return;
    lane.bucket = new TokenBucket(budget.pacing.burst, budget.pacing.intervalMs, now);
    lane.pacingKey = key;
  }

  /** One timer per lane, for the earliest moment anything blocking it may change. */
  private scheduleWake(lane: Lane, candidates: number[], now: number): void {
    const at = candidates.length > 0 ? Math.max(now, Math.min(...candidates)) : undefined;
    if (at === lane.wakeAt && lane.wakeTimer !== undefined) return;
    if (lane.wakeTimer !== undefined) this.deps.clock.clearTimeout(lane.wakeTimer);
    lane.wakeTimer = undefined;
    lane.wakeAt = at;
    if (at === undefined) return;
    lane.wakeTimer = this.deps.clock.setTimeout(() => {
      lane.wakeTimer = undefined;
      lane.wakeAt = undefined;
      this.pump(lane.stream);
    }, at - now);
  }

  private laneFor(stream: StreamRef): Lane {
    const key = streamKey(stream);
    let lane = this.lanes.get(key);
    if (!lane) {
      const pacing = this.deps.budgetOf(stream).pacing;
      lane = {
        stream: { ...stream },
        queued: new Set(),
        inFlight: new Map(),
        bucket: new TokenBucket(pacing.burst, pacing.intervalMs, this.deps.clock.now()),
        pacingKey: `${pacing.burst}/${pacing.intervalMs}`,
        evictionStreak: 0,
        throttleStreak: 0,
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private newSessionId(now: number): string {
    const serial = (this.sessionCounter++).toString(36);
    const salt = Math.floor(this.deps.random() * 36 ** 4).toString(36);
    return `s-${now.toString(36)}-${serial}-${salt}`;
  }
}
