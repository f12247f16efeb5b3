import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh per-launch secret, URL-safe. */
export function createAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares in constant time. Both sides are hashed first so neither the length of the guess nor
 * where it first differs shows up in timing.
 */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 1024) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
