import type { AppError } from '../../../shared/errors';

/** Where the tile stands with the session broker, independent of what its player does. */
export type SessionView =
  | { kind: 'idle' }
  | { kind: 'acquiring' }
  | { kind: 'granted'; sessionId: string; expiresAt: number }
  | { kind: 'renewing'; detail?: string }
  | { kind: 'waiting'; until?: number; reason?: string }
  | { kind: 'backoff'; until?: number; detail?: string }
  | { kind: 'error'; error: AppError; retryAt?: number };
