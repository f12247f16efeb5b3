import { randomUUID } from 'node:crypto';
import { tokenRefused } from '../errors';
import type { DashSession, RevokedSession, SessionSpec } from './dash-session';
import { SequenceNumbers } from './sequence-numbers';
import { looksLikeSessionToken, newSessionToken } from './session-token';

export interface SessionSummary {
  id: string;
  streamName: string;
  mode: DashSession['mode'];
  createdMs: number;
  expiresMs: number;
}

const REVOKE_MESSAGES: Record<RevokedSession['reason'], string> = {
  evicted: 'The session was revoked: a newer session on this stream exceeded the limit of active sessions.',
  revoked: 'The session was revoked.',
  'stream-deleted': 'The session was revoked: its stream was deleted.',
};

/**
 * Active DASH sessions by token, with the `sessions` quota model's per-stream cap (undefined: no cap,
 * as in the `points` model): opening one more than the limit silently revokes the oldest. Expired and revoked sessions are forgotten once past their expiry, so memory
 * follows the number of live sessions, not the number ever created.
 */
export class SessionStore {
  private readonly active = new Map<string, DashSession>();
  private readonly revoked = new Map<string, RevokedSession>();
  private revokedTotal = 0;

  constructor(private readonly limitPerStream: number | undefined) {}

  create(spec: SessionSpec, nowMs: number): DashSession {
    this.prune(nowMs);
    if (this.limitPerStream !== undefined) {
      const sameStream = this.activeOf(spec.streamName, nowMs).sort((a, b) => a.createdMs - b.createdMs);
      for (let i = 0; i <= sameStream.length - this.limitPerStream; i++) {
        const oldest = sameStream[i];
        if (oldest) this.revokeToken(oldest.token, 'evicted');
      }
    }
    const session: DashSession = {
      ...spec,
      id: randomUUID(),
      token: newSessionToken(),
      createdMs: nowMs,
      expiresMs: nowMs + spec.expiresSeconds * 1000,
      numbers: new SequenceNumbers(),
      codecGeneration: undefined,
    };
    this.active.set(session.token, session);
    return session;
  }

  /** The live session behind a token, or a NotAuthorizedException saying why not. */
  authorise(token: string | null, nowMs: number): DashSession {
    if (!token) throw tokenRefused('SessionToken is required.');
    if (!looksLikeSessionToken(token)) throw tokenRefused('The SessionToken is not valid.');
    const session = this.active.get(token);
    if (session) {
      if (session.expiresMs > nowMs) return session;
      throw tokenRefused('The session has expired.');
    }
    const gone = this.revoked.get(token);
    if (gone) throw tokenRefused(REVOKE_MESSAGES[gone.reason]);
    throw tokenRefused('The SessionToken is not valid or has expired.');
  }

  activeOf(streamName: string, nowMs: number): DashSession[] {
    return [...this.active.values()].filter((s) => s.streamName === streamName && s.expiresMs > nowMs);
  }

  activeCounts(nowMs: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.active.values()) if (s.expiresMs > nowMs) counts[s.streamName] = (counts[s.streamName] ?? 0) + 1;
    return counts;
  }

  summaries(nowMs: number): SessionSummary[] {
    return [...this.active.values()]
      .filter((s) => s.expiresMs > nowMs)
      .map(({ id, streamName, mode, createdMs, expiresMs }) => ({ id, streamName, mode, createdMs, expiresMs }));
  }

  /** Revokes by token or by session id; returns whether a session was found. */
  revoke(tokenOrId: string): boolean {
    if (this.active.has(tokenOrId)) {
      this.revokeToken(tokenOrId, 'revoked');
      return true;
    }
    for (const s of this.active.values()) {
      if (s.id === tokenOrId) {
        this.revokeToken(s.token, 'revoked');
        return true;
      }
    }
    return false;
  }

  revokeStream(streamName: string, reason: RevokedSession['reason'] = 'stream-deleted'): number {
    const tokens = [...this.active.values()].filter((s) => s.streamName === streamName).map((s) => s.token);
    for (const t of tokens) this.revokeToken(t, reason);
    return tokens.length;
  }

  get revokedCount(): number {
    return this.revokedTotal;
  }

  /** Sessions held in memory (active or remembered as revoked). */
  get size(): number {
    return this.active.size + this.revoked.size;
  }

  prune(nowMs: number): void {
    for (const [token, s] of this.active) if (s.expiresMs <= nowMs) this.active.delete(token);
    for (const [token, r] of this.revoked) if (r.expiresMs <= nowMs) this.revoked.delete(token);
  }

  private revokeToken(token: string, reason: RevokedSession['reason']): void {
    const s = this.active.get(token);
    if (!s) return;
    this.active.delete(token);
    this.revoked.set(token, { id: s.id, streamName: s.streamName, expiresMs: s.expiresMs, reason });
    this.revokedTotal++;
  }
}
