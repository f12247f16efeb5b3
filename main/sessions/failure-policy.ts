import { isAppFailure } from '../core/app-failure';
import { appError, CREDENTIAL_ERROR_CODES, KVS_ERROR_CODES, type AppError } from '../../shared/errors';

export type FailureKind =
  /** ClientLimitExceeded: the stream's call quota is spent; pause the whole stream. */
  | 'throttled'
  /** ResourceNotFound: the camera sent nothing lately (or the stream is gone); cameras come back, so retry slowly. */
  | 'offline'
  /** Retrying can't help until a person changes something. */
  | 'fatal'
  /** Worth retrying with growing delays. */
  | 'transient';

export interface ClassifiedFailure {
  kind: FailureKind;
  error: AppError;
  /**
   * False only when the request never reached KVS or KVS refused it: no session can exist.
   * Otherwise the reservation keeps counting as if the call had created one.
   */
  sessionMayExist: boolean;
}

const FATAL_CODES = new Set([
  'NotAuthorizedException',
  'AccessDeniedException',
  'NoDataRetentionException',
  'UnsupportedStreamMediaTypeException',
  'InvalidArgumentException',
  'MissingCodecPrivateDataException',
  'InvalidCodecPrivateDataException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'AccountNotFound',
  'StreamNotPlayable',
]);

/**
 * For failures that don't say whether the call took effect: an error response from KVS, or one of
 * our own refusals before any call (credentials, accounts), made no session. Anything else — a
 * NetworkError included, since a reset or timeout may come after KVS acted — may have.
 */
const NO_SESSION_CODES = new Set<string>([
  ...KVS_ERROR_CODES,
  ...CREDENTIAL_ERROR_CODES,
  'UnknownRegion',
  'AccountNotFound',
  'AccountChanged',
  'StreamNotPlayable',
  'InvalidRequest',
]);

export function classifyFailure(err: unknown): ClassifiedFailure {
  if (!isAppFailure(err)) {
    return {
      kind: 'transient',
      error: appError('Internal', 'Creating a session failed unexpectedly; retrying.', { retryable: true }),
      sessionMayExist: true,
    };
  }
  const error = err.appError;
  // The issuer knows best whether its request reached KVS; the code is only a fallback.
  const sessionMayExist = err.effect !== undefined ? err.effect === 'unknown' : !NO_SESSION_CODES.has(error.code);
  if (error.code === 'ClientLimitExceededException') return { kind: 'throttled', error, sessionMayExist };
  if (error.code === 'ResourceNotFoundException') return { kind: 'offline', error, sessionMayExist };
  if (FATAL_CODES.has(error.code)) return { kind: 'fatal', error: { ...error, retryable: false }, sessionMayExist };
  return { kind: error.retryable ? 'transient' : 'fatal', error, sessionMayExist };
}
