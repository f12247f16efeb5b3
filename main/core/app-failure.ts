import type { AppError } from '../../shared/errors';

/**
 * Whether a failed call to a remote service may have taken effect there anyway: `none` when the
 * request never left this machine or the service refused it, `unknown` when it may have been
 * processed (a reset or timeout after sending, a 5xx). Only callers that count side effects (the
 * session ledger) look at it; it never crosses IPC.
 */
export type CallEffect = 'none' | 'unknown';

/**
 * A failure main-process services throw when they already know the typed, human form of the error.
 * The IPC layer sends `appError` across as-is; anything else thrown becomes a generic Internal error.
 */
export class AppFailure extends Error {
  readonly appError: AppError;
  readonly effect: CallEffect | undefined;
  constructor(appError: AppError, options?: { cause?: unknown; effect?: CallEffect }) {
    super(appError.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = appError.code;
    this.appError = appError;
    this.effect = options?.effect;
  }
}

export function isAppFailure(err: unknown): err is AppFailure {
  return err instanceof AppFailure || (typeof err === 'object' && err !== null && 'appError' in err && typeof (err as { appError: unknown }).appError === 'object');
}
