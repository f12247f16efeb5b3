import type { Playback, StreamRef } from '../../shared/model';
import { LEDGER_VERSION, type LedgerEntry, type LedgerSnapshot } from './ledger-snapshot';
import { streamKey } from './stream-key';

/** KVS and this machine time the session from slightly different moments; count a little longer to be safe. */
export const COUNT_MARGIN_MS = 2_000;
/**
 * How long after the reservation a call whose outcome we never learned may have created a session.
 * The issuer's own request timeout must be shorter than this (see main/kvs/client-config.ts).
 */
export const UNKNOWN_OUTCOME_GRACE_MS = 60_000;

interface StreamEntries {
  readonly stream: StreamRef;
  readonly entries: Map<string, LedgerEntry>;
}

export interface Reservation {
  sessionId: string;
  playback: Playback;
  reservedAt: number;
  expiresSeconds: number;
}

/**
 * Every session this app may have open at KVS, per stream: leased to a tile, free in the pool,
 * expiring unused, being created, or created by a call whose answer never came. A slot is reserved
 * here before the call to KVS, so the count is never lower than what KVS holds. Who uses a session
 * is the pool's business; the ledger only counts.
 */
export class SessionLedger {
  private readonly streams = new Map<string, StreamEntries>();
  private readonly keyOfSession = new Map<string, string>();

  /** Sessions from a previous run still count until they expire, except the accounts named void. */
  restore(snapshot: LedgerSnapshot, now: number, isVoid: (stream: StreamRef) => boolean = () => false): number {
    let dropped = 0;
    for (const { stream, sessions } of snapshot.streams) {
      for (const entry of sessions) {
        if (entry.countsUntil > now && !isVoid(stream)) this.put(stream, { ...entry });
        else dropped++;
      }
    }
    return dropped;
  }

  snapshot(): LedgerSnapshot {
    const streams: LedgerSnapshot['streams'] = [];
    for (const { stream, entries } of this.streams.values()) {
      if (entries.size > 0) streams.push({ stream, sessions: [...entries.values()].map((e) => ({ ...e })) });
    }
    return { version: LEDGER_VERSION, streams };
  }

  reserve(stream: StreamRef, r: Reservation): LedgerEntry {
    const entry: LedgerEntry = {
      sessionId: r.sessionId,
      playbackMode: r.playback.mode,
      reservedAt: r.reservedAt,
      expiresSeconds: r.expiresSeconds,
      expiresAt: r.reservedAt + r.expiresSeconds * 1000,
      countsUntil: r.reservedAt + r.expiresSeconds * 1000 + UNKNOWN_OUTCOME_GRACE_MS,
    };
    this.put(stream, entry);
    return entry;
  }

  /** KVS answered: the session started somewhere between the reservation and now. */
  confirm(sessionId: string, answeredAt: number): LedgerEntry | undefined {
    const entry = this.get(sessionId);
    if (!entry) return undefined;
    entry.issuedAt = answeredAt;
    entry.countsUntil = answeredAt + entry.expiresSeconds * 1000 + COUNT_MARGIN_MS;
    return entry;
  }

  /**
   * The call failed in a way that may have created a session (its answer was lost, timed out or a
   * 5xx). It counts until the later of the reservation's worst case and the failure itself: a
   * session KVS made for this request was made before we saw the request fail.
   */
  markUnknown(sessionId: string, failedAt: number): void {
    const entry = this.get(sessionId);
    if (!entry) return;
    entry.countsUntil = Math.max(entry.countsUntil, failedAt + entry.expiresSeconds * 1000 + COUNT_MARGIN_MS);
  }

  /** The call failed in a way that created no session: give the slot back. */
  forget(sessionId: string): void {
    const key = this.keyOfSession.get(sessionId);
    if (key === undefined) return;
    this.streams.get(key)?.entries.delete(sessionId);
    this.keyOfSession.delete(sessionId);
  }

  get(sessionId: string): LedgerEntry | undefined {
    const key = this.keyOfSession.get(sessionId);
    return key === undefined ? undefined : this.streams.get(key)?.entries.get(sessionId);
  }

  /** Whether the session still counts (KVS may still hold it). */
  counts(sessionId: string, now: number): boolean {
    const entry = this.get(sessionId);
    return entry !== undefined && entry.countsUntil > now;
  }

  liveCount(stream: StreamRef, now: number): number {
    let n = 0;
    for (const e of this.entriesOf(stream)) if (e.countsUntil > now) n++;
    return n;
  }

  /** When the earliest counted session stops counting, if any counts. */
  nextFreeAt(stream: StreamRef, now: number): number | undefined {
    let next: number | undefined;
    for (const e of this.entriesOf(stream)) {
      if (e.countsUntil > now && (next === undefined || e.countsUntil < next)) next = e.countsUntil;
    }
    return next;
  }

  /** Drops what no longer counts; returns the streams that changed. */
  prune(now: number): StreamRef[] {
    const changed: StreamRef[] = [];
    for (const [key, { stream, entries }] of this.streams) {
      let dropped = false;
      for (const [id, e] of entries) {
        if (e.countsUntil <= now) {
          entries.delete(id);
          this.keyOfSession.delete(id);
          dropped = true;
        }
      }
      if (dropped) changed.push(stream);
      if (entries.size === 0) this.streams.delete(key);
    }
    return changed;
  }

  private entriesOf(stream: StreamRef): Iterable<LedgerEntry> {
    return this.streams.get(streamKey(stream))?.entries.values() ?? [];
  }

  private put(stream: StreamRef, entry: LedgerEntry): void {
    const key = streamKey(stream);
    let bucket = this.streams.get(key);
    if (!bucket) {
      bucket = { stream: { ...stream }, entries: new Map() };
      this.streams.set(key, bucket);
    }
    bucket.entries.set(entry.sessionId, entry);
    this.keyOfSession.set(entry.sessionId, key);
  }
}
