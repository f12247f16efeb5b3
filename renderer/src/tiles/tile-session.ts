import type { WallApi } from '../../../shared/contract';
import { WallApiError, appError, type AppError } from '../../../shared/errors';
import type { Grant, Playback, StreamRef } from '../../../shared/model';
import { markTile } from '../player/marks';
import type { PlayerPhase } from '../player/tile-phase';
import { TilePlayer } from '../player/tile-player';
import { optional } from '../lib/optional';
import type { SessionView } from './session-view';

export interface TileSessionEvents {
  onSession(view: SessionView): void;
  onPhase(phase: PlayerPhase | null): void;
  onBudget(used: number, limit: number, nextFreeAt?: number): void;
}

/** Waiting tiles expect a 'renewed' event when a slot frees; if none came this long after, ask again. */
const WAIT_GRACE_MS = 5000;
const FALLBACK_RETRY_MS = 10_000;

let tileCounter = 0;

/** A tile id unique to this mount: a remounted tile never receives an old tile's session events. */
export function newTileId(): string {
  tileCounter += 1;
  return `t${Date.now().toString(36)}${tileCounter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * One tile's life with the session broker: acquire, wait for a slot, play, hand renewals to the
 * player, report refused sessions, release on teardown. The player is created lazily on the first
 * grant, so a waiting tile holds no decoder.
 */
export class TileSession {
  readonly tileId = newTileId();
  private player: TilePlayer | null = null;
  private readonly unsubscribe: Array<() => void> = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private muted: boolean;
  private visible = true;

  constructor(
    private readonly api: WallApi,
    private readonly host: HTMLElement,
    readonly stream: StreamRef,
    readonly playback: Playback,
    private readonly events: TileSessionEvents,
    options: { muted: boolean },
  ) {
    this.muted = options.muted;
    this.unsubscribe.push(
      api.on('session.renewed', (e) => {
        if (e.tileId === this.tileId) this.onGrant(e.grant);
      }),
      api.on('session.state', (e) => {
        if (e.tileId !== this.tileId || this.stopped) return;
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
      }),
      api.on('session.budget', (e) => {
        if (e.stream.accountId === stream.accountId && e.stream.streamName === stream.streamName) this.events.onBudget(e.used, e.limit, e.nextFreeAt);
      }),
    );
  }

  start(): void {
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

  get tilePlayer(): TilePlayer | null {
    return this.player;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const off of this.unsubscribe) off();
    const player = this.player;
    this.player = null;
    await player?.destroy();
    await this.api.call('session.release', { tileId: this.tileId }).catch(() => undefined);
  }

  private async acquire(): Promise<void> {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    if (!this.player) this.events.onSession({ kind: 'acquiring' });
    markTile('kvs-wall:acquire', this.tileId);
    let answer;
    try {
      answer = await this.api.call('session.acquire', { tileId: this.tileId, stream: this.stream, playback: this.playback });
    } catch (error) {
      if (this.stopped) return;
      const detail: AppError = error instanceof WallApiError ? error.detail : appError('Internal', error instanceof Error ? error.message : String(error), { retryable: true });
      const retryAt = detail.retryAt ?? Date.now() + FALLBACK_RETRY_MS;
      this.events.onSession({ kind: 'error', error: detail, retryAt });
      if (detail.retryable) this.retryAt(retryAt);
      return;
    }
    if (this.stopped) return;
    switch (answer.status) {
      case 'granted':
        this.onGrant(answer.grant);
        break;
      case 'waiting':
        this.events.onSession({ kind: 'waiting', until: answer.until, reason: answer.reason });
        this.retryAt(answer.until + WAIT_GRACE_MS);
        break;
      case 'error': {
        const retryAt = answer.error.retryAt;
        this.events.onSession({ kind: 'error', error: answer.error, ...optional('retryAt', retryAt) });
        if (answer.error.retryable) this.retryAt(retryAt ?? Date.now() + FALLBACK_RETRY_MS);
        break;
      }
    }
  }

  private retryAt(at: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.acquire(), Math.max(0, at - Date.now()));
  }

  private onGrant(grant: Grant): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.events.onSession({ kind: 'granted', sessionId: grant.sessionId, expiresAt: grant.expiresAt });
    if (!this.player) {
      this.player = new TilePlayer(this.host, {
        onPhase: (phase) => this.events.onPhase(phase),
        onSessionRefused: (sessionId, httpStatus) => {
          void this.api.call('session.reportFailure', { tileId: this.tileId, sessionId, httpStatus }).catch(() => undefined);
        },
      }, { muted: this.muted, tileId: this.tileId });
      this.player.setVisible(this.visible);
      this.events.onPhase(this.player.currentPhase());
    }
    this.player.play(grant);
  }
}
