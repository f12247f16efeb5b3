/**
 * How long after capture KVS "receives" each fragment: a fixed base plus a jitter that looks random but
 * is a pure function of the fragment index, so every session and every restart sees the same server
 * timestamps for the same fragment.
 */
import { seedHash } from './fragment-numbers';

function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

export type IngestDelayOf = (index: number) => number;

/** Delays in [baseMs, baseMs + jitterMs], whole milliseconds. */
export function ingestDelays(seed: string, baseMs: number, jitterMs: number): IngestDelayOf {
  const salt = seedHash(seed, 0x1d);
  const span = Math.floor(jitterMs) + 1;
  return (index) => {
    const high = Math.floor(index / 2 ** 32);
    const noise = mix32(mix32(index ^ salt) ^ high);
    return baseMs + (noise % span);
  };
}
