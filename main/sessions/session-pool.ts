import type { Playback, StreamRef } from '../../shared/model';
import { streamKey } from './stream-key';
import { windowOfKey } from './tile-key';

/** One live KVS session main holds. Its URL is a bearer token: never logged, persisted only encrypted. */
export interface PooledSession {
  readonly sessionId: string;
  readonly url: string;
  readonly stream: StreamRef;
  readonly playback: Playback;
  /** What each manifest GET of this session costs in metadata points. */
  readonly maxManifestFragmentResults: number;
  /** When it was asked for (the grant's `issuedAt`). */
  readonly issuedAt: number;
  /** The earliest moment KVS may expire it. */
  readonly expiresAt: number;
  /** The tile playing it now, and since when. */
  lessee?: string;
  leasedAt?: number;
  /** The tile that played it last: it gets it back first when it asks again (a reload, a reconnect). */
  lastLessee?: string;
  /**
   * Freed by a tile that switched to another stream of its camera (a sub-stream and back) while its
   * player still shows this session's picture until the new one has frames: offered to that tile only,
   * until `until`.
   */
  heldFor?: { key: string; until: number };
  /** KVS refused it, or its account changed: never offered again (it still counts in the ledger). */
  retired: boolean;
}

export interface TakeOptions {
  stream: StreamRef;
  playback: Playback;
  /** The tile asking. */
  key: string;
  now: number;
  /** Remaining life a session must have to be offered to a tile that didn't play it last. */
  minLifeMs: number;
  /** …and to the tile that did (its renewal, if due, follows at once, as it would have anyway). */
  minOwnLifeMs: number;
  /** Renewals: only a session expiring later than this one. */
  fresherThan?: number;
}

/**
 * Whether a free session of `offered` playback can serve a tile asking for `wanted`:
 * - LIVE: any tile of the same stream.
 * - ON_DEMAND: exactly the same range and selector (its manifest is static).
 * - LIVE_REPLAY: only the tile that played it, with the same start: its manifest moves on with time,
 *   so another tile starting on it would not start at the time it asked for.
 */
export function reusableFor(offered: Playback, wanted: Playback, sameTile: boolean): boolean {
  switch (wanted.mode) {
    case 'LIVE':
      return offered.mode === 'LIVE';
    case 'ON_DEMAND':
      return offered.mode === 'ON_DEMAND' && offered.start === wanted.start && offered.end === wanted.end && offered.selector === wanted.selector;
    case 'LIVE_REPLAY':
      return sameTile && offered.mode === 'LIVE_REPLAY' && offered.start === wanted.start && offered.selector === wanted.selector;
  }
}

/**
 * The sessions main holds, each leased to at most one tile at a time (two players on one URL would
 * share its per-session rates). A session returns here when its tile goes and is offered to the
 * next tile that wants the same stream and playback while it has enough life left. Sessions leave
 * when they expire.
 */
export class SessionPool {
  private readonly sessions = new Map<string, PooledSession>();
  private readonly byStream = new Map<string, Set<PooledSession>>();

  add(session: Omit<PooledSession, 'retired' | 'lessee' | 'leasedAt'> & { lastLessee?: string }): PooledSession {
    const entry: PooledSession = { ...session, stream: { ...session.stream }, retired: false };
    this.sessions.set(entry.sessionId, entry);
    const key = streamKey(entry.stream);
    let set = this.byStream.get(key);
    if (!set) this.byStream.set(key, (set = new Set()));
    set.add(entry);
    return entry;
  }

  get(sessionId: string): PooledSession | undefined {
    return this.sessions.get(sessionId);
  }

  lease(sessionId: string, key: string, now: number): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    if (s.lessee !== key) s.leasedAt = now;
    s.lessee = key;
    s.lastLessee = key;
    s.heldFor = undefined;
  }

  /**
   * The tile let go: the session is free again (offered only while reusable and not retired). `hold`
   * keeps it for that tile alone a while (its picture is still on screen during a stream switch).
   */
  release(sessionId: string, hold?: { key: string; until: number }): void {
    const s = this.sessions.get(sessionId);
    if (s) {
      s.lessee = undefined;
      s.leasedAt = undefined;
      s.heldFor = hold ? { ...hold } : undefined;
    }
  }

  /** The tile is gone: sessions held for it are free for any tile now. */
  unhold(key: string): StreamRef[] {
    const streams: StreamRef[] = [];
    for (const s of this.sessions.values()) {
      if (s.heldFor?.key !== key) continue;
      s.heldFor = undefined;
      streams.push(s.stream);
    }
    return streams;
  }

  /** Never offer it again; whoever plays it now keeps it until replaced. */
  retire(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (s) s.retired = true;
  }

  /** Retires every session of the account (its identity changed or it was removed); returns how many. */
  retireAccount(accountId: string): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (s.stream.accountId === accountId && !s.retired) {
        s.retired = true;
        n++;
      }
    }
    return n;
  }

  /**
   * Leases the best free session for the tile, if any: the one this tile played last, then the
   * one with the most life left.
   */
  take(options: TakeOptions): PooledSession | undefined {
    let best: PooledSession | undefined;
    for (const s of this.byStream.get(streamKey(options.stream)) ?? []) {
      const mine = s.lastLessee === options.key;
      if (!this.offerable(s, options.now, mine ? options.minOwnLifeMs : options.minLifeMs, options.key) || !reusableFor(s.playback, options.playback, mine)) continue;
      if (options.fresherThan !== undefined && s.expiresAt <= options.fresherThan) continue;
      if (!best) {
        best = s;
        continue;
      }
      const bestMine = best.lastLessee === options.key;
      if (mine !== bestMine ? mine : s.expiresAt > best.expiresAt) best = s;
    }
    if (best) this.lease(best.sessionId, options.key, options.now);
    return best;
  }

  /** Free sessions of the stream that would be offered now (any playback). */
  freeCount(stream: StreamRef, now: number, minLifeMs: number): number {
    let n = 0;
    for (const s of this.byStream.get(streamKey(stream)) ?? []) if (this.offerable(s, now, minLifeMs)) n++;
    return n;
  }

  /** Sessions of the stream leased to tiles of one window. */
  leasedIn(stream: StreamRef, windowId: string): number {
    let n = 0;
    for (const s of this.byStream.get(streamKey(stream)) ?? []) if (s.lessee !== undefined && windowOfKey(s.lessee) === windowId) n++;
    return n;
  }

  /** The stream's sessions that tiles play now. */
  leasedOn(stream: StreamRef): PooledSession[] {
    return [...(this.byStream.get(streamKey(stream)) ?? [])].filter((s) => s.lessee !== undefined);
  }

  /** Sessions of the stream leased to any tile. */
  leasedCount(stream: StreamRef): number {
    let n = 0;
    for (const s of this.byStream.get(streamKey(stream)) ?? []) if (s.lessee !== undefined) n++;
    return n;
  }

  /**
   * Expiries a new session's should be spaced from: sessions tiles hold (other than `exceptKey`'s)
   * and free ones a tile may still take, since either will need renewing at its expiry.
   */
  heldExpiries(stream: StreamRef, exceptKey: string, now: number, minLifeMs: number): number[] {
    const out: number[] = [];
    for (const s of this.byStream.get(streamKey(stream)) ?? []) {
      if (s.lessee !== undefined ? s.lessee !== exceptKey : this.offerable(s, now, minLifeMs, s.heldFor?.key)) out.push(s.expiresAt);
    }
    return out;
  }

  /** The next moment a free session of the stream stops being offered (for a refresh of its budget). */
  nextChangeAt(stream: StreamRef, now: number, minLifeMs: number): number | undefined {
    let next: number | undefined;
    for (const s of this.byStream.get(streamKey(stream)) ?? []) {
      // A session held for a tile is offered to every tile when the hold ends.
      const heldUntil = s.heldFor && s.heldFor.until > now && this.offerable(s, now, minLifeMs, s.heldFor.key) ? s.heldFor.until : undefined;
      if (heldUntil !== undefined && (next === undefined || heldUntil < next)) next = heldUntil;
      if (!this.offerable(s, now, minLifeMs, s.heldFor?.key)) continue;
      // The first moment it is no longer offered.
      const at = s.expiresAt - minLifeMs + 1;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** Every session that can still be played, for persisting. */
  live(now: number): PooledSession[] {
    return [...this.sessions.values()].filter((s) => !s.retired && s.expiresAt > now);
  }

  /** Forgets expired sessions; returns the streams that changed. */
  prune(now: number): StreamRef[] {
    const changed: StreamRef[] = [];
    for (const [key, set] of this.byStream) {
      let dropped: StreamRef | undefined;
      for (const s of set) {
        if (s.expiresAt <= now) {
          set.delete(s);
          this.sessions.delete(s.sessionId);
          dropped = s.stream;
        }
      }
      if (dropped) changed.push(dropped);
      if (set.size === 0) this.byStream.delete(key);
    }
    return changed;
  }

  /** Free, usable, long enough lived, and not held for another tile than `key` (none given: held for no one). */
  private offerable(s: PooledSession, now: number, minLifeMs: number, key?: string): boolean {
    const heldForOther = s.heldFor !== undefined && s.heldFor.until > now && s.heldFor.key !== key;
    return s.lessee === undefined && !s.retired && s.expiresAt - now >= minLifeMs && !heldForOther;
  }
}
