import { SigV4Failure, type SigV4FailureReason } from '../auth/sigv4';
import { KvsError } from '../errors';

/**
 * An STS error as the query protocol sends it: `<ErrorResponse><Error><Type>Sender|Receiver</Type>
 * <Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`. The SDK maps
 * `Code` to the exception name (modelled ones to their class, others to a generic STSServiceException).
 */
export class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export const validationError = (message: string): StsError => new StsError('ValidationError', message, 400);

/**
 * How STS names a refused signature (query-protocol "common errors"):
 * - a signature problem of any kind is `SignatureDoesNotMatch` 403; for a credential scoped to another
 *   region the message is "Credential should be scoped to a valid region. " (seen in
 *   hashicorp/terraform-provider-aws#35860 and namecheap/node-vault-client#25; older answers added
 *   ", not 'REGION'").
 * - an unknown key or token is `InvalidClientTokenId` 403 "The security token included in the request
 *   is invalid." (hashicorp/aws-sdk-go-base#314).
 * - an expired session token is `ExpiredToken` with "The security token included in the request is
 *   expired". The STS model's own ExpiredTokenException (400) is about web-identity and SAML tokens;
 *   for the request's own session token the observed answer is code `ExpiredToken`, status 403
 *   (aws/aws-sdk-java-v2#1649 shows "Status Code: 403"; IAM's common-errors page lists 403 too).
 * - a missing Authorization header is `MissingAuthenticationToken` 403, a malformed one
 *   `IncompleteSignature` 400 (common errors of the query APIs).
 */
const STS_AUTH_ERRORS: Record<SigV4FailureReason, { code: string; status: number; message?: string }> = {
  'missing-authentication': { code: 'MissingAuthenticationToken', status: 403, message: 'Request is missing Authentication Token' },
  'incomplete-signature': { code: 'IncompleteSignature', status: 400 },
  'unknown-key': { code: 'InvalidClientTokenId', status: 403 },
  'expired-token': { code: 'ExpiredToken', status: 403 },
  'wrong-service': { code: 'SignatureDoesNotMatch', status: 403 },
  'wrong-region': { code: 'SignatureDoesNotMatch', status: 403, message: 'Credential should be scoped to a valid region. ' },
  'wrong-date': { code: 'SignatureDoesNotMatch', status: 403 },
  'clock-skew': { code: 'SignatureDoesNotMatch', status: 403 },
  'signature-mismatch': { code: 'SignatureDoesNotMatch', status: 403 },
};

export function stsAuthError(failure: SigV4Failure): StsError {
  const { code, status, message } = STS_AUTH_ERRORS[failure.reason];
  return new StsError(code, message ?? failure.message, status);
}

/** Errors raised by the shared layers (injected faults, body limits) in STS's own words. */
export function stsErrorFromKvs(error: KvsError): StsError {
  switch (error.errorName) {
    case 'ClientLimitExceededException':
      return new StsError('Throttling', 'Rate exceeded', 400);
    case 'ServiceUnavailableException':
      return new StsError('ServiceUnavailable', 'Service unavailable', 503);
    case 'InternalFailure':
      return new StsError('InternalFailure', 'An internal error occurred.', 500);
    case 'RequestEntityTooLargeException':
      return new StsError('RequestEntityTooLarge', error.message, 413);
    default:
      return new StsError(error.errorName, error.message, error.status);
  }
}

/** Any service error raised while serving an STS request, as STS sends it; undefined for a bug. */
export function toStsError(error: unknown): StsError | undefined {
  if (error instanceof StsError) return error;
  if (error instanceof SigV4Failure) return stsAuthError(error);
  if (error instanceof KvsError) return stsErrorFromKvs(error);
  return undefined;
}
