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
   * False only when the service (or the network stack) refused before any session could exist.
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

/** An error response from KVS, or a failure before the request left this machine: no session was made. */
const NO_SESSION_CODES = new Set<string>([...KVS_ERROR_CODES, ...CREDENTIAL_ERROR_CODES, 'NetworkError', 'UnknownRegion', 'AccountNotFound', 'AccountChanged', 'StreamNotPlayable']);

export function classifyFailure(err: unknown): ClassifiedFailure {
  if (!isAppFailure(err)) {
    return {
      kind: 'transient',
      error: appError('Internal', 'Creating a session failed unexpectedly; retrying.', { retryable: true }),
      sessionMayExist: true,
    };
  }
  const error = err.appError;
  const sessionMayExist = !NO_SESSION_CODES.has(error.code);
  if (error.code === 'ClientLimitExceededException') return { kind: 'throttled', error, sessionMayExist };
  if (error.code === 'ResourceNotFoundException') return { kind: 'offline', error, sessionMayExist };
  if (FATAL_CODES.has(error.code)) return { kind: 'fatal', error: { ...error, retryable: false }, sessionMayExist };
  return { kind: error.retryable ? 'transient' : 'fatal', error, sessionMayExist };
}
