import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Both KVS SDK clients sign with this service name (the archived-media client too). */
export const KVS_SIGNING_SERVICE = 'kinesisvideo';
export const STS_SIGNING_SERVICE = 'sts';
const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses requests whose X-Amz-Date is more than 5 minutes from its own clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface SigningKeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials: requests must carry this exact X-Amz-Security-Token. */
  readonly sessionToken?: string;
}

export interface SignedRequest {
  readonly method: string;
  /** The request target as received: path plus optional query, still percent-encoded. */
  readonly rawUrl: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * What a key id (with the session token sent beside it, if any) resolves to: its secret and who it
 * belongs to, or why it is refused. The verifier knows nothing of how keys are stored.
 */
export type KeyLookup<Identity> = { readonly secretAccessKey: string; readonly identity: Identity } | 'unknown' | 'expired';

export interface VerifierConfig<Identity> {
  readonly region: string;
  /** The service name the credential scope must carry ('kinesisvideo', 'sts'). */
  readonly service: string;
  readonly lookup: (accessKeyId: string, sessionToken: string | undefined, nowMs: number) => KeyLookup<Identity>;
  readonly now: () => number;
}

/**
 * Why a signature was refused, independent of protocol: each service names these its own way
 * (KVS: InvalidSignatureException, STS: SignatureDoesNotMatch, …), see the callers.
 */
export type SigV4FailureReason =
  | 'missing-authentication'
  | 'incomplete-signature'
  | 'unknown-key'
  | 'expired-token'
  | 'wrong-service'
  | 'wrong-region'
  | 'wrong-date'
  | 'clock-skew'
  | 'signature-mismatch';

export class SigV4Failure extends Error {
  constructor(
    readonly reason: SigV4FailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Failure';
  }
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const incomplete = (message: string) => new SigV4Failure('incomplete-signature', message);

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseAuthorization(header: string): ParsedAuthorization {
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw incomplete(`Authorization header must use ${ALGORITHM}.`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1] ?? '')) {
    throw incomplete("Credential must have the form 'KEY/YYYYMMDD/REGION/SERVICE/aws4_request'.");
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw incomplete('Signature must be 64 lower-case hex characters.');
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** X-Amz-Date is `YYYYMMDDTHHMMSSZ`. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : ms;
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding as SigV4 requires: everything but unreserved characters is %XX. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return value;
  }
}

function canonicalUri(path: string): string {
  // Non-S3 services sign the path with each segment encoded once more than the wire form.
  const normalised = path
    .split('/')
    .map((segment) => uriEncode(safeDecode(segment)))
    .join('/');
  return normalised.split('/').map(uriEncode).join('/') || '/';
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [uriEncode(safeDecode(key)), uriEncode(safeDecode(value))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function canonicalHeaderValue(headers: IncomingHttpHeaders, name: string): string {
  return (headerValue(headers, name) ?? '').trim().replace(/\s+/g, ' ');
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

export function expectedSignature(req: SignedRequest, auth: ParsedAuthorization, amzDate: string, secret: string): string {
  const q = req.rawUrl.indexOf('?');
  const path = q < 0 ? req.rawUrl : req.rawUrl.slice(0, q);
  const query = q < 0 ? '' : req.rawUrl.slice(q + 1);
  const canonicalRequest = [
    req.method,
    canonicalUri(path),
    canonicalQuery(query),
    auth.signedHeaders.map((h) => `${h}:${canonicalHeaderValue(req.headers, h)}\n`).join(''),
    auth.signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${secret}`, auth.date);
  const kRegion = hmac(kDate, auth.region);
  const kService = hmac(kRegion, auth.service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

/**
 * Verifies an AWS Signature Version 4 `Authorization` header, in the order AWS reports problems:
 * shape, key, token, scope, clock, then the signature itself. Throws a SigV4Failure saying why;
 * returns the identity the key resolved to.
 */
export function verifySigV4<Identity>(req: SignedRequest, config: VerifierConfig<Identity>): Identity {
  const header = headerValue(req.headers, 'authorization');
  if (!header) throw new SigV4Failure('missing-authentication', 'Missing Authentication Token');
  const auth = parseAuthorization(header);

  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (!amzDate) throw incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) throw incomplete(`X-Amz-Date '${amzDate}' is not in YYYYMMDDTHHMMSSZ form.`);
  if (!auth.signedHeaders.includes('host')) throw incomplete("SignedHeaders must include 'host'.");

  const now = config.now();
  const token = headerValue(req.headers, 'x-amz-security-token');
  const key = config.lookup(auth.accessKeyId, token, now);
  if (key === 'unknown') throw new SigV4Failure('unknown-key', 'The security token included in the request is invalid.');
  if (key === 'expired') throw new SigV4Failure('expired-token', 'The security token included in the request is expired');
  if (token !== undefined && !auth.signedHeaders.includes('x-amz-security-token')) {
    throw incomplete("SignedHeaders must include 'x-amz-security-token' when one is sent.");
  }

  if (auth.service !== config.service) {
    throw new SigV4Failure('wrong-service', `Credential should be scoped to correct service: '${config.service}'.`);
  }
  if (auth.region !== config.region) {
    throw new SigV4Failure('wrong-region', `Credential should be scoped to a valid region, not '${auth.region}'.`);
  }
  if (auth.date !== amzDate.slice(0, 8)) {
    throw new SigV4Failure('wrong-date', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}'.`);
  }

  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    throw new SigV4Failure('clock-skew', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 5 min.)`);
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    throw new SigV4Failure('clock-skew', `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 5 min.)`);
  }

  const expected = Buffer.from(expectedSignature(req, auth, amzDate, key.secretAccessKey), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new SigV4Failure(
      'signature-mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return key.identity;
}
