import { appError, type AppError } from '../../shared/errors';
import { isAppFailure, type CallEffect } from '../core/app-failure';
import { redact } from '../core/logger';

/** The KVS calls KVS Wall makes, so messages can name the IAM action an account is missing. */
export type KvsOperation =
  | 'ListStreams'
  | 'DescribeStream'
  | 'GetDataEndpoint'
  | 'GetDASHStreamingSessionURL'
  | 'ListFragments'
  | 'GetClip'
  | 'GetImages'
  | 'ListTagsForStream';

/** The other AWS calls an account makes: STS for who it is and for roles, the SSO portal for IAM Identity Center. */
export type AccountOperation = 'GetCallerIdentity' | 'AssumeRole' | 'GetRoleCredentials';
export type AwsOperation = KvsOperation | AccountOperation;

export interface ErrorContext {
  operation?: AwsOperation;
  /** The account's region: named in DNS failures of the regional AWS host. */
  region?: string;
  /** The account's custom endpoint, when it has one: only its host is ever named. */
  endpoint?: string;
  /** Epoch ms used to turn Retry-After into `retryAt`; Date.now() when omitted. */
  now?: number;
}

/** How long to hold off after throttling when AWS sends no Retry-After: the sustained rate is 1 call/s. */
export const DEFAULT_THROTTLE_DELAY_MS = 1000;

/** AWS does not know the access key id (or the session token that goes with it). */
const UNKNOWN_KEY = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure']);
/** AWS knows the key, but the request was not signed with its secret. */
const BAD_SIGNATURE = new Set(['InvalidSignatureException', 'SignatureDoesNotMatch']);
/** The request carried no usable signature at all. */
const NO_SIGNATURE = new Set(['IncompleteSignatureException', 'MissingAuthenticationTokenException', 'MissingAuthenticationToken']);
/** AWS's words when a request was signed for another region than the endpoint serves. */
const WRONG_REGION_SCOPE = /credential should be scoped to (?:a )?valid region|scoped to (?:the )?correct region/i;
const NO_PERMISSION = new Set(['AccessDeniedException', 'AccessDenied', 'NotAuthorizedException', 'UnauthorizedOperation']);
const EXPIRED_TOKEN = new Set(['ExpiredTokenException', 'ExpiredToken', 'TokenRefreshRequired']);
const THROTTLED = new Set([
  'ClientLimitExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
]);
const SERVICE_DOWN = new Set(['InternalFailure', 'InternalServerError', 'InternalError', 'ServiceUnavailable', 'ServiceUnavailableException', 'ServiceFailure']);
const TIMED_OUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Socket and DNS failures that say "the network, not AWS, failed": retrying later can work. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'EPROTO',
  'ENOTFOUND',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Network failures that happen before a request is written: nothing reached the service. Everything
 * else on a socket (a reset, a broken pipe, a timeout on an open connection) may come after the
 * request was sent, so the service may have acted on it.
 */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  ...TLS_CODES,
]);
/** Syscalls that fail before a connection exists (a connect() that timed out says ETIMEDOUT too). */
const BEFORE_SENDING_SYSCALLS = new Set(['connect', 'getaddrinfo', 'queryA', 'queryAaaa']);
/** The SDK's own connect timeout: `TimeoutError` whose message says no connection was made. */
const NO_CONNECTION_MESSAGE = /did not establish a connection|without establishing a connection/i;

export const IAM_ACTION: Record<AwsOperation, string> = {
  ListStreams: 'kinesisvideo:ListStreams',
  DescribeStream: 'kinesisvideo:DescribeStream',
  GetDataEndpoint: 'kinesisvideo:GetDataEndpoint',
  GetDASHStreamingSessionURL: 'kinesisvideo:GetDASHStreamingSessionURL',
  ListFragments: 'kinesisvideo:ListFragments',
  GetClip: 'kinesisvideo:GetClip',
  GetImages: 'kinesisvideo:GetImages',
  ListTagsForStream: 'kinesisvideo:ListTagsForStream',
  GetCallerIdentity: 'sts:GetCallerIdentity',
  AssumeRole: 'sts:AssumeRole',
  GetRoleCredentials: 'sso:GetRoleCredentials',
};

/** Which service a call goes to, to name it in messages. */
function serviceOf(operation: AwsOperation | undefined): string {
  if (operation === 'GetCallerIdentity' || operation === 'AssumeRole') return 'AWS STS';
  if (operation === 'GetRoleCredentials') return 'the IAM Identity Center portal';
  return 'Kinesis Video Streams';
}

interface ErrorFacts {
  name: string;
  status?: number;
  retryable: boolean;
  throttling: boolean;
  retryAfterMs?: number;
  netCode?: string;
  host?: string;
  awsMessage?: string;
  fromService: boolean;
}

/**
 * Turns anything an AWS call can throw (SDK service exceptions, SDK client errors, Node socket and
 * DNS errors, our own AppFailure) into the typed error the renderer sees. Messages are written for an
 * operator; they never carry a URL query, a key or a token, because AWS and socket messages can.
 */
export function toAppError(err: unknown, context: ErrorContext = {}): AppError {
  if (isAppFailure(err)) return err.appError;
  const now = context.now ?? Date.now();
  const facts = factsOf(err, now);
  const action = context.operation ? IAM_ACTION[context.operation] : 'the Kinesis Video Streams calls KVS Wall makes';
  const { name } = facts;

  if (EXPIRED_TOKEN.has(name)) {
    // Retryable: once the credentials are renewed or replaced, the same call works again.
    return appError(name, 'The temporary credentials have expired (AWS no longer accepts their session token).', { retryable: true, field: 'sessionToken' });
  }
  if (name === 'RequestExpired' || /signature expired|not yet current/i.test(facts.awsMessage ?? '')) {
    return appError(name, "AWS refused the request as signed at the wrong time: this computer's clock is off by more than 5 minutes.");
  }
  if ((BAD_SIGNATURE.has(name) || UNKNOWN_KEY.has(name)) && WRONG_REGION_SCOPE.test(facts.awsMessage ?? '')) {
    return appError(name, `${where(facts, context)} does not serve region ${context.region ?? 'of this account'}: AWS refused the request as signed for the wrong region. Check the account's region.`, { field: 'region' });
  }
  if (UNKNOWN_KEY.has(name)) {
    return appError(name, 'AWS does not recognise the access key id (it is mistyped, deleted or inactive), or the session token that goes with it is wrong. Check the access key id, and the session token for temporary (ASIA…) keys.', { field: 'accessKeyId' });
  }
  if (BAD_SIGNATURE.has(name)) {
    return appError(name, 'The secret access key does not match the access key id: AWS did not accept the request signature. Check the secret access key.', { field: 'secretAccessKey' });
  }
  if (NO_SIGNATURE.has(name)) {
    return appError(name, 'AWS received the request without a usable signature: the credentials are incomplete. Check the access key id and secret access key.');
  }
  if (NO_PERMISSION.has(name)) {
    return appError(name, `The account's credentials lack ${action} permission. Add it to the IAM policy of the user or role.`);
  }
  if (THROTTLED.has(name) || facts.throttling || facts.status === 429) {
    const delay = facts.retryAfterMs ?? DEFAULT_THROTTLE_DELAY_MS;
    return appError(THROTTLED.has(name) ? name : 'ClientLimitExceededException', 'AWS is throttling requests for this stream or account (ClientLimitExceeded); KVS Wall slows down and retries.', {
      retryable: true,
      retryAt: now + delay,
    });
  }
  const specific = kvsSpecific(name, facts, context);
  if (specific) return specific;
  if (SERVICE_DOWN.has(name) || (facts.status !== undefined && facts.status >= 500)) {
    return appError('ServiceUnavailable', `${serviceOf(context.operation)} is having trouble (${facts.status ? `HTTP ${facts.status}` : name}); KVS Wall retries.`, {
      retryable: true,
      ...(facts.retryAfterMs !== undefined ? { retryAt: now + facts.retryAfterMs } : {}),
    });
  }
  if (TIMED_OUT.has(name)) {
    return appError('NetworkError', `${where(facts, context)} did not answer in time. Check the network connection.`, { retryable: true });
  }
  if (facts.netCode && TLS_CODES.has(facts.netCode)) {
    return appError('NetworkError', `The TLS certificate of ${where(facts, context)} was not accepted (${facts.netCode}). A proxy may be intercepting HTTPS.`);
  }
  if ((facts.netCode === 'ENOTFOUND' || facts.netCode === 'EAI_AGAIN') && !context.endpoint && isAwsHost(facts.host)) {
    // The region was checked against AWS's list when the account was saved, so an AWS host that does not
    // resolve means no network or no DNS far more often than a missing service; the connection test
    // tells the two apart by also looking up a host that always exists.
    return appError('NetworkError', `AWS (${facts.host}) could not be looked up: this computer has no network connection or no working DNS.`, { retryable: true });
  }
  if (facts.netCode && NETWORK_CODES.has(facts.netCode)) {
    return appError('NetworkError', networkMessage(facts.netCode, where(facts, context)), { retryable: true });
  }
  if (facts.fromService) {
    return appError(safeName(name), `AWS refused the request (${safeName(name)}${facts.status ? `, HTTP ${facts.status}` : ''}).`, { retryable: facts.retryable });
  }
  if (facts.status !== undefined) {
    // A response the SDK could not parse, e.g. an HTML page from a captive portal or proxy.
    return appError('ServiceUnavailable', `${where(facts, context)} sent a response KVS Wall could not read (HTTP ${facts.status}).`, { retryable: true });
  }
  if (name === 'AbortError') return appError('NetworkError', 'The request was cancelled before it finished.', { retryable: true });
  return appError('Internal', `Something unexpected went wrong while talking to ${serviceOf(context.operation)} (${safeName(name)}).`);
}

/** Errors whose meaning depends on the KVS call that raised them. */
function kvsSpecific(name: string, facts: ErrorFacts, context: ErrorContext): AppError | undefined {
  switch (name) {
    case 'ResourceNotFoundException':
      if (context.operation === 'GetDASHStreamingSessionURL') {
        return appError(name, 'The stream has no media to play here: a live view needs a fragment from the last 30 seconds (is the camera sending?), a replay needs fragments in the chosen time range.', { retryable: true });
      }
      if (context.operation === 'ListFragments') return appError(name, 'The stream was not found, or it has no fragments in that time range.');
      return appError(name, 'The stream was not found in this account and region (it may have been deleted).');
    case 'InvalidArgumentException':
      return appError(name, `AWS rejected the request as invalid${facts.awsMessage ? `: ${cleanAwsMessage(facts.awsMessage)}` : '.'}`);
    case 'NoDataRetentionException':
      return appError(name, 'The stream keeps no media — data retention is 0 hours — so it cannot be played back.');
    case 'UnsupportedStreamMediaTypeException':
      return appError(name, "The stream's media can't be played: track 1 must be H.264 or H.265 video (with optional AAC or G.711 audio).");
    case 'MissingCodecPrivateDataException':
      return appError(name, "The stream's video carries no codec private data, so it can't be played. Check the camera's encoder settings.");
    case 'InvalidCodecPrivateDataException':
      return appError(name, "The stream's codec private data is invalid or changed mid-stream. Check the camera's encoder settings.");
    case 'UnknownOperationException':
    case 'UnknownOperation':
      return appError('UnknownOperationException', `${where(facts, context)} does not offer ${context.operation ?? 'this operation'}.`);
    case 'ResourceInUseException':
      return appError(name, 'The stream is busy with another change; try again shortly.', { retryable: true });
    default:
      return undefined;
  }
}

/**
 * Whether a failed call may still have taken effect at the service — for calls whose effects are
 * counted (a DASH session exists once KVS has processed GetDASHStreamingSessionURL, answer or not).
 * `none`: refused before the request left this machine (DNS, a refused or timed-out connect, TLS), by
 * our own checks, or answered by the service with a 4xx error. `unknown`: a 5xx, a reset, hang-up or
 * timeout once connected, or anything not recognised — the request may have been processed.
 */
export function effectOf(err: unknown): CallEffect {
  if (isAppFailure(err)) return (err as { effect?: CallEffect }).effect ?? 'none';
  const obj = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const status = numberOr((obj.$metadata as { httpStatusCode?: unknown } | undefined)?.httpStatusCode);
  if (status !== undefined) return status >= 500 ? 'unknown' : 'none';
  const network = networkCause(err);
  if (network && (NEVER_SENT_CODES.has(network.code) || (network.syscall !== undefined && BEFORE_SENDING_SYSCALLS.has(network.syscall)))) return 'none';
  if (obj.name === 'TimeoutError' && typeof obj.message === 'string' && NO_CONNECTION_MESSAGE.test(obj.message)) return 'none';
  return 'unknown';
}

function factsOf(err: unknown, now: number): ErrorFacts {
  const obj = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const metadata = obj.$metadata as { httpStatusCode?: unknown } | undefined;
  const retryableHint = obj.$retryable as { throttling?: unknown } | undefined;
  const response = obj.$response as { statusCode?: unknown; headers?: Record<string, unknown> } | undefined;
  const status = numberOr(metadata?.httpStatusCode) ?? numberOr(response?.statusCode);
  const network = networkCause(err);
  const name = typeof obj.name === 'string' && obj.name ? obj.name : err instanceof Error ? err.constructor.name : 'Error';
  const fault = obj.$fault;
  return {
    name,
    status,
    retryable: Boolean(retryableHint) || (status !== undefined && status >= 500),
    throttling: retryableHint?.throttling === true,
    retryAfterMs: parseRetryAfter(headerOf(response?.headers, 'retry-after'), now),
    netCode: network?.code,
    host: network?.host,
    awsMessage: typeof obj.message === 'string' ? obj.message : undefined,
    fromService: (fault === 'client' || fault === 'server') && metadata !== undefined,
  };
}

/** Walks `cause` and AggregateError members (Node's happy-eyeballs connect) for a socket error code. */
function networkCause(err: unknown, depth = 0): { code: string; host?: string; syscall?: string } | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const e = err as { code?: unknown; hostname?: unknown; address?: unknown; port?: unknown; syscall?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || TLS_CODES.has(e.code))) {
    const host = typeof e.hostname === 'string' ? e.hostname : typeof e.address === 'string' ? `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}` : undefined;
    return { code: e.code, host, ...(typeof e.syscall === 'string' ? { syscall: e.syscall } : {}) };
  }
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = networkCause(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function headerOf(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/** Retry-After is either delta-seconds or an HTTP date; anything else, or absurd values, is ignored. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const ms = Math.round(Number(trimmed) * 1000);
    return ms <= 3_600_000 ? ms : undefined;
  }
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  const ms = at - now;
  return ms >= 0 && ms <= 3_600_000 ? ms : ms < 0 ? 0 : undefined;
}

function networkMessage(code: string, target: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `${target} refused the connection (nothing is listening there). Check the endpoint, or whether the service is running.`;
    case 'ENOTFOUND':
      return `${target} could not be found (DNS lookup failed). Check the endpoint address and the network.`;
    case 'EAI_AGAIN':
      return `${target} could not be looked up (DNS is not answering). Check the network connection.`;
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'ERR_SOCKET_CONNECTION_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `${target} did not answer in time. Check the network connection.`;
    default:
      return `The network connection to ${target} failed (${code}). Check the network connection.`;
  }
}

/** Names the far end by host only: a path or query could carry a session token. */
function where(facts: ErrorFacts, context: ErrorContext): string {
  if (context.endpoint) {
    try {
      return `The endpoint ${new URL(context.endpoint).host}`;
    } catch {
      // fall through to the generic names
    }
  }
  if (facts.host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(facts.host)) return isAwsHost(facts.host) ? `AWS (${facts.host})` : facts.host;
  return context.region ? `AWS in ${context.region}` : 'AWS';
}

function isAwsHost(host: string | undefined): host is string {
  return host !== undefined && /\.amazonaws\.com(\.cn)?$/i.test(host);
}

/** AWS's own words, minus anything that could identify credentials or carry a token. */
export function cleanAwsMessage(message: string): string {
  return redact(message)
    .replace(/https?:\/\/\S+/gi, '[url]')
    // Whole key ids, and the masked ones `redact` leaves (AKIA…WXYZ): a user message names none.
    .replace(/\b(AKIA|ASIA|AROA|AIDA)(?:[A-Z0-9]{12,124}|…[A-Z0-9]{4})\b/g, '[access key id]')
    .replace(/\b[A-Za-z0-9/+=]{40,}\b/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

function safeName(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_.]{0,79}$/.test(name) ? name : 'UnknownError';
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
