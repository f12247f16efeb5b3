import type { SessionConfig } from './types';

export const MAX_EXPIRES_SECONDS = 43_200;
/** A call's latency plus the ledger's count margin, rounded up: how long an old session outlives its renewal. */
const RENEWAL_SETTLE_MS = 5_000;
/** Time for a player to load a session and for its replacement to arrive. */
const OWN_SESSION_MIN_LIFE_MS = 30_000;

export interface SessionTimings {
  expiresSeconds: number;
  /** Renew this long before the session's earliest expiry… */
  leadMs: number;
  /** …plus up to this much earlier, at random, so tiles don't renew in step. */
  jitterMs: number;
  /**
   * How far apart the expiries of sessions on one stream should be so their renewals don't overlap:
   * a renewal holds a second slot from its start until the old session stops counting.
   */
  spacingMs: number;
  /** How much longer than `expiresSeconds` a session may be asked for, to reach that spacing. */
  maxStretchSeconds: number;
  /**
   * How much shorter it may be asked for when the 43200 s cap leaves too little room to stretch:
   * spreading expiries matters more than the last hours of a very long session.
   */
  maxShrinkSeconds: number;
  /**
   * A pooled session is offered to a tile only while it has at least this much life left: the
   * renewal lead and jitter plus a margin, so a tile never takes a session it must renew at once.
   */
  minReusableLifeMs: number;
  /**
   * A tile gets back the session it played last (a reload, a reconnect, a restart) while it has at
   * least this long to live: less than its renewal lead is fine — the renewal then follows at once,
   * as it would have without the reload — but not a session about to die under a player just loaded.
   */
  minOwnLifeMs: number;
}

/**
 * Lead: a minute, or 10% of long sessions (more room to retry a failing renewal), but never more than
 * a third of the session so short test sessions still live mostly unrenewed.
 */
export function defaultLeadSeconds(expiresSeconds: number): number {
  return Math.min(Math.max(60, expiresSeconds * 0.1), expiresSeconds / 3);
}

/** `slots`: how many sessions one stream may hold at once (the spacing spreads that many expiries). */
export function resolveTimings(config: Pick<SessionConfig, 'expiresSeconds' | 'renewLeadSeconds' | 'renewJitterSeconds'>, slots: number): SessionTimings {
  const expiresSeconds = Math.min(MAX_EXPIRES_SECONDS, Math.max(1, Math.round(config.expiresSeconds)));
  const leadMs = Math.round((config.renewLeadSeconds ?? defaultLeadSeconds(expiresSeconds)) * 1000);
  const jitterMs = Math.round((config.renewJitterSeconds ?? Math.min(10, leadMs / 6000)) * 1000);
  const spacingMs = leadMs + jitterMs + RENEWAL_SETTLE_MS;
  const wanted = Math.max(expiresSeconds, Math.ceil(((slots - 1) * spacingMs) / 1000));
  const maxStretchSeconds = Math.max(0, Math.min(MAX_EXPIRES_SECONDS - expiresSeconds, wanted));
  // Never below half the configured Expires, so a capped session is still a long one.
  const maxShrinkSeconds = Math.max(0, Math.min(wanted - maxStretchSeconds, Math.floor(expiresSeconds / 2)));
  // Half a lead more than the renewal needs: the tile plays a while on a pooled session before renewing it.
  const minReusableLifeMs = leadMs + jitterMs + Math.max(RENEWAL_SETTLE_MS, Math.round(leadMs / 2));
  const minOwnLifeMs = Math.min(minReusableLifeMs, OWN_SESSION_MIN_LIFE_MS);
  return { expiresSeconds, leadMs, jitterMs, spacingMs, maxStretchSeconds, maxShrinkSeconds, minReusableLifeMs, minOwnLifeMs };
}
