import type { Playback, StreamRef } from '../../shared/model';
import { LEDGER_VERSION, type LedgerEntry, type LedgerSnapshot } from './ledger-snapshot';
import { streamKey } from './stream-key';

/** KVS and this machine time the session from slightly different moments; count a little longer to be safe. */
export const COUNT_MARGIN_MS = 2_000;
/**
 * How long after the reservation a call whose outcome we never learned may have created a session.
 * The issuer's own timeout must be shorter than this.
 */
export const UNKNOWN_OUTCOME_GRACE_MS = 60_000;

interface StreamEntries {
  readonly stream: StreamRef;
  readonly entries: Map<string, LedgerEntry>;
}

export interface Reservation {
  sessionId: string;
  tileId: string;
  playback: Playback;
  reservedAt: number;
  expiresSeconds: number;
}

/**
 * Every session this app may have open, per stream, including released ones and calls in flight.
 * A slot is reserved here before the call to KVS, so the count is never lower than what KVS holds.
 */
export class SessionLedger {
  private readonly streams = new Map<string, StreamEntries>();
  private readonly keyOfSession = new Map<string, string>();

  /** Sessions from a previous run belong to no tile now, yet still count until they expire. */
  restore(snapshot: LedgerSnapshot, now: number): void {
    for (const { stream, sessions } of snapshot.streams) {
      for (const entry of sessions) {
        if (entry.countsUntil > now) this.put(stream, { ...entry, released: true });
      }
    }
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
      tileId: r.tileId,
      playbackMode: r.playback.mode,
      reservedAt: r.reservedAt,
      expiresSeconds: r.expiresSeconds,
      expiresAt: r.reservedAt + r.expiresSeconds * 1000,
      countsUntil: r.reservedAt + r.expiresSeconds * 1000 + UNKNOWN_OUTCOME_GRACE_MS,
      released: false,
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

  /** The call failed in a way that created no session: give the slot back. */
  forget(sessionId: string): void {
    const key = this.keyOfSession.get(sessionId);
    if (key === undefined) return;
    this.streams.get(key)?.entries.delete(sessionId);
    this.keyOfSession.delete(sessionId);
  }

  markReleased(sessionId: string): void {
    const entry = this.get(sessionId);
    if (entry) entry.released = true;
  }

  get(sessionId: string): LedgerEntry | undefined {
    const key = this.keyOfSession.get(sessionId);
    return key === undefined ? undefined : this.streams.get(key)?.entries.get(sessionId);
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

  /** Expiry times of sessions tiles still hold (or are being created), other than `exceptTileId`'s. */
  heldExpiries(stream: StreamRef, now: number, exceptTileId: string): number[] {
    const out: number[] = [];
    for (const e of this.entriesOf(stream)) {
      if (!e.released && e.tileId !== exceptTileId && e.countsUntil > now) out.push(e.expiresAt);
    }
    return out;
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
