import type { AppError } from '../../shared/errors';

/**
 * A failure main-process services throw when they already know the typed, human form of the error.
 * The IPC layer sends `appError` across as-is; anything else thrown becomes a generic Internal error.
 */
export class AppFailure extends Error {
  readonly appError: AppError;
  constructor(appError: AppError, options?: { cause?: unknown }) {
    super(appError.message, options);
    this.name = appError.code;
    this.appError = appError;
  }
}

export function isAppFailure(err: unknown): err is AppFailure {
  return err instanceof AppFailure || (typeof err === 'object' && err !== null && 'appError' in err && typeof (err as { appError: unknown }).appError === 'object');
}
