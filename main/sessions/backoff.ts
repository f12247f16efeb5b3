/** Spreads a delay over ±`spread` of itself so many clients (or tiles) don't retry in step. */
export function jitter(ms: number, random: () => number, spread = 0.2): number {
  return Math.round(ms * (1 - spread + 2 * spread * random()));
}

/** base, 2×base, 4×base … up to cap, for the n-th consecutive failure (n ≥ 1), with jitter. */
export function exponentialDelay(n: number, baseMs: number, capMs: number, random: () => number): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, n - 1));
  return Math.min(capMs, jitter(raw, random));
}

/** Uniform in [minMs, maxMs]. */
export function between(minMs: number, maxMs: number, random: () => number): number {
  return Math.round(minMs + (maxMs - minMs) * random());
}
