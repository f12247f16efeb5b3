export interface SpacingInput {
  issueAt: number;
  baseSeconds: number;
  maxStretchSeconds: number;
  /** How much shorter than the base the session may be (only when the cap limits stretching). */
  maxShrinkSeconds?: number;
  spacingMs: number;
  /** Expiries of the other sessions tiles hold on the same stream. */
  otherExpiries: readonly number[];
}

/**
 * Picks the Expires for a new session so its expiry lands at least `spacingMs` from every other held
 * session on the stream. Renewals then come one after another and a single spare slot serves them all;
 * clustered expiries would need a spare slot per tile at the same moment. The shortest Expires that
 * achieves the spacing wins (or, when shrinking is allowed, the one closest to the base); if none
 * does, the one farthest from its neighbours.
 */
export function chooseExpiresSeconds(input: SpacingInput): number {
  const { issueAt, baseSeconds, maxStretchSeconds, spacingMs, otherExpiries } = input;
  const maxShrinkSeconds = input.maxShrinkSeconds ?? 0;
  if (otherExpiries.length === 0 || maxStretchSeconds + maxShrinkSeconds <= 0) return baseSeconds;

  const minSeconds = baseSeconds - maxShrinkSeconds;
  const maxSeconds = baseSeconds + maxStretchSeconds;
  const candidates = new Set<number>([baseSeconds, minSeconds, maxSeconds]);
  const within = (s: number) => s > minSeconds && s < maxSeconds;
  // The valid expiry closest to the base is either the base or just clear of some neighbour.
  for (const other of otherExpiries) {
    const above = Math.ceil((other + spacingMs - issueAt) / 1000);
    const below = Math.floor((other - spacingMs - issueAt) / 1000);
    if (within(above)) candidates.add(above);
    if (within(below)) candidates.add(below);
  }
  // When nothing is clear, the middle of the widest hole is the best compromise.
  const sorted = [...otherExpiries].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    const s = Math.round(((sorted[i - 1]! + sorted[i]!) / 2 - issueAt) / 1000);
    if (within(s)) candidates.add(s);
  }

  const gapAt = (s: number) => Math.min(...otherExpiries.map((o) => Math.abs(issueAt + s * 1000 - o)));
  const ordered = [...candidates].sort((a, b) => Math.abs(a - baseSeconds) - Math.abs(b - baseSeconds) || a - b);
  const clear = ordered.find((s) => gapAt(s) >= spacingMs);
  if (clear !== undefined) return clear;

  let best = baseSeconds;
  for (const s of ordered) if (gapAt(s) > gapAt(best)) best = s;
  return best;
}
