import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import { appError, type AppError } from '../../shared/errors';
import type { Grant, Playback, StreamRef } from '../../shared/model';
import { between, exponentialDelay } from './backoff';
import type { QuotaBudget } from './budget';
import { pauseWords } from './budget-words';
import type { EventHub } from './event-hub';
import type { ClassifiedFailure } from './failure-policy';
import type { IssueQueue, IssueRequest, QueueBlock } from './issue-queue';
import type { PooledSession, SessionPool } from './session-pool';
import { EXPIRY_TOLERANCE_MS, HANDOVER_HOLD_MS, OFFLINE_RETRY, TRANSIENT_BACKOFF } from './session-policy';
import type { SnapshotWriter } from './snapshot-writer';
import { samePlayback, sameStream } from './stream-key';
import { tileKey, type TileAddress } from './tile-key';
import type { SessionTimings } from './timings';
import type { AcquireOptions, AcquireResult, FailureReport, SessionEventMap } from './types';

type TileState = SessionEventMap['state'];

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What the service remembers about one tile between calls. */
interface TileRecord {
  readonly key: string;
  readonly windowId: string;
  readonly tileId: string;
  readonly stream: StreamRef;
  readonly playback: Playback;
  /** The page that acquired it; when that page goes, so does the tile. */
  owner: string | undefined;
  /** The session the tile was last handed (leased to it in the pool). */
  grant?: Grant;
  /** The player can no longer use `grant` (expired, evicted, or the stream went quiet). */
  grantLost: boolean;
  /** Its request in the issue queue, waiting or in flight. */
  request?: IssueRequest;
  /** Renewal or retry. */
  timer?: TimerHandle;
  /** The answer an `acquire` call is still waiting for. */
  answer?: Deferred<AcquireResult>;
  lastState?: TileState;
  /** Stopped until the tile is acquired again. */
  fatal: boolean;
  closed: boolean;
  transientFailures: number;
}

export interface TileSessionsDeps {
  clock: Clock;
  logger: Logger;
  random: () => number;
  queue: IssueQueue;
  pool: SessionPool;
  poolWriter: SnapshotWriter;
  hub: EventHub<SessionEventMap>;
  budgetOf(stream: StreamRef): QuotaBudget;
  timingsOf(stream: StreamRef): SessionTimings;
  /** false: never serve a tile from the pool (the churn benchmark's naive client). */
  reuse?: boolean;
}

/**
 * The tiles' side of sessions: one record per tile (window + place), the lease it holds on a pooled
 * session, its renewal timer, and what it is told (the acquire answer, `renewed` and `state` events).
 * Getting a session is asked of the issue queue; the queue calls back into the pool first, so a tile
 * that can be served from the pool never costs a KVS call.
 */
export class TileSessions {
  private readonly tiles = new Map<string, TileRecord>();
  private disposed = false;

  constructor(private readonly deps: TileSessionsDeps) {}

  acquire(tile: TileAddress, stream: StreamRef, playback: Playback, owner: string | undefined, options: AcquireOptions = {}): Promise<AcquireResult> {
    if (this.disposed) return Promise.resolve({ status: 'error', error: appError('Internal', 'The session service has stopped.') });
    const key = tileKey(tile);
    const existing = this.tiles.get(key);
    if (existing && !existing.fatal && sameStream(existing.stream, stream) && samePlayback(existing.playback, playback)) {
      existing.owner = owner;
      return this.answerAgain(existing);
    }
    // Another stream of the camera (its sub-stream, or back): the player keeps the old picture until the
    // new one shows frames, so the old session stays this tile's alone a while.
    const hold = options.handover === true && existing !== undefined && !sameStream(existing.stream, stream) && this.hasUsableGrant(existing, this.now());
    if (existing) this.close(existing, hold ? HANDOVER_HOLD_MS : 0);

    const record: TileRecord = {
      key,
      windowId: tile.windowId,
      tileId: tile.tileId,
      stream: { ...stream },
      playback,
      owner,
      grantLost: false,
      fatal: false,
      closed: false,
      transientFailures: 0,
    };
    this.tiles.set(key, record);

    const refusal = this.deps.budgetOf(stream).unusable();
    if (refusal) {
      record.fatal = true;
      this.emitState(record, 'error', { error: refusal, detail: refusal.message });
      return Promise.resolve({ status: 'error', error: refusal });
    }
    const answer = this.expectAnswer(record);
    this.emitState(record, 'acquiring');
    this.requestSession(record);
    return answer;
  }

  /** Synchronous: the session is back in the pool before the caller's next call is handled. */
  release(tile: TileAddress): boolean {
    const record = this.tiles.get(tileKey(tile));
    if (!record) return false;
    this.close(record);
    this.unhold(record.key);
    return true;
  }

  releaseOwner(owner: string): number {
    const mine = [...this.tiles.values()].filter((t) => t.owner === owner);
    for (const record of mine) {
      this.close(record);
      this.unhold(record.key);
    }
    return mine.length;
  }

  /** The tile is gone: a session it held through a stream switch is free for others at once. */
  private unhold(key: string): void {
    for (const stream of this.deps.pool.unhold(key)) this.deps.queue.pump(stream);
  }

  reportFailure(tile: TileAddress, report: FailureReport): boolean {
    const record = this.tiles.get(tileKey(tile));
    if (this.disposed || !record || record.fatal || record.grant?.sessionId !== report.sessionId) return false;
    const grant = record.grant;
    const now = this.now();
    const { httpStatus } = report;

    if (httpStatus === 400 && report.errorType === 'ClientLimitExceededException') {
      // The session is fine; the stream's points (or the session's own rates) are spent.
      this.deps.queue.noteThrottle(record.stream, now);
      this.deps.queue.pump(record.stream);
      return true;
    }
    if (httpStatus === 401 || httpStatus === 403) {
      const alreadyHandled = record.grantLost || record.request !== undefined;
      this.loseGrant(record, now);
      if (alreadyHandled) return true;
      // Refused before its expiry: someone else created sessions and KVS revoked ours as the oldest.
      if (now < grant.expiresAt - EXPIRY_TOLERANCE_MS) this.deps.queue.noteEviction(record.stream, now);
      this.requestSession(record);
      return true;
    }
    if (httpStatus === 404) {
      if (record.grantLost || record.request) return true;
      this.loseGrant(record, now);
      const error = appError('ResourceNotFoundException', `${record.stream.streamName} has sent no video lately (the camera may be offline).`, { retryable: true });
      this.retryLater(record, error, now + between(OFFLINE_RETRY.minMs, OFFLINE_RETRY.maxMs, this.deps.random));
      return true;
    }
    return false;
  }

  /** Every tile asks for a newer session now (after sleep, or after its account changed). */
  renewAll(filter: (stream: StreamRef) => boolean = () => true): void {
    if (this.disposed) return;
    const now = this.now();
    for (const record of this.tiles.values()) {
      if (record.fatal || !filter(record.stream)) continue;
      if (record.request) record.request.deadline = Math.min(record.request.deadline, now);
      else this.requestSession(record);
    }
    this.deps.queue.pumpAll();
  }

  /** The tile key and stream of a tile, for usage accounting. */
  streamOf(key: string): StreamRef | undefined {
    return this.tiles.get(key)?.stream;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const record of this.tiles.values()) {
      this.clearTimer(record);
      record.closed = true;
      if (record.request) this.deps.queue.cancel(record.request);
      record.request = undefined;
      if (record.grant && !record.grantLost) this.deps.pool.release(record.grant.sessionId);
      this.answer(record, { status: 'error', error: appError('Internal', 'The session service has stopped.') });
    }
    this.tiles.clear();
  }

  // ── Getting sessions ──────────────────────────────────────────────────────

  private requestSession(record: TileRecord): void {
    if (record.closed || record.fatal || record.request) return;
    this.clearTimer(record);
    const now = this.now();
    const usable = this.hasUsableGrant(record, now);
    const request: IssueRequest = {
      key: record.key,
      windowId: record.windowId,
      stream: record.stream,
      playback: record.playback,
      kind: record.grant ? 'renew' : 'first',
      deadline: usable && record.grant ? record.grant.expiresAt : now,
      queuedAt: now,
      fromPool: (at) => this.fromPool(record, request, at),
      blocked: (block) => this.onBlocked(record, request, block),
      started: () => this.emitState(record, this.hasUsableGrant(record, this.now()) ? 'renewing' : 'acquiring'),
      issued: (session) => this.onIssued(record, request, session),
      failed: (failure) => this.onFailed(record, request, failure),
    };
    record.request = request;
    this.deps.queue.submit(request);
  }

  /** A free pooled session of the tile's stream and playback (a fresher one for a renewal), if any. */
  private fromPool(record: TileRecord, request: IssueRequest, now: number): boolean {
    if (record.closed || record.request !== request || this.deps.reuse === false) return false;
    const current = record.grant && !record.grantLost ? record.grant : undefined;
    const timings = this.deps.timingsOf(record.stream);
    const session = this.deps.pool.take({
      stream: record.stream,
      playback: record.playback,
      key: record.key,
      now,
      minLifeMs: timings.minReusableLifeMs,
      minOwnLifeMs: timings.minOwnLifeMs,
      ...(current ? { fresherThan: current.expiresAt } : {}),
    });
    if (!session) return false;
    record.request = undefined;
    this.grantSession(record, session, 'pool');
    return true;
  }

  private onIssued(record: TileRecord, request: IssueRequest, session: PooledSession): void {
    if (record.request !== request || record.closed) return;
    record.request = undefined;
    this.deps.pool.lease(session.sessionId, record.key, this.now());
    this.grantSession(record, session, 'new');
  }

  private grantSession(record: TileRecord, session: PooledSession, from: 'pool' | 'new'): void {
    const previous = record.grant;
    if (previous && previous.sessionId !== session.sessionId && !record.grantLost) this.deps.pool.release(previous.sessionId);
    const grant: Grant = { sessionId: session.sessionId, url: session.url, issuedAt: session.issuedAt, expiresAt: session.expiresAt, playback: record.playback };
    record.grant = grant;
    record.grantLost = false;
    record.transientFailures = 0;
    this.deps.logger.info('session leased', { tile: record.key, stream: record.stream.streamName, sessionId: session.sessionId, from });
    this.scheduleRenewal(record);
    // A tile whose acquire already got an answer (waiting, error, or an earlier grant) learns of this one by event.
    if (!this.answer(record, { status: 'granted', grant })) {
      if (previous?.sessionId !== grant.sessionId || previous.url !== grant.url) this.deps.hub.emit('renewed', { windowId: record.windowId, tileId: record.tileId, grant });
    }
    this.emitState(record, 'granted');
    this.deps.poolWriter.schedule();
  }

  private onBlocked(record: TileRecord, request: IssueRequest, block: QueueBlock): void {
    if (record.request !== request || record.closed) return;
    const playing = this.hasUsableGrant(record, this.now());
    if (block.kind === 'paused') {
      const detail = pauseWords(block.pause.cause);
      if (!playing) this.emitState(record, 'backoff', { until: block.pause.until, detail });
      this.answer(record, { status: 'waiting', until: block.pause.until, reason: detail });
      return;
    }
    const { until } = block.verdict;
    const detail = block.verdict.words(record.windowId);
    if (!playing) this.emitState(record, 'waiting', { until, detail });
    this.answer(record, { status: 'waiting', until, reason: detail });
  }

  private onFailed(record: TileRecord, request: IssueRequest, failure: ClassifiedFailure): void {
    if (record.request !== request || record.closed) return;
    record.request = undefined;
    const now = this.now();
    switch (failure.kind) {
      case 'offline':
        this.retryLater(record, failure.error, now + between(OFFLINE_RETRY.minMs, OFFLINE_RETRY.maxMs, this.deps.random));
        break;
      case 'throttled':
      case 'transient': {
        record.transientFailures++;
        const delay = exponentialDelay(record.transientFailures, TRANSIENT_BACKOFF.baseMs, TRANSIENT_BACKOFF.capMs, this.deps.random);
        this.retryLater(record, failure.error, Math.max(now + delay, failure.error.retryAt ?? 0));
        break;
      }
      case 'fatal':
        record.fatal = true;
        this.emitState(record, 'error', { error: failure.error, detail: failure.error.message });
        this.answer(record, { status: 'error', error: failure.error });
        break;
    }
  }

  private retryLater(record: TileRecord, error: AppError, at: number): void {
    const withRetry: AppError = { ...error, retryable: true, retryAt: at };
    this.emitState(record, 'error', { error: withRetry, until: at, detail: error.message });
    this.answer(record, { status: 'error', error: withRetry });
    this.setTimer(record, at, () => this.requestSession(record));
  }

  private scheduleRenewal(record: TileRecord): void {
    const grant = record.grant;
    if (!grant) return;
    const { leadMs, jitterMs } = this.deps.timingsOf(record.stream);
    const at = grant.expiresAt - leadMs - Math.round(this.deps.random() * jitterMs);
    this.setTimer(record, at, () => this.requestSession(record));
  }

  // ── Answers ───────────────────────────────────────────────────────────────

  private answerAgain(record: TileRecord): Promise<AcquireResult> {
    const now = this.now();
    if (record.grant && this.hasUsableGrant(record, now)) return Promise.resolve({ status: 'granted', grant: record.grant });
    if (record.answer) return record.answer.promise;
    const answer = this.expectAnswer(record);
    if (record.request) {
      if (this.deps.queue.isWaiting(record.request)) this.deps.queue.pump(record.stream);
      return answer;
    }
    // Between retries: say what the tile is waiting for.
    const last = record.lastState;
    if (last?.error) this.answer(record, { status: 'error', error: last.error });
    else this.answer(record, { status: 'waiting', until: last?.until ?? now, reason: last?.detail ?? 'Waiting for a session' });
    return answer;
  }

  private expectAnswer(record: TileRecord): Promise<AcquireResult> {
    record.answer ??= deferred<AcquireResult>();
    return record.answer.promise;
  }

  /** Resolves a pending acquire; false when none was waiting. */
  private answer(record: TileRecord, result: AcquireResult): boolean {
    const pending = record.answer;
    if (!pending) return false;
    record.answer = undefined;
    pending.resolve(result);
    return true;
  }

  // ── Records ───────────────────────────────────────────────────────────────

  /** The session can't be played any more: never offered again, though it still counts. */
  private loseGrant(record: TileRecord, now: number): void {
    record.grantLost = true;
    if (record.grant) this.deps.pool.retire(record.grant.sessionId);
    if (record.request) record.request.deadline = Math.min(record.request.deadline, now);
  }

  /** `holdMs`: the session stays the tile's alone this long (a stream switch; see `acquire`). */
  private close(record: TileRecord, holdMs = 0): void {
    record.closed = true;
    if (record.request) this.deps.queue.cancel(record.request);
    record.request = undefined;
    this.clearTimer(record);
    if (this.tiles.get(record.key) === record) this.tiles.delete(record.key);
    if (record.grant && !record.grantLost) this.deps.pool.release(record.grant.sessionId, holdMs > 0 ? { key: record.key, until: this.now() + holdMs } : undefined);
    this.answer(record, { status: 'error', error: appError('SessionReleased', 'The tile was released before a session was granted.') });
    this.emitState(record, 'released');
    this.deps.poolWriter.schedule();
    // A tile waiting on this stream may take the session just freed.
    this.deps.queue.pump(record.stream);
  }

  private hasUsableGrant(record: TileRecord, now: number): boolean {
    return record.grant !== undefined && !record.grantLost && now < record.grant.expiresAt;
  }

  private setTimer(record: TileRecord, at: number, fire: () => void): void {
    this.clearTimer(record);
    record.timer = this.deps.clock.setTimeout(() => {
      record.timer = undefined;
      if (!record.closed && !this.disposed) fire();
    }, Math.max(0, at - this.now()));
  }

  private clearTimer(record: TileRecord): void {
    if (record.timer !== undefined) this.deps.clock.clearTimeout(record.timer);
    record.timer = undefined;
  }

  private emitState(record: TileRecord, state: TileState['state'], extra: Pick<TileState, 'detail' | 'until' | 'error'> = {}): void {
    const payload: TileState = { windowId: record.windowId, tileId: record.tileId, state };
    if (extra.detail !== undefined) payload.detail = extra.detail;
    if (extra.until !== undefined) payload.until = extra.until;
    if (extra.error !== undefined) payload.error = extra.error;
    const last = record.lastState;
    if (last && JSON.stringify(last) === JSON.stringify(payload)) return;
    record.lastState = payload;
    this.deps.hub.emit('state', payload);
  }

  private now(): number {
    return this.deps.clock.now();
  }
}
