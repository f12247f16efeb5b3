import { AppFailure } from '../core/app-failure';
import { silentLogger, type Logger } from '../core/logger';
import { appError } from '../../shared/errors';
import type { Playback, StreamRef, TileUsage } from '../../shared/model';
import type { BudgetFacts, QuotaBudget } from './budget';
import { quotaOf } from './budget';
import { budgetFor } from './budget-choice';
import { EventHub } from './event-hub';
import { IssueQueue } from './issue-queue';
import { LedgerSnapshotSchema, migrateLedger } from './ledger-snapshot';
import { PointsMeter } from './points-meter';
import { addPoints, NO_POINTS, pointsOf, type PricedCall } from './points-price';
import { POOL_VERSION, PoolSnapshotSchema, type PoolSnapshot } from './pool-snapshot';
import { SessionLedger } from './session-ledger';
import { SessionPool } from './session-pool';
import { MAX_SPEND_WAIT_MS, MIN_POINTS_WINDOW_MS } from './session-policy';
import { createSnapshotWriter } from './snapshot-writer';
import { streamKey } from './stream-key';
import { tileKey, type TileAddress } from './tile-key';
import { TileSessions } from './tile-sessions';
import { resolveTimings, type SessionTimings } from './timings';
import type { AcquireOptions, AcquireResult, BudgetView, FailureReport, PoolCounters, SessionEventMap, SessionEventName, SessionService, SessionServiceDeps } from './types';

/** A manifest's price when the session is no longer known (LIVE's default). */
const UNKNOWN_SESSION_MANIFEST_RESULTS = 5;

/**
 * Builds the session service. The ledger is loaded first, so sessions from the previous run count
 * before anything new is issued; then the pool's persisted sessions come back, free, as long as the
 * ledger still counts them and they have life enough to be worth a tile. Sessions of void accounts
 * (the Demo cameras, whose emulator starts afresh) are dropped from both.
 */
export async function createSessionService(deps: SessionServiceDeps): Promise<SessionService> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.clock.now();
  const isVoid = (stream: StreamRef) => deps.voidAccounts?.includes(stream.accountId) ?? false;

  const ledger = new SessionLedger();
  const loaded = await deps.ledgerStore.load();
  let changedAtStart = false;
  if (loaded !== undefined) {
    const raw = typeof loaded === 'object' && loaded !== null && (loaded as { version?: unknown }).version === 1 ? migrateLedger(1, loaded) : loaded;
    const parsed = LedgerSnapshotSchema.safeParse(raw);
    if (!parsed.success) {
      throw new AppFailure(appError('StoreCorrupt', 'The session ledger could not be read, so the sessions still open on each stream are unknown.'));
    }
    const dropped = ledger.restore(parsed.data, now, isVoid);
    changedAtStart = dropped > 0 || raw !== loaded;
  }

  const service = new Service(deps, logger, ledger);
  if (deps.poolStore) await service.restorePool(deps.poolStore, isVoid);
  if (changedAtStart) await service.flush().catch((err: unknown) => logger.warn('could not save the session ledger', { error: String(err) }));
  return service;
}

class Service implements SessionService {
  private readonly pool = new SessionPool();
  private readonly meter: PointsMeter;
  private readonly hub: EventHub<SessionEventMap>;
  private readonly queue: IssueQueue;
  private readonly tiles: TileSessions;
  private readonly ledgerWriter;
  private readonly poolWriter;
  private readonly random: () => number;
  private readonly facts: BudgetFacts;
  private readonly lastBudget = new Map<string, string>();
  private disposed = false;

  constructor(
    private readonly deps: SessionServiceDeps,
    private readonly logger: Logger,
    private readonly ledger: SessionLedger,
  ) {
    this.random = deps.random ?? Math.random;
    this.meter = new PointsMeter(Math.max(MIN_POINTS_WINDOW_MS, deps.pointsWindowMs ?? 0));
    this.hub = new EventHub<SessionEventMap>(logger);
    this.ledgerWriter = createSnapshotWriter(deps.ledgerStore, () => ledger.snapshot(), logger, 'session ledger');
    const poolStore = deps.poolStore ?? { save: async () => undefined };
    this.poolWriter = createSnapshotWriter(poolStore, () => this.poolSnapshot(), logger, 'session pool');
    this.facts = {
      ledger,
      pool: this.pool,
      meter: this.meter,
      inFlightFor: (stream, windowId) => this.queue.inFlightFor(stream, windowId),
      startingTiles: (stream) => this.queue.startingTiles(stream),
      pauseOf: (stream, at) => this.queue.pauseOf(stream, at),
      minReusableLifeMs: (stream) => this.timingsOf(stream).minReusableLifeMs,
    };
    this.queue = new IssueQueue({
      clock: deps.clock,
      issuer: deps.issuer,
      ledger,
      pool: this.pool,
      ledgerWriter: this.ledgerWriter,
      poolWriter: this.poolWriter,
      logger,
      random: this.random,
      budgetOf: (stream) => this.budgetOf(stream),
      timingsOf: (stream) => this.timingsOf(stream),
      onPumped: (stream) => this.emitBudget(stream),
    });
    this.tiles = new TileSessions({
      clock: deps.clock,
      logger,
      random: this.random,
      queue: this.queue,
      pool: this.pool,
      poolWriter: this.poolWriter,
      hub: this.hub,
      budgetOf: (stream) => this.budgetOf(stream),
      timingsOf: (stream) => this.timingsOf(stream),
      ...(deps.reuse === false ? { reuse: false } : {}),
    });
  }

  async restorePool(store: NonNullable<SessionServiceDeps['poolStore']>, isVoid: (stream: StreamRef) => boolean): Promise<void> {
    let loaded: unknown;
    try {
      loaded = await store.load();
    } catch (err) {
      this.logger.warn('the saved session pool could not be read; starting with an empty pool', { error: String(err) });
      return;
    }
    if (loaded === undefined) return;
    const parsed = PoolSnapshotSchema.safeParse(loaded);
    if (!parsed.success) {
      this.logger.warn('the saved session pool is not valid; starting with an empty pool', { issue: parsed.error.issues[0]?.path.join('.') ?? '' });
      this.poolWriter.schedule();
      return;
    }
    const now = this.deps.clock.now();
    let kept = 0;
    for (const s of parsed.data.sessions) {
      // Only sessions KVS may still hold (the ledger counts them) and that a tile could still use:
      // its own last tile while it has a little life, any tile while it has more.
      if (isVoid(s.stream) || !this.ledger.counts(s.sessionId, now)) continue;
      const timings = this.timingsOf(s.stream);
      if (s.expiresAt - now < (s.lastLessee ? timings.minOwnLifeMs : timings.minReusableLifeMs)) continue;
      this.pool.add({ ...s, ...(s.lastLessee ? { lastLessee: s.lastLessee } : {}) });
      kept++;
    }
    this.logger.info('restored the session pool', { saved: parsed.data.sessions.length, kept });
    if (kept !== parsed.data.sessions.length) this.poolWriter.schedule();
  }

  acquire(tile: TileAddress, stream: StreamRef, playback: Playback, owner?: string, options: AcquireOptions = {}): Promise<AcquireResult> {
    return this.tiles.acquire(tile, stream, playback, owner, options);
  }

  release(tile: TileAddress): boolean {
    if (this.disposed) return false;
    return this.tiles.release(tile);
  }

  releaseOwner(owner: string): number {
    if (this.disposed) return 0;
    return this.tiles.releaseOwner(owner);
  }

  reportFailure(tile: TileAddress, report: FailureReport): boolean {
    return this.tiles.reportFailure(tile, report);
  }

  recordUsage(windowId: string, usage: readonly TileUsage[], spanMs = 0): void {
    if (this.disposed) return;
    const now = this.deps.clock.now();
    const touched = new Map<string, StreamRef>();
    for (const u of usage) {
      const session = this.pool.get(u.sessionId);
      const stream = session?.stream ?? this.tiles.streamOf(tileKey({ windowId, tileId: u.tileId }));
      if (!stream) continue;
      const manifest: PricedCall = { api: 'GetDASHManifest', maxManifestFragmentResults: session?.maxManifestFragmentResults ?? UNKNOWN_SESSION_MANIFEST_RESULTS };
      let points = addPoints(NO_POINTS, pointsOf(manifest, u.manifests));
      points = addPoints(points, pointsOf({ api: 'GetMP4InitFragment' }, u.inits));
      points = addPoints(points, pointsOf({ api: 'GetMP4MediaFragment' }, u.fragments));
      // A report covers the page's time since its last one, or less if the tile started meanwhile.
      const from = Math.max(now - spanMs, session?.leasedAt ?? now - spanMs);
      this.meter.spend(stream, points, now, now - from, u.sessionId);
      if (u.throttled > 0) this.queue.noteThrottle(stream, now);
      touched.set(streamKey(stream), stream);
    }
    for (const stream of touched.values()) this.queue.pump(stream);
  }

  async beforeSpending(stream: StreamRef, call: PricedCall): Promise<void> {
    const points = pointsOf(call);
    const deadline = this.deps.clock.now() + MAX_SPEND_WAIT_MS;
    for (;;) {
      const now = this.deps.clock.now();
      // KVS is throttling the stream: nothing of main's goes out until the stream's backoff ends.
      const pause = this.queue.pauseOf(stream, now);
      if (pause?.cause === 'throttled') {
        if (pause.until > deadline) {
          throw new AppFailure(
            appError('ClientLimitExceededException', `AWS is throttling this camera's stream, so KVS Wall did not ask for more now (${call.api}).`, { retryable: true, retryAt: pause.until }),
          );
        }
        await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, Math.max(1, pause.until - now)));
        continue;
      }
      const verdict = this.budgetOf(stream).admitSpend(stream, points, now);
      if (verdict.ok) break;
      if (verdict.until > deadline) {
        throw new AppFailure(
          appError('PointsShareSpent', `${verdict.words('')}, so KVS Wall did not ask for more now.`, { retryable: true, retryAt: verdict.until }),
        );
      }
      await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, Math.max(1, verdict.until - now)));
    }
    this.meter.spend(stream, points, this.deps.clock.now());
    this.emitBudget(stream);
  }

  noteThrottled(stream: StreamRef, retryAt?: number): void {
    if (this.disposed) return;
    this.queue.noteThrottle(stream, this.deps.clock.now(), retryAt);
    this.queue.pump(stream);
    this.emitBudget(stream);
  }

  onResume(): void {
    this.tiles.renewAll();
  }

  accountChanged(accountId: string): void {
    if (this.disposed) return;
    const retired = this.pool.retireAccount(accountId);
    this.logger.info('account changed: renewing its tiles under the new identity', { accountId, retired });
    this.tiles.renewAll((stream) => stream.accountId === accountId);
    this.poolWriter.schedule();
  }

  on<E extends SessionEventName>(event: E, listener: (payload: SessionEventMap[E]) => void): () => void {
    return this.hub.on(event, listener);
  }

  budget(stream: StreamRef): BudgetView {
    return this.budgetOf(stream).view(stream, this.deps.clock.now());
  }

  async flush(): Promise<void> {
    await Promise.all([this.ledgerWriter.flush(), this.poolWriter.flush()]);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.tiles.dispose();
    this.queue.dispose();
    await this.ledgerWriter.flush().catch((err: unknown) => this.logger.error('could not save the session ledger', { error: String(err) }));
    await this.poolWriter.flush().catch((err: unknown) => this.logger.error('could not save the session pool', { error: String(err) }));
    this.hub.clear();
  }

  // ── Helpers ───────────────────────────────────────────────────────────────

  private budgetOf(stream: StreamRef): QuotaBudget {
    return budgetFor(quotaOf(this.deps.config(), stream.accountId), this.facts);
  }

  private timingsOf(stream: StreamRef): SessionTimings {
    return resolveTimings(this.deps.config(), this.budgetOf(stream).spacingSlots);
  }

  counters(): PoolCounters {
    const now = this.deps.clock.now();
    const live = this.pool.live(now);
    const leased = live.filter((s) => s.lessee !== undefined);
    const free = live.filter((s) => s.lessee === undefined);
    const soonest = live.length > 0 ? Math.min(...live.map((s) => s.expiresAt)) : undefined;
    return {
      at: now,
      live: live.length,
      leased: leased.length,
      free: free.length,
      keptForLastTile: free.filter((s) => s.lastLessee !== undefined).length,
      streams: new Set(live.map((s) => `${s.stream.accountId}\u0000${s.stream.streamName}`)).size,
      accounts: new Set(live.map((s) => s.stream.accountId)).size,
      ...(soonest !== undefined ? { soonestExpirySeconds: Math.max(0, Math.round((soonest - now) / 1000)) } : {}),
    };
  }

  private poolSnapshot(): PoolSnapshot {
    const now = this.deps.clock.now();
    return {
      version: POOL_VERSION,
      sessions: this.pool.live(now).map((s) => ({
        sessionId: s.sessionId,
        url: s.url,
        stream: { ...s.stream },
        playback: s.playback,
        maxManifestFragmentResults: s.maxManifestFragmentResults,
        issuedAt: s.issuedAt,
        expiresAt: s.expiresAt,
        ...(s.lastLessee !== undefined ? { lastLessee: s.lastLessee } : {}),
      })),
    };
  }

  private emitBudget(stream: StreamRef): void {
    if (this.disposed) return;
    const view = this.budget(stream);
    const key = JSON.stringify(view);
    const id = streamKey(stream);
    if (this.lastBudget.get(id) === key) return;
    this.lastBudget.set(id, key);
    this.hub.emit('budget', { stream: { ...stream }, ...view });
  }
}
