import { AppFailure } from '../core/app-failure';
import { silentLogger, type Logger } from '../core/logger';
import { appError, type AppError } from '../../shared/errors';
import type { Grant, Playback, StreamRef } from '../../shared/model';
import { budgetFullDetail, pauseDetail } from './broker-messages';
import {
  CALL_BURST,
  CALL_INTERVAL_MS,
  DEFAULT_SESSION_LIMIT,
  EVICTION_BACKOFF,
  EVICTION_RESET_MS,
  EXPIRY_TOLERANCE_MS,
  headroomFor,
  OFFLINE_RETRY,
  THROTTLE_BACKOFF,
  TRANSIENT_BACKOFF,
} from './broker-policy';
import { deferred, type Blocked, type LanePause, type StreamLane, type TileRecord, type TileState } from './broker-records';
import { between, exponentialDelay } from './backoff';
import { EventHub } from './event-hub';
import { chooseExpiresSeconds } from './expiry-spacing';
import { classifyFailure } from './failure-policy';
import { LedgerSnapshotSchema } from './ledger-snapshot';
import { createLedgerWriter, type LedgerWriter } from './ledger-writer';
import { SessionLedger } from './session-ledger';
import { samePlayback, sameStream, streamKey } from './stream-key';
import { resolveTimings, type SessionTimings } from './timings';
import { timeOfDay } from './time-of-day';
import { TokenBucket } from './token-bucket';
import type {
  AcquireResult,
  BrokerDeps,
  BrokerEventMap,
  BrokerEventName,
  BudgetView,
  SessionBroker,
} from './types';

/** Loads the ledger first, so sessions from the previous run count before anything new is issued. */
export async function createSessionBroker(deps: BrokerDeps): Promise<SessionBroker> {
  const ledger = new SessionLedger();
  const loaded = await deps.ledgerStore.load();
  if (loaded !== undefined) {
    const parsed = LedgerSnapshotSchema.safeParse(loaded);
    if (!parsed.success) {
      throw new AppFailure(
        appError('StoreCorrupt', 'The session ledger could not be read, so the sessions still open on each stream are unknown.'),
      );
    }
    ledger.restore(parsed.data, deps.clock.now());
  }
  return new Broker(deps, ledger);
}

class Broker implements SessionBroker {
  private readonly tiles = new Map<string, TileRecord>();
  private readonly lanes = new Map<string, StreamLane>();
  private readonly hub: EventHub<BrokerEventMap>;
  private readonly writer: LedgerWriter;
  private readonly logger: Logger;
  private readonly random: () => number;
  private sessionCounter = 0;
  private disposed = false;

  constructor(
    private readonly deps: BrokerDeps,
    private readonly ledger: SessionLedger,
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.random = deps.random ?? Math.random;
    this.hub = new EventHub<BrokerEventMap>(this.logger);
    this.writer = createLedgerWriter(deps.ledgerStore, () => ledger.snapshot(), this.logger);
  }

  async acquire(tileId: string, stream: StreamRef, playback: Playback): Promise<AcquireResult> {
    if (this.disposed) return { status: 'error', error: appError('Internal', 'The session service has stopped.') };
    const existing = this.tiles.get(tileId);
    if (existing && !existing.fatal && sameStream(existing.stream, stream) && samePlayback(existing.playback, playback)) {
      return this.answerAgain(existing);
    }
    if (existing) this.closeTile(existing);

    const lane = this.laneFor(stream);
    const tile: TileRecord = {
      tileId,
      stream: { ...stream },
      playback,
      lane,
      grantLost: false,
      inFlight: false,
      fatal: false,
      closed: false,
      transientFailures: 0,
    };
    this.tiles.set(tileId, tile);
    lane.tiles.add(tile);

    if (this.budgetOf(lane) <= 0) {
      tile.fatal = true;
      const error = appError(
        'SessionBudgetFull',
        `The reserve for other viewers leaves this app no sessions on ${stream.streamName}; lower the reserve in the settings.`,
      );
      this.emitState(tile, 'error', { error, detail: error.message });
      return { status: 'error', error };
    }
    const answer = this.expectAnswer(tile);
    this.emitState(tile, 'acquiring');
    this.enqueue(tile, this.now());
    this.pump(lane);
    return answer;
  }

  async release(tileId: string): Promise<boolean> {
    const tile = this.tiles.get(tileId);
    if (!tile) return false;
    this.closeTile(tile);
    this.pump(tile.lane);
    await this.writer.flush().catch((err: unknown) => this.logger.warn('could not save the session ledger', { error: String(err) }));
    return true;
  }

  reportFailure(tileId: string, sessionId: string, httpStatus: number): boolean {
    const tile = this.tiles.get(tileId);
    if (this.disposed || !tile || tile.fatal || tile.grant?.sessionId !== sessionId) return false;
    const grant = tile.grant;
    const now = this.now();

    if (httpStatus === 401 || httpStatus === 403) {
      const alreadyHandled = tile.grantLost || tile.inFlight || tile.pending !== undefined;
      this.loseGrant(tile, now);
      if (alreadyHandled) return true;
      // Refused before its expiry: someone else created sessions and KVS revoked ours as the oldest.
      if (now < grant.expiresAt - EXPIRY_TOLERANCE_MS) this.noteEviction(tile.lane, now);
      this.enqueue(tile, now);
      this.pump(tile.lane);
      return true;
    }
    if (httpStatus === 404) {
      if (tile.grantLost || tile.inFlight || tile.pending) return true;
      this.loseGrant(tile, now);
      const error = appError(
        'ResourceNotFoundException',
        `${tile.stream.streamName} has sent no video lately (the camera may be offline).`,
        { retryable: true },
      );
      this.retryLater(tile, error, now + between(OFFLINE_RETRY.minMs, OFFLINE_RETRY.maxMs, this.random));
      return true;
    }
    return false;
  }

  onResume(): void {
    if (this.disposed) return;
    const now = this.now();
    for (const tile of this.tiles.values()) {
      if (tile.fatal || tile.inFlight) continue;
      if (tile.pending) tile.pending.deadline = Math.min(tile.pending.deadline, now);
      else this.enqueue(tile, now);
    }
    for (const lane of this.lanes.values()) this.pump(lane);
  }

  on<E extends BrokerEventName>(event: E, listener: (payload: BrokerEventMap[E]) => void): () => void {
    return this.hub.on(event, listener);
  }

  budget(stream: StreamRef): BudgetView {
    const now = this.now();
    const lane = this.laneFor(stream);
    const nextFreeAt = this.ledger.nextFreeAt(stream, now);
    return {
      used: this.ledger.liveCount(stream, now),
      limit: this.budgetOf(lane),
      ...(nextFreeAt !== undefined ? { nextFreeAt } : {}),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const tile of this.tiles.values()) {
      this.clearTileTimer(tile);
      tile.closed = true;
      tile.pending = undefined;
      if (tile.grant) this.ledger.markReleased(tile.grant.sessionId);
      this.answer(tile, { status: 'error', error: appError('Internal', 'The session service has stopped.') });
    }
    this.tiles.clear();
    for (const lane of this.lanes.values()) {
      if (lane.wakeTimer !== undefined) this.deps.clock.clearTimeout(lane.wakeTimer);
      lane.wakeTimer = undefined;
      lane.tiles.clear();
    }
    await this.writer.flush().catch((err: unknown) => this.logger.error('could not save the session ledger', { error: String(err) }));
    this.hub.clear();
  }

  // ── Scheduling ────────────────────────────────────────────────────────────

  /** Serves the lane's queue as far as the pause, the budget and the call pacing allow, then sleeps until one changes. */
  private pump(lane: StreamLane): void {
    if (this.disposed) return;
    const now = this.now();
    this.ledger.prune(now);
    if (lane.pause && now >= lane.pause.until) lane.pause = undefined;
    const budget = this.budgetOf(lane);
    let blocked: Blocked = 'none';
    for (let next = this.nextQueued(lane); next; next = this.nextQueued(lane)) {
      if (lane.pause) {
        blocked = 'paused';
        break;
      }
      // New tiles leave a slot spare so the tiles already playing can renew make-before-break.
      const room = next.pending?.kind === 'renew' ? budget : budget - headroomFor(budget);
      if (this.ledger.liveCount(lane.stream, now) >= room) {
        blocked = 'budget';
        break;
      }
      if (!lane.bucket.tryTake(now)) {
        blocked = 'pacing';
        break;
      }
      this.startIssue(next, now);
    }
    this.showBlocked(lane, blocked, budget, now);
    this.emitBudget(lane);
    this.scheduleWake(lane, blocked, now);
  }

  /** Renewals first, most urgent first; then new tiles in arrival order. */
  private nextQueued(lane: StreamLane): TileRecord | undefined {
    let best: TileRecord | undefined;
    for (const tile of lane.tiles) {
      const p = tile.pending;
      if (!p || tile.inFlight) continue;
      const b = best?.pending;
      if (!b) {
        best = tile;
        continue;
      }
      if (p.kind !== b.kind) {
        if (p.kind === 'renew') best = tile;
        continue;
      }
      const earlier = p.kind === 'renew' ? p.deadline - b.deadline || p.queuedAt - b.queuedAt : p.queuedAt - b.queuedAt;
      if (earlier < 0) best = tile;
    }
    return best;
  }

  private showBlocked(lane: StreamLane, blocked: Blocked, budget: number, now: number): void {
    if (blocked !== 'paused' && blocked !== 'budget') return;
    for (const tile of lane.tiles) {
      if (!tile.pending || tile.inFlight) continue;
      const playing = this.hasUsableGrant(tile, now);
      if (blocked === 'paused' && lane.pause) {
        const detail = pauseDetail(lane.pause);
        if (!playing) this.emitState(tile, 'backoff', { until: lane.pause.until, detail });
        this.answer(tile, { status: 'waiting', until: lane.pause.until, reason: detail });
      } else if (blocked === 'budget') {
        const until = this.ledger.nextFreeAt(lane.stream, now) ?? now;
        const detail = budgetFullDetail(budget, lane.stream.streamName, until);
        if (!playing) this.emitState(tile, 'waiting', { until, detail });
        this.answer(tile, { status: 'waiting', until, reason: detail });
      }
    }
  }

  /** One timer per lane: for the next free slot (also refreshes the budget), the end of a pause, or the next token. */
  private scheduleWake(lane: StreamLane, blocked: Blocked, now: number): void {
    const candidates: number[] = [];
    const nextFree = this.ledger.nextFreeAt(lane.stream, now);
    if (nextFree !== undefined) candidates.push(nextFree);
    if (blocked === 'paused' && lane.pause) candidates.push(lane.pause.until);
    if (blocked === 'pacing') candidates.push(lane.bucket.nextTokenAt(now));
    const at = candidates.length > 0 ? Math.min(...candidates) : undefined;
    if (at === lane.wakeAt && lane.wakeTimer !== undefined) return;
    if (lane.wakeTimer !== undefined) this.deps.clock.clearTimeout(lane.wakeTimer);
    lane.wakeTimer = undefined;
    lane.wakeAt = at;
    if (at === undefined) return;
    lane.wakeTimer = this.deps.clock.setTimeout(() => {
      lane.wakeTimer = undefined;
      lane.wakeAt = undefined;
      this.pump(lane);
    }, Math.max(0, at - now));
  }

  private enqueue(tile: TileRecord, now: number): void {
    if (tile.closed || tile.fatal || tile.inFlight || tile.pending) return;
    this.clearTileTimer(tile);
    const usable = this.hasUsableGrant(tile, now);
    tile.pending = {
      kind: tile.grant ? 'renew' : 'first',
      deadline: usable && tile.grant ? tile.grant.expiresAt : now,
      queuedAt: now,
    };
  }

  // ── Issuing ───────────────────────────────────────────────────────────────

  private startIssue(tile: TileRecord, now: number): void {
    tile.pending = undefined;
    tile.inFlight = true;
    const timings = this.timings(tile.lane);
    const expiresSeconds = chooseExpiresSeconds({
      issueAt: now,
      baseSeconds: timings.expiresSeconds,
      maxStretchSeconds: timings.maxStretchSeconds,
      maxShrinkSeconds: timings.maxShrinkSeconds,
      spacingMs: timings.spacingMs,
      otherExpiries: this.ledger.heldExpiries(tile.stream, now, tile.tileId),
    });
    const sessionId = this.newSessionId(now);
    this.ledger.reserve(tile.stream, { sessionId, tileId: tile.tileId, playback: tile.playback, reservedAt: now, expiresSeconds });
    this.emitState(tile, this.hasUsableGrant(tile, now) ? 'renewing' : 'acquiring');
    void this.issue(tile, sessionId, expiresSeconds);
  }

  private async issue(tile: TileRecord, sessionId: string, expiresSeconds: number): Promise<void> {
    // The reservation must be on disk before KVS can create the session: a crash in between then
    // leaves a restarted app counting a session that may exist, never missing one that does.
    try {
      await this.writer.flush();
    } catch (err) {
      this.ledger.forget(sessionId);
      tile.inFlight = false;
      this.logger.error('could not record a session reservation; not requesting it', { error: String(err) });
      if (!tile.closed && !this.disposed) {
        const error = appError('Internal', 'The session ledger could not be saved, so no session was requested.', { retryable: true });
        tile.transientFailures++;
        this.retryLater(tile, error, this.now() + exponentialDelay(tile.transientFailures, TRANSIENT_BACKOFF.baseMs, TRANSIENT_BACKOFF.capMs, this.random));
      }
      this.pump(tile.lane);
      return;
    }
    if (tile.closed || this.disposed) {
      this.ledger.forget(sessionId);
      tile.inFlight = false;
      if (!this.disposed) this.writer.schedule();
      this.pump(tile.lane);
      return;
    }

    let url: string;
    try {
      ({ url } = await this.deps.issuer.issue(tile.stream, tile.playback, expiresSeconds));
    } catch (err) {
      this.onIssueFailure(tile, sessionId, err);
      return;
    }
    const entry = this.ledger.confirm(sessionId, this.now()) ?? this.recordLateAnswer(tile, sessionId, expiresSeconds);
    if (!this.disposed) {
      await this.writer.flush().catch((err: unknown) => this.logger.warn('could not save the session ledger', { error: String(err) }));
    }
    tile.inFlight = false;
    tile.lane.throttleStreak = 0;
    if (tile.closed || this.disposed) {
      // Nobody wants it any more, but KVS counts it until it expires.
      this.ledger.markReleased(sessionId);
      if (!this.disposed) this.writer.schedule();
      this.pump(tile.lane);
      return;
    }

    const grant: Grant = { sessionId, url, issuedAt: entry.reservedAt, expiresAt: entry.expiresAt, playback: tile.playback };
    if (tile.grant) this.ledger.markReleased(tile.grant.sessionId);
    tile.grant = grant;
    tile.grantLost = false;
    tile.transientFailures = 0;
    this.logger.info('session granted', { tileId: tile.tileId, stream: tile.stream.streamName, sessionId, expiresSeconds });
    this.scheduleRenewal(tile);
    // A tile whose acquire already got an answer (waiting, error, or an earlier grant) learns of this one by event.
    if (!this.answer(tile, { status: 'granted', grant })) this.hub.emit('renewed', { tileId: tile.tileId, grant });
    this.emitState(tile, 'granted');
    this.writer.schedule();
    this.pump(tile.lane);
  }

  /** The machine slept through the call and the reservation already aged out: record the session afresh. */
  private recordLateAnswer(tile: TileRecord, sessionId: string, expiresSeconds: number) {
    const now = this.now();
    this.ledger.reserve(tile.stream, { sessionId, tileId: tile.tileId, playback: tile.playback, reservedAt: now, expiresSeconds });
    const entry = this.ledger.confirm(sessionId, now);
    if (!entry) throw new Error('ledger lost a session it just recorded');
    return entry;
  }

  private onIssueFailure(tile: TileRecord, sessionId: string, err: unknown): void {
    const failure = classifyFailure(err);
    const now = this.now();
    const lane = tile.lane;
    tile.inFlight = false;
    if (failure.sessionMayExist) this.ledger.markReleased(sessionId);
    else this.ledger.forget(sessionId);
    this.logger.warn('creating a session failed', { stream: lane.stream.streamName, code: failure.error.code, kind: failure.kind });
    if (this.disposed) return;
    this.writer.schedule();
    if (tile.closed) {
      this.pump(lane);
      return;
    }
    switch (failure.kind) {
      case 'throttled': {
        lane.throttleStreak++;
        const delay = exponentialDelay(lane.throttleStreak, THROTTLE_BACKOFF.baseMs, THROTTLE_BACKOFF.capMs, this.random);
        lane.bucket.drain(now);
        this.pauseLane(lane, { until: Math.max(now + delay, failure.error.retryAt ?? 0), cause: 'throttled' });
        this.enqueue(tile, now);
        break;
      }
      case 'offline':
        this.retryLater(tile, failure.error, now + between(OFFLINE_RETRY.minMs, OFFLINE_RETRY.maxMs, this.random));
        break;
      case 'transient': {
        tile.transientFailures++;
        const delay = exponentialDelay(tile.transientFailures, TRANSIENT_BACKOFF.baseMs, TRANSIENT_BACKOFF.capMs, this.random);
        this.retryLater(tile, failure.error, Math.max(now + delay, failure.error.retryAt ?? 0));
        break;
      }
      case 'fatal':
        tile.fatal = true;
        this.emitState(tile, 'error', { error: failure.error, detail: failure.error.message });
        this.answer(tile, { status: 'error', error: failure.error });
        break;
    }
    this.pump(lane);
  }

  private retryLater(tile: TileRecord, error: AppError, at: number): void {
    const withRetry: AppError = { ...error, retryable: true, retryAt: at };
    this.emitState(tile, 'error', { error: withRetry, until: at, detail: `${error.message} Retrying at ${timeOfDay(at)}.` });
    this.answer(tile, { status: 'error', error: withRetry });
    this.setTileTimer(tile, at, () => {
      this.enqueue(tile, this.now());
      this.pump(tile.lane);
    });
  }

  private scheduleRenewal(tile: TileRecord): void {
    const grant = tile.grant;
    if (!grant) return;
    const { leadMs, jitterMs } = this.timings(tile.lane);
    const at = grant.expiresAt - leadMs - Math.round(this.random() * jitterMs);
    this.setTileTimer(tile, at, () => {
      this.enqueue(tile, this.now());
      this.pump(tile.lane);
    });
  }

  private noteEviction(lane: StreamLane, now: number): void {
    const inSameWave = lane.pause?.cause === 'evicted' && now < lane.pause.until;
    if (!inSameWave) {
      if (lane.lastEvictionAt === undefined || now - lane.lastEvictionAt > EVICTION_RESET_MS) lane.evictionStreak = 0;
      lane.evictionStreak++;
      const delay = exponentialDelay(lane.evictionStreak, EVICTION_BACKOFF.baseMs, EVICTION_BACKOFF.capMs, this.random);
      this.pauseLane(lane, { until: now + delay, cause: 'evicted' });
      this.logger.warn('another viewer evicted a session; backing off', { stream: lane.stream.streamName, delayMs: delay });
    }
    lane.lastEvictionAt = now;
  }

  private pauseLane(lane: StreamLane, pause: LanePause): void {
    if (!lane.pause || lane.pause.until < pause.until) lane.pause = pause;
  }

  // ── Tiles ─────────────────────────────────────────────────────────────────

  private answerAgain(tile: TileRecord): Promise<AcquireResult> {
    const now = this.now();
    if (tile.grant && this.hasUsableGrant(tile, now)) return Promise.resolve({ status: 'granted', grant: tile.grant });
    if (tile.answer) return tile.answer.promise;
    const answer = this.expectAnswer(tile);
    if (tile.inFlight) return answer;
    if (tile.pending) {
      this.pump(tile.lane);
      return answer;
    }
    // Between retries: say what the tile is waiting for.
    const last = tile.lastState;
    if (last?.error) this.answer(tile, { status: 'error', error: last.error });
    else this.answer(tile, { status: 'waiting', until: last?.until ?? now, reason: last?.detail ?? 'Waiting for a session' });
    return answer;
  }

  private expectAnswer(tile: TileRecord): Promise<AcquireResult> {
    tile.answer ??= deferred<AcquireResult>();
    return tile.answer.promise;
  }

  /** Resolves a pending acquire; false when none was waiting. */
  private answer(tile: TileRecord, result: AcquireResult): boolean {
    const pending = tile.answer;
    if (!pending) return false;
    tile.answer = undefined;
    pending.resolve(result);
    return true;
  }

  private loseGrant(tile: TileRecord, now: number): void {
    tile.grantLost = true;
    if (tile.grant) this.ledger.markReleased(tile.grant.sessionId);
    if (tile.pending) tile.pending.deadline = Math.min(tile.pending.deadline, now);
  }

  private closeTile(tile: TileRecord): void {
    tile.closed = true;
    tile.pending = undefined;
    this.clearTileTimer(tile);
    if (this.tiles.get(tile.tileId) === tile) this.tiles.delete(tile.tileId);
    tile.lane.tiles.delete(tile);
    if (tile.grant) this.ledger.markReleased(tile.grant.sessionId);
    this.answer(tile, { status: 'error', error: appError('SessionReleased', 'The tile was released before a session was granted.') });
    this.emitState(tile, 'released');
    this.writer.schedule();
  }

  private hasUsableGrant(tile: TileRecord, now: number): boolean {
    return tile.grant !== undefined && !tile.grantLost && now < tile.grant.expiresAt;
  }

  private setTileTimer(tile: TileRecord, at: number, fire: () => void): void {
    this.clearTileTimer(tile);
    tile.timer = this.deps.clock.setTimeout(() => {
      tile.timer = undefined;
      if (!tile.closed && !this.disposed) fire();
    }, Math.max(0, at - this.now()));
  }

  private clearTileTimer(tile: TileRecord): void {
    if (tile.timer !== undefined) this.deps.clock.clearTimeout(tile.timer);
    tile.timer = undefined;
  }

  // ── Small helpers ─────────────────────────────────────────────────────────

  private emitState(tile: TileRecord, state: TileState['state'], extra: Omit<TileState, 'tileId' | 'state'> = {}): void {
    const payload: TileState = { tileId: tile.tileId, state };
    if (extra.detail !== undefined) payload.detail = extra.detail;
    if (extra.until !== undefined) payload.until = extra.until;
    if (extra.error !== undefined) payload.error = extra.error;
    const last = tile.lastState;
    if (last && JSON.stringify(last) === JSON.stringify(payload)) return;
    tile.lastState = payload;
    this.hub.emit('state', payload);
  }

  private emitBudget(lane: StreamLane): void {
    const view = this.budget(lane.stream);
    const key = `${view.used}/${view.limit}/${view.nextFreeAt ?? ''}`;
    if (key === lane.lastBudgetKey) return;
    lane.lastBudgetKey = key;
    this.hub.emit('budget', { stream: { ...lane.stream }, ...view });
  }

  private laneFor(stream: StreamRef): StreamLane {
    const key = streamKey(stream);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        stream: { ...stream },
        bucket: new TokenBucket(CALL_BURST, CALL_INTERVAL_MS, this.now()),
        tiles: new Set(),
        evictionStreak: 0,
        throttleStreak: 0,
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private budgetOf(lane: StreamLane): number {
    const config = this.deps.config();
    const limit = config.limitFor?.(lane.stream) ?? DEFAULT_SESSION_LIMIT;
    return Math.max(0, limit - config.reservePerStream);
  }

  private timings(lane: StreamLane): SessionTimings {
    return resolveTimings(this.deps.config(), this.budgetOf(lane));
  }

  private newSessionId(now: number): string {
    const serial = (this.sessionCounter++).toString(36);
    const salt = Math.floor(this.random() * 36 ** 4).toString(36);
    return `s-${now.toString(36)}-${serial}-${salt}`;
  }

  private now(): number {
    return this.deps.clock.now();
  }
}
