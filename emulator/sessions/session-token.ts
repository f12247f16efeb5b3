import { randomBytes } from 'node:crypto';

/**
 * A new opaque session token shaped like KVS's (`Ci…~`, URL-safe base64, ~130 characters) so fixtures
 * and logs look real. It carries nothing: the emulator looks sessions up by token.
 */
export function newSessionToken(): string {
  return `Ci${randomBytes(96).toString('base64url')}~`;
}

/** Tokens the emulator could have issued; anything else is refused before any lookup. */
export function looksLikeSessionToken(value: string): boolean {
  return /^Ci[A-Za-z0-9_-]{16,256}~$/.test(value);
}
