import type { SigV4Failure, SigV4FailureReason } from './auth/sigv4';

/**
 * Every error the emulator sends, named as KVS names them, with the HTTP status KVS documents. The SDK
 * resolves the exception class from `x-amzn-ErrorType` / `__type`, so the name is the contract.
 */

/**
 * KVS documents NotAuthorizedException as 401 in one place and 403 in another; for a refused session
 * token on the GET endpoints we pick 403 (what players treat as "get a new session"), and keep the
 * choice here alone so it is easy to change.
 */
export const SESSION_TOKEN_REFUSED_STATUS = 403;

/**
 * The status of a throttled manifest or fragment GET. KVS documents ClientLimitExceededException as 400
 * for its POST APIs and says nothing about the GETs; we use the same 400 so one rule covers both.
 * Players treat 400 as recoverable and retry, as they would a 429.
 */
export const GET_THROTTLED_STATUS = 400;

export const ERROR_STATUS = {
  InvalidArgumentException: 400,
  ClientLimitExceededException: 400,
  NoDataRetentionException: 400,
  UnsupportedStreamMediaTypeException: 400,
  MissingCodecPrivateDataException: 400,
  InvalidCodecPrivateDataException: 400,
  ResourceInUseException: 400,
  VersionMismatchException: 400,
  SerializationException: 400,
  NotAuthorizedException: 401,
  ResourceNotFoundException: 404,
  UnknownOperationException: 404,
  RequestEntityTooLargeException: 413,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403,
  TagsPerResourceExceededLimitException: 400,
  InternalFailure: 500,
  ServiceUnavailableException: 503,
} as const;

export type KvsErrorName = keyof typeof ERROR_STATUS;

export class KvsError extends Error {
  readonly status: number;
  constructor(
    readonly errorName: KvsErrorName,
    message: string,
    status?: number,
  ) {
    super(message);
    this.name = errorName;
    this.status = status ?? ERROR_STATUS[errorName];
  }
}

export const invalidArgument = (message: string): KvsError => new KvsError('InvalidArgumentException', message);
export const streamNotFound = (): KvsError =>
  new KvsError('ResourceNotFoundException', 'The requested stream is not found or not active.');
export const throttled = (what: string, status?: number): KvsError =>
  new KvsError('ClientLimitExceededException', `${what} has exceeded its limit; slow down and retry.`, status);
export const tokenRefused = (why: string): KvsError =>
  new KvsError('NotAuthorizedException', why, SESSION_TOKEN_REFUSED_STATUS);

/**
 * How KVS names a refused signature. An expired session token is `ExpiredTokenException` 403 "The
 * security token included in the request is expired", as KVS producers log it (e.g. aws-sdk-android
 * #2475); an unknown key or token is `UnrecognizedClientException` 403.
 */
const KVS_AUTH_ERRORS: Record<SigV4FailureReason, KvsErrorName> = {
  'missing-authentication': 'MissingAuthenticationTokenException',
  'incomplete-signature': 'IncompleteSignatureException',
  'unknown-key': 'UnrecognizedClientException',
  'expired-token': 'ExpiredTokenException',
  'wrong-service': 'InvalidSignatureException',
  'wrong-region': 'InvalidSignatureException',
  'wrong-date': 'InvalidSignatureException',
  'clock-skew': 'InvalidSignatureException',
  'signature-mismatch': 'InvalidSignatureException',
};

export const kvsAuthError = (failure: SigV4Failure): KvsError => new KvsError(KVS_AUTH_ERRORS[failure.reason], failure.message, 403);
