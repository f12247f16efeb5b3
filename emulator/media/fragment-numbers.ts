/**
 * KVS-looking fragment numbers: 47 decimal digits, like the service's. A stream-specific 27-digit
 * prefix and a 20-digit counter that starts at a seeded 64-bit offset (so it doesn't read as a run of
 * zeros) and adds the fragment index. Numbers of one stream all have the same length, so they compare
 * correctly both as strings and as big integers, and strictly increase with the index.
 */
const PREFIX_DIGITS = 27;
const COUNTER_DIGITS = 20;

/** FNV-1a over the seed's UTF-16 units, salted so several independent 32-bit hashes can be drawn. */
export function seedHash(seed: string, salt = 0): number {
  let hash = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function streamPrefix(seed: string): string {
  // Real numbers observed start with 91…; the rest is the seed's fingerprint.
  let digits = '91';
  for (let salt = 1; digits.length < PREFIX_DIGITS; salt++) digits += seedHash(seed, salt).toString().padStart(10, '0');
  return digits.slice(0, PREFIX_DIGITS);
}

export type FragmentNumberOf = (index: number) => string;

export function fragmentNumbering(seed: string): FragmentNumberOf {
  const prefix = streamPrefix(seed);
  // Below 2^64 ≈ 1.8e19, so offset + any safe index (< 9.1e15) still fits 20 digits.
  const offset = (BigInt(seedHash(seed, 0x51)) << 32n) | BigInt(seedHash(seed, 0x52));
  return (index) => {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`fragment index must be a non-negative integer, got ${index}`);
    return prefix + (offset + BigInt(index)).toString().padStart(COUNTER_DIGITS, '0');
  };
}
