import type { EventPayload, WallApi } from '../../../shared/contract';
import { WallApiError, appError, type AppError } from '../../../shared/errors';
import type { Grant, Playback, StreamRef, TileId, TileUsage } from '../../../shared/model';
import { optional } from '../lib/optional';
import { markTile } from '../player/marks';
import type { PlayerPhase } from '../player/tile-phase';
import type { TilePlayerEvents } from '../player/tile-player';
import type { SessionUsage } from '../player/usage-meter';
import type { SessionView } from './session-view';

export type BudgetEvent = EventPayload<'session.budget'>;

export interface TileSessionEvents {
  onSession(view: SessionView): void;
  onPhase(phase: PlayerPhase | null): void;
  onBudget(budget: BudgetEvent): void;
  /**
   * A switch to another stream of the camera (`switchStream`) got no session (the stream is missing,
   * refused, or waits for quota): the tile went back to the stream it played, and says why.
   */
  onSwitchFailed?(stream: StreamRef, error: AppError): void;
}

/** What a tile session needs of its player (the real one is `TilePlayer`). */
export interface TilePlayerLike {
  /**
   * A session to play; the one it already plays changes nothing. `stream` names the session's stream:
   * a session of another stream than the picture's has its own media timeline.
   */
  play(grant: Grant, stream?: string): void;
  setMuted(muted: boolean): void;
  setVisible(visible: boolean): void;
  currentPhase(): PlayerPhase;
  /** Counts of what it fetched since the last call, per session. */
  takeUsage(): SessionUsage[];
  /** Sends no further request (synchronously): its session is about to go to another tile. */
  stopNetwork(): void;
  destroy(): Promise<void>;
}

export type PlayerFactory<P extends TilePlayerLike> = (events: TilePlayerEvents, options: { muted: boolean; tileId: string }) => P;

/** The page's hold on its tiles, as a tile sees it (the real one is `PageLease`). */
export interface TileLease {
  whenAttached(): Promise<number>;
  onAttached(listener: (generation: number) => void): () => void;
  notAttached(): void;
  addUsageSource(source: () => TileUsage[]): () => void;
  keepUsage(usage: readonly TileUsage[]): void;
}

/** Waiting tiles expect a 'renewed' event when a slot frees; if none came this long after, ask again. */
const WAIT_GRACE_MS = 5000;
const FALLBACK_RETRY_MS = 10_000;
/** Main answers this (retryable) to a page that is not attached (any more). */
export const PAGE_NOT_ATTACHED = 'PageNotAttached';

function errorOf(error: unknown): AppError {
  return error instanceof WallApiError ? error.detail : appError('Internal', error instanceof Error ? error.message : String(error), { retryable: true });
}

/**
 * One tile's life with main's session pool: acquire once the page is attached, wait, play, hand
 * renewals to the player, report refused or throttled sessions, release on teardown, and ask again
 * whenever the page attaches again. The tile is known to main by its place (`<wallId>:<cell>`), so
 * a reloaded page or a reconnected socket gets the tile's own session back. The player is created
 * lazily on the first grant, so a waiting tile holds no decoder.
 */
export class TileSession<P extends TilePlayerLike = TilePlayerLike> {
  private player: P | null = null;
  private readonly unsubscribe: Array<() => void> = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private started = false;
  private muted: boolean;
  private visible = true;
  /** The attachment under which the latest acquire was sent. */
  private generation = 0;
  /** Only the latest acquire's answer counts. */
  private acquireSeq = 0;
  private destroyed: Promise<void> = Promise.resolve();
  /** The stream it played before a switch to another stream of the camera, until the switch's grant arrives. */
  private switchedFrom: StreamRef | null = null;
  private current: StreamRef;

  constructor(
    private readonly api: WallApi,
    private readonly lease: TileLease,
    readonly tileId: TileId,
    stream: StreamRef,
    readonly playback: Playback,
    private readonly events: TileSessionEvents,
    private readonly createPlayer: PlayerFactory<P>,
    options: { muted: boolean },
  ) {
    this.muted = options.muted;
    this.current = { ...stream };
  }

  /** The stream the tile asks sessions for: its camera's, or the camera's sub-stream. */
  get stream(): StreamRef {
    return this.current;
  }

  /**
   * Plays another stream of the same camera (its sub-stream, or back to its main stream): main gives
   * the tile a session of that stream (a pooled one when it has one), and the player swaps to it
   * make-before-break, the old picture staying until the new one shows frames. If that stream gets no
   * session, the tile goes back to the one it played (`onSwitchFailed`).
   */
  switchStream(stream: StreamRef): void {
    if (sameRef(stream, this.current) || this.stopped) return;
    // The stream to fall back on is the one the picture shows: a switch back to it before the first
    // switch's grant arrived leaves nothing to undo.
    if (this.switchedFrom) {
      if (sameRef(this.switchedFrom, stream)) this.switchedFrom = null;
    } else if (this.player) {
      this.switchedFrom = { ...this.current };
    }
    this.current = { ...stream };
    if (this.started) void this.acquire();
  }

  /** Subscribes and asks for a session once the page is attached. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const { api } = this;
    this.unsubscribe.push(
      api.on('session.renewed', (e) => {
        if (e.tileId === this.tileId) this.onGrant(e.grant);
      }),
      api.on('session.state', (e) => {
        if (e.tileId === this.tileId && !this.stopped) this.onState(e);
      }),
      api.on('session.budget', (e) => {
        if (sameRef(e.stream, this.current)) this.events.onBudget(e);
      }),
      this.lease.onAttached((generation) => {
        // Main may have let go of the tile with the page: ask again (its own session comes back).
        if (generation > this.generation) void this.acquire();
      }),
      this.lease.addUsageSource(() => this.takeUsage()),
    );
    void this.acquire();
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.player?.setMuted(muted);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    this.player?.setVisible(visible);
  }

  get tilePlayer(): P | null {
    return this.player;
  }

  /**
   * Gives the tile's session back at once: the player stops fetching, the release is sent in this
   * same turn (before any acquire a following UI update makes, so a swap or a grid change finds the
   * session in the pool), and the player is torn down after. Resolves when the teardown is done.
   */
  stop(): Promise<void> {
    if (this.stopped) return this.destroyed;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const player = this.player;
    this.player = null;
    player?.stopNetwork();
    const usage = this.takeUsage(player);
    for (const off of this.unsubscribe.splice(0)) off();
    if (usage.length > 0) this.lease.keepUsage(usage);
    if (this.started) {
      markTile('kvs-wall:release', this.tileId);
      void this.api.call('session.release', { tileId: this.tileId }).catch(() => undefined);
    }
    this.destroyed = player ? player.destroy() : Promise.resolve();
    return this.destroyed;
  }

  private takeUsage(player: TilePlayerLike | null = this.player): TileUsage[] {
    return (player?.takeUsage() ?? []).map((u) => ({ tileId: this.tileId, ...u }));
  }

  private async acquire(): Promise<void> {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    const seq = ++this.acquireSeq;
    if (!this.player) this.events.onSession({ kind: 'acquiring' });
    // Never before the page is attached; and at least one turn later, so that releases from the same
    // UI update (the other tile of a swap, the cells a grid change removes) reach main first.
    const generation = await this.lease.whenAttached();
    if (this.stopped || seq !== this.acquireSeq) return;
    this.generation = generation;
    markTile('kvs-wall:acquire', this.tileId);
    let answer;
    try {
      // While a switch is pending the player still shows the old stream's picture: main keeps its session for this tile.
      const handover = this.switchedFrom !== null ? { handover: true } : {};
      answer = await this.api.call('session.acquire', { tileId: this.tileId, stream: this.current, playback: this.playback, ...handover });
    } catch (error) {
      if (this.stopped || seq !== this.acquireSeq) return;
      const detail = errorOf(error);
      if (detail.code !== 'NetworkError' && detail.code !== PAGE_NOT_ATTACHED && this.switchBack(detail)) return;
      this.onAcquireError(detail, true);
      return;
    }
    if (this.stopped || seq !== this.acquireSeq) return;
    if (answer.status !== 'granted' && this.switchBack(answer.status === 'error' ? answer.error : appError('ClientLimitExceededException', answer.reason, { retryable: true, retryAt: answer.until }))) return;
    switch (answer.status) {
      case 'granted':
        this.onGrant(answer.grant);
        break;
      case 'waiting':
        // Main holds no session for this tile: a player still running here would share one with another tile.
        this.dropPlayer();
        this.events.onSession({ kind: 'waiting', until: answer.until, reason: answer.reason });
        this.retryAt(answer.until + WAIT_GRACE_MS);
        break;
      case 'error':
        this.onAcquireError(answer.error, false);
        break;
    }
  }

  /**
   * The stream switched to got no session while the old picture still plays: back to the stream it
   * played (its session is in main's pool for this tile), so a sub-stream's trouble never blanks a tile.
   */
  private switchBack(error: AppError): boolean {
    const from = this.switchedFrom;
    if (!from || !this.player) return false;
    const failed = this.current;
    this.switchedFrom = null;
    this.current = from;
    this.events.onSwitchFailed?.(failed, error);
    void this.acquire();
    return true;
  }

  private onAcquireError(error: AppError, thrown: boolean): void {
    if (error.code === PAGE_NOT_ATTACHED) {
      // The page attaches again and every tile then asks again (lease.onAttached).
      this.lease.notAttached();
      return;
    }
    const transport = thrown && error.code === 'NetworkError';
    // A lost connection says nothing about the tile's session: keep the picture until main answers.
    // Any other answer means main holds no session for this tile.
    if (!transport) this.dropPlayer();
    if (!this.player) {
      const retryAt = error.retryAt ?? (error.retryable ? Date.now() + FALLBACK_RETRY_MS : undefined);
      this.events.onSession({ kind: 'error', error, ...optional('retryAt', retryAt) });
    }
    // After a dropped connection the page attaches again and the tile asks then; this is the fallback.
    if (error.retryable) this.retryAt(error.retryAt ?? Date.now() + FALLBACK_RETRY_MS);
  }

  private dropPlayer(): void {
    const player = this.player;
    if (!player) return;
    this.player = null;
    player.stopNetwork();
    const usage = this.takeUsage(player);
    if (usage.length > 0) this.lease.keepUsage(usage);
    void player.destroy();
    this.events.onPhase(null);
  }

  private onState(e: EventPayload<'session.state'>): void {
    switch (e.state) {
      case 'waiting':
        this.events.onSession({ kind: 'waiting', ...optional('until', e.until), ...optional('reason', e.detail) });
        break;
      case 'backoff':
        this.events.onSession({ kind: 'backoff', ...optional('until', e.until), ...optional('detail', e.detail) });
        break;
      case 'error':
        this.events.onSession({ kind: 'error', error: e.error ?? appError('Internal', e.detail ?? 'The session failed'), ...optional('retryAt', e.until) });
        break;
      case 'renewing':
        this.events.onSession({ kind: 'renewing', ...optional('detail', e.detail) });
        break;
      case 'acquiring':
        if (!this.player) this.events.onSession({ kind: 'acquiring' });
        break;
      default:
        break;
    }
  }

  private retryAt(at: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.acquire(), Math.max(0, at - Date.now()));
  }

  /** A failure report main did not take (it doesn't know this tile or session any more) is never ignored: ask again. */
  private report(sessionId: string, httpStatus: number, errorType?: string): void {
    const request = { tileId: this.tileId, sessionId, httpStatus, ...optional('errorType', errorType) };
    void this.api.call('session.reportFailure', request).then(
      (answer) => {
        if (!answer.accepted && !this.stopped) void this.acquire();
      },
      (error: unknown) => {
        // Lost on the way: the page attaches again after a reconnect and the tile asks again then.
        if (!this.stopped && errorOf(error).code !== 'NetworkError') void this.acquire();
      },
    );
  }

  private onGrant(grant: Grant): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.switchedFrom = null;
    this.events.onSession({ kind: 'granted', sessionId: grant.sessionId, expiresAt: grant.expiresAt });
    if (!this.player) {
      this.player = this.createPlayer(
        {
          onPhase: (phase) => this.events.onPhase(phase),
          onSessionRefused: (sessionId, httpStatus) => this.report(sessionId, httpStatus),
          onThrottled: (sessionId, httpStatus, errorType) => this.report(sessionId, httpStatus, errorType),
        },
        { muted: this.muted, tileId: this.tileId },
      );
      this.player.setVisible(this.visible);
      this.events.onPhase(this.player.currentPhase());
    }
    this.player.play(grant, streamKey(this.current));
  }
}

function sameRef(a: StreamRef, b: StreamRef): boolean {
  return a.accountId === b.accountId && a.streamName === b.streamName;
}

function streamKey(ref: StreamRef): string {
  return `${ref.accountId}/${ref.streamName}`;
}
