import { z } from 'zod';

/**
 * Every error that crosses the IPC boundary. `code` is the KVS exception name when AWS raised it
 * (so operators can search AWS docs for it) or one of ours; `message` is written for a person.
 * Never a stack, never a secret or a session URL.
 */
export const KVS_ERROR_CODES = [
  'ResourceNotFoundException',
  'InvalidArgumentException',
  'ClientLimitExceededException',
  'NotAuthorizedException',
  'AccessDeniedException',
  'NoDataRetentionException',
  'UnsupportedStreamMediaTypeException',
  'MissingCodecPrivateDataException',
  'InvalidCodecPrivateDataException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
] as const;

/**
 * Failures to obtain an account's credentials. No request reached AWS, so nothing was created there
 * (no session to count). Each comes with what a person must do; KVS Wall keeps retrying meanwhile.
 */
export const CREDENTIAL_ERROR_CODES = [
  'KeychainUnavailable', // the secret of an access-keys account can't be read
  'SsoLoginRequired', // the IAM Identity Center sign-in is missing or over: `aws sso login`
  'MfaRequired', // the profile's role needs an MFA code, which an unattended wall can't type
  'RoleDenied', // AssumeRole was refused
  'ProfileNotFound', // no such profile in the shared config or credentials file
  'ProfileUnusable', // the profile exists but can't give credentials (incomplete, unsupported)
  'CredentialProcessFailed', // the profile's credential_process failed or printed something unusable
  'NoCredentials', // the default chain found nothing (environment, container, instance)
] as const;

export const APP_ERROR_CODES = [
  'InvalidRequest', // a payload failed its schema
  'UnknownCall', // no such IPC call
  'Forbidden', // sender not allowed
  'AccountNotFound',
  'WallNotFound',
  'StreamNotPlayable',
  'SessionBudgetFull',
  'SessionReleased', // the tile was released before its acquire was answered
  'PageNotAttached', // a session call from a page that has not attached (or was declared gone): attach, then retry
  'PointsShareSpent', // this app's share of a stream's KVS points is in use; retry at retryAt
  'NetworkError',
  'UnknownRegion',
  'ServiceUnavailable',
  'StoreCorrupt',
  'Internal',
  'AccountChanged', // the account's identity changed while a call was under way; its answer was dropped
  'NothingRecorded', // a clip export's range holds no fragment
  'ClipUnreadable', // GetClip answered with something that is not a readable MP4
  'ExportWriteFailed', // the exported file could not be written (disk full, no permission, folder gone)
  ...CREDENTIAL_ERROR_CODES,
] as const;

export const AppErrorSchema = z.object({
  code: z.string().min(1).max(100),
  message: z.string().max(2000),
  retryable: z.boolean(),
  /** Epoch ms at which the app will retry (or the caller may), when known. */
  retryAt: z.number().optional(),
  /** The request field a validation error is about, for inline form errors. */
  field: z.string().max(200).optional(),
});
export type AppError = z.infer<typeof AppErrorSchema>;

/** The error class thrown on the renderer side when a call fails; carries the typed payload. */
export class WallApiError extends Error {
  readonly detail: AppError;
  constructor(detail: AppError) {
    super(detail.message);
    this.name = detail.code;
    this.detail = detail;
  }
}

export function appError(code: string, message: string, extra: Partial<Omit<AppError, 'code' | 'message'>> = {}): AppError {
  return { code, message, retryable: extra.retryable ?? false, ...extra };
}
