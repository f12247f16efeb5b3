import { ClientLimitExceededException as CpThrottle, KinesisVideoServiceException, AccessDeniedException, ResourceNotFoundException as CpNotFound } from '@aws-sdk/client-kinesis-video';
import {
  ClientLimitExceededException,
  InvalidArgumentException,
  InvalidCodecPrivateDataException,
  MissingCodecPrivateDataException,
  NoDataRetentionException,
  NotAuthorizedException,
  ResourceNotFoundException,
  UnsupportedStreamMediaTypeException,
} from '@aws-sdk/client-kinesis-video-archived-media';
import { describe, expect, it } from 'vitest';
import { appError } from '../../../shared/errors';
import { AppFailure } from '../../../main/core/app-failure';
import { cleanAwsMessage, effectOf, parseRetryAfter, toAppError } from '../../../main/kvs/errors';

const NOW = 1_700_000_000_000;
const meta = (status: number) => ({ httpStatusCode: status, requestId: 'r-1', attempts: 1, totalRetryDelay: 0 });

/** A service exception as the SDK builds it, for names that have no class in the KVS clients. */
function serviceError(name: string, status: number, message = 'AWS said no', fault: 'client' | 'server' = status >= 500 ? 'server' : 'client', headers: Record<string, string> = {}) {
  const err = new KinesisVideoServiceException({ name, $fault: fault, $metadata: meta(status), message });
  Object.defineProperty(err, '$response', { value: { statusCode: status, headers }, enumerable: false });
  return err;
}
function netError(code: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code, ...extra });
}

describe('toAppError: AWS exceptions', () => {
  it.each([
    ['UnrecognizedClientException', 403, /^AWS does not recognise the access key id/, 'accessKeyId'],
    ['InvalidClientTokenId', 403, /^AWS does not recognise the access key id/, 'accessKeyId'],
    ['InvalidSignatureException', 403, /^The secret access key does not match the access key id/, 'secretAccessKey'],
    ['SignatureDoesNotMatch', 403, /^The secret access key does not match the access key id/, 'secretAccessKey'],
    ['IncompleteSignatureException', 403, /without a usable signature/, undefined],
    ['MissingAuthenticationTokenException', 403, /without a usable signature/, undefined],
    ['RequestExpired', 400, /clock is off/, undefined],
    ['InternalFailure', 500, /having trouble \(HTTP 500\)/, undefined],
    ['ServiceUnavailableException', 503, /having trouble \(HTTP 503\)/, undefined],
  ])('%s (HTTP %i)', (name, status, message, field) => {
    const mapped = toAppError(serviceError(name, status), { now: NOW });
    expect(mapped.message).toMatch(message);
    expect(mapped.code).toBe(status >= 500 ? 'ServiceUnavailable' : name);
    expect(mapped.retryable).toBe(status >= 500);
    expect(mapped.field).toBe(field);
  });

  it('an expired session token is retryable: renewed or replaced credentials make the same call work', () => {
    expect(toAppError(serviceError('ExpiredTokenException', 400), { now: NOW })).toMatchObject({ code: 'ExpiredTokenException', retryable: true, field: 'sessionToken', message: expect.stringMatching(/temporary credentials have expired/) });
    expect(toAppError(serviceError('ExpiredToken', 403), { now: NOW }).retryable).toBe(true);
  });

  it('a request signed for another region is a region problem, not a key problem', () => {
    const kvs = toAppError(serviceError('InvalidSignatureException', 403, "Credential should be scoped to a valid region, not 'us-east-1'."), { region: 'us-east-1', endpoint: 'http://127.0.0.1:4567' });
    expect(kvs).toMatchObject({ code: 'InvalidSignatureException', field: 'region', message: "The endpoint 127.0.0.1:4567 does not serve region us-east-1: AWS refused the request as signed for the wrong region. Check the account's region." });
    const sts = toAppError(serviceError('SignatureDoesNotMatch', 403, 'Credential should be scoped to a valid region. '), { region: 'eu-west-1', operation: 'GetCallerIdentity' });
    expect(sts).toMatchObject({ field: 'region', message: expect.stringMatching(/does not serve region eu-west-1/) });
  });

  it('STS and SSO failures are named as theirs, not as Kinesis Video Streams problems', () => {
    expect(toAppError(serviceError('InternalFailure', 500), { operation: 'AssumeRole' }).message).toMatch(/^AWS STS is having trouble/);
    expect(toAppError(new Error('odd'), { operation: 'GetRoleCredentials' }).message).toMatch(/IAM Identity Center portal/);
    expect(toAppError(serviceError('AccessDenied', 403), { operation: 'AssumeRole' }).message).toMatch(/lack sts:AssumeRole/);
  });

  it('an operation the endpoint does not offer says so', () => {
    expect(toAppError(serviceError('UnknownOperationException', 404), { operation: 'GetClip', endpoint: 'http://127.0.0.1:4567' })).toEqual(
      appError('UnknownOperationException', 'The endpoint 127.0.0.1:4567 does not offer GetClip.'),
    );
  });

  it('a signature refused because of clock skew says so, not "wrong keys"', () => {
    const mapped = toAppError(serviceError('InvalidSignatureException', 403, 'Signature expired: 20250101T000000Z is now earlier than 20250101T001000Z'));
    expect(mapped.message).toMatch(/clock is off/);
  });

  it('names the missing IAM action for permission errors', () => {
    const denied = new AccessDeniedException({ message: 'User: arn:aws:iam::123456789012:user/x is not authorized', $metadata: meta(403) });
    expect(toAppError(denied, { operation: 'ListStreams' })).toEqual(
      appError('AccessDeniedException', "The account's credentials lack kinesisvideo:ListStreams permission. Add it to the IAM policy of the user or role."),
    );
    const notAuth = new NotAuthorizedException({ message: 'x', $metadata: meta(401) });
    expect(toAppError(notAuth, { operation: 'GetDASHStreamingSessionURL' }).message).toMatch(/lack kinesisvideo:GetDASHStreamingSessionURL/);
  });

  it('throttling is retryable, honours Retry-After seconds and dates, and defaults to 1 s', () => {
    const plain = new ClientLimitExceededException({ message: 'slow down', $metadata: meta(400) });
    expect(toAppError(plain, { now: NOW })).toMatchObject({ code: 'ClientLimitExceededException', retryable: true, retryAt: NOW + 1000 });
    expect(toAppError(plain, { now: NOW }).message).toMatch(/throttling .*ClientLimitExceeded/);

    const withSeconds = serviceError('ClientLimitExceededException', 400, 'slow', 'client', { 'Retry-After': '3' });
    expect(toAppError(withSeconds, { now: NOW }).retryAt).toBe(NOW + 3000);
    const withDate = serviceError('ThrottlingException', 400, 'slow', 'client', { 'retry-after': new Date(NOW + 7000).toUTCString() });
    expect(toAppError(withDate, { now: NOW })).toMatchObject({ code: 'ThrottlingException', retryAt: NOW + 7000 });

    const cp = new CpThrottle({ message: 'x', $metadata: meta(400) });
    expect(toAppError(cp, { now: NOW }).retryable).toBe(true);
    const http429 = serviceError('SomethingElse', 429);
    expect(toAppError(http429, { now: NOW })).toMatchObject({ code: 'ClientLimitExceededException', retryable: true });
  });

  it('a 5xx with Retry-After carries retryAt', () => {
    expect(toAppError(serviceError('ServiceUnavailable', 503, 'busy', 'server', { 'retry-after': '2' }), { now: NOW })).toMatchObject({ code: 'ServiceUnavailable', retryable: true, retryAt: NOW + 2000 });
  });

  it('ResourceNotFound depends on the operation', () => {
    const dash = new ResourceNotFoundException({ message: 'No fragments found', $metadata: meta(404) });
    expect(toAppError(dash, { operation: 'GetDASHStreamingSessionURL' })).toMatchObject({ code: 'ResourceNotFoundException', retryable: true });
    expect(toAppError(dash, { operation: 'GetDASHStreamingSessionURL' }).message).toMatch(/last 30 seconds/);
    const cp = new CpNotFound({ message: 'The requested stream is not found or not active.', $metadata: meta(404) });
    expect(toAppError(cp, { operation: 'DescribeStream' })).toMatchObject({ retryable: false, message: expect.stringMatching(/not found in this account and region/) });
  });

  it.each([
    [new NoDataRetentionException({ message: 'x', $metadata: meta(400) }), /data retention is 0 hours/],
    [new UnsupportedStreamMediaTypeException({ message: 'x', $metadata: meta(400) }), /H\.264 or H\.265/],
    [new MissingCodecPrivateDataException({ message: 'x', $metadata: meta(400) }), /no codec private data/],
    [new InvalidCodecPrivateDataException({ message: 'x', $metadata: meta(400) }), /codec private data is invalid/],
  ])('KVS playback exception %#', (err, message) => {
    const mapped = toAppError(err);
    expect(mapped.code).toBe(err.name);
    expect(mapped.message).toMatch(message);
    expect(mapped.retryable).toBe(false);
  });

  it('InvalidArgument keeps AWS words but strips URLs, key ids and tokens', () => {
    const err = new InvalidArgumentException({
      message: 'Bad Expires for https://b-1.kinesisvideo.us-west-2.amazonaws.com/dash/v1/getDASHManifest.mpd?SessionToken=CiAbc~ signed by AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYxx',
      $metadata: meta(400),
    });
    const mapped = toAppError(err);
    expect(mapped.message).toMatch(/^AWS rejected the request as invalid: Bad Expires for \[url\] signed by \[access key id\] with \[redacted\]$/);
    expect(mapped.message).not.toMatch(/SessionToken|AKIA|wJalr/);
  });

  it('an unlisted AWS exception keeps its name and the SDK retryable hint', () => {
    expect(toAppError(serviceError('VersionMismatchException', 400))).toEqual(appError('VersionMismatchException', 'AWS refused the request (VersionMismatchException, HTTP 400).'));
    const hinted = serviceError('OddException', 400);
    Object.assign(hinted, { $retryable: {} });
    expect(toAppError(hinted).retryable).toBe(true);
  });

  it('a response the SDK could not parse (an HTML page) is a retryable ServiceUnavailable without the body', () => {
    const err = Object.assign(new Error('Deserialization error: <html>Login to Hotel WiFi</html>'), { name: 'SyntaxError', $metadata: meta(200) });
    const mapped = toAppError(err, { region: 'eu-west-1' });
    expect(mapped).toMatchObject({ code: 'ServiceUnavailable', retryable: true });
    expect(mapped.message).not.toContain('Hotel');
  });
});

describe('toAppError: network and other errors', () => {
  it('ENOTFOUND on the regional AWS host is no network (the region was checked when saved), retryable', () => {
    const err = netError('ENOTFOUND', { hostname: 'kinesisvideo.us-east-1.amazonaws.com' });
    expect(toAppError(err, { region: 'us-east-1' })).toMatchObject({ code: 'NetworkError', retryable: true });
    expect(toAppError(err, { region: 'us-east-1' }).message).toBe('AWS (kinesisvideo.us-east-1.amazonaws.com) could not be looked up: this computer has no network connection or no working DNS.');
    expect(toAppError(err, { region: 'us-east-1' }).message).not.toMatch(/region/);
  });

  it('ENOTFOUND on a custom endpoint is a network problem naming only the host', () => {
    const err = netError('ENOTFOUND', { hostname: 'kvs.internal' });
    const mapped = toAppError(err, { endpoint: 'https://kvs.internal:8443/some/path?token=abc' });
    expect(mapped).toMatchObject({ code: 'NetworkError', retryable: true });
    expect(mapped.message).toMatch(/kvs\.internal:8443/);
    expect(mapped.message).not.toMatch(/token|path/);
  });

  it.each(['ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET', 'ENETUNREACH', 'EHOSTUNREACH'])('%s is a retryable network error', (code) => {
    const mapped = toAppError(netError(code), { region: 'us-east-1' });
    expect(mapped).toMatchObject({ code: 'NetworkError', retryable: true });
    expect(mapped.message).toMatch(/network|refused|nothing is listening|answer/i);
  });

  it('finds the socket code inside an AggregateError or a cause chain', () => {
    const aggregate = Object.assign(new AggregateError([netError('ECONNREFUSED', { address: '127.0.0.1', port: 9 }), netError('ECONNREFUSED', { address: '::1', port: 9 })]), { $metadata: {} });
    expect(toAppError(aggregate)).toMatchObject({ code: 'NetworkError', message: expect.stringMatching(/127\.0\.0\.1:9 refused the connection/) });
    const wrapped = new Error('request failed', { cause: netError('EAI_AGAIN') });
    expect(toAppError(wrapped).code).toBe('NetworkError');
  });

  it('TLS interception is named, not retried', () => {
    expect(toAppError(netError('SELF_SIGNED_CERT_IN_CHAIN', { hostname: 'kinesisvideo.us-east-1.amazonaws.com' }))).toMatchObject({ code: 'NetworkError', retryable: false, message: expect.stringMatching(/proxy/) });
  });

  it('SDK timeouts are network errors', () => {
    expect(toAppError(Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }))).toMatchObject({ code: 'NetworkError', retryable: true });
  });

  it('an AppFailure passes through unchanged', () => {
    const detail = appError('KeychainUnavailable', 'The system keychain is not available (x).');
    expect(toAppError(new AppFailure(detail))).toBe(detail);
  });

  it('anything else is Internal and never echoes its message', () => {
    const mapped = toAppError(new TypeError('cannot read SessionToken=secret of undefined'));
    expect(mapped).toEqual(appError('Internal', 'Something unexpected went wrong while talking to Kinesis Video Streams (TypeError).'));
    expect(toAppError('a string').code).toBe('Internal');
    expect(toAppError(null).code).toBe('Internal');
    expect(toAppError(Object.assign(new Error('x'), { name: 'bad name <script>' })).message).toMatch(/\(UnknownError\)/);
  });
});

describe('parseRetryAfter / cleanAwsMessage', () => {
  it('parses seconds and dates, ignores garbage and absurd values', () => {
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('999999', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('caps the length', () => {
    expect(cleanAwsMessage('word '.repeat(200)).length).toBeLessThanOrEqual(300);
  });
});

describe('effectOf: may the failed request have taken effect at the service?', () => {
  it('no, when it never left this machine', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'SELF_SIGNED_CERT_IN_CHAIN']) {
      expect(effectOf(netError(code)), code).toBe('none');
    }
    // A connect() that timed out says ETIMEDOUT too; its syscall tells it apart.
    expect(effectOf(netError('ETIMEDOUT', { syscall: 'connect' }))).toBe('none');
    // The SDK's own connection timeout.
    expect(effectOf(Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.'), { name: 'TimeoutError' }))).toBe('none');
    // Happy-eyeballs: every address refused.
    expect(effectOf(new AggregateError([netError('ECONNREFUSED'), netError('ECONNREFUSED')]))).toBe('none');
  });

  it('no, when the service answered with a refusal', () => {
    expect(effectOf(new ClientLimitExceededException({ message: 'slow down', $metadata: meta(400) }))).toBe('none');
    expect(effectOf(new ResourceNotFoundException({ message: 'no', $metadata: meta(404) }))).toBe('none');
    expect(effectOf(new AppFailure(appError('AccountNotFound', 'gone')))).toBe('none');
  });

  it('unknown, when the request may have been processed: a 5xx, a reset or timeout once connected, anything else', () => {
    expect(effectOf(serviceError('InternalFailure', 500))).toBe('unknown');
    expect(effectOf(serviceError('ServiceUnavailableException', 503))).toBe('unknown');
    expect(effectOf(netError('ECONNRESET', { syscall: 'read' }))).toBe('unknown');
    expect(effectOf(netError('EPIPE', { syscall: 'write' }))).toBe('unknown');
    expect(effectOf(Object.assign(new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 15000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }))).toBe('unknown');
    expect(effectOf(new Error('socket hang up'))).toBe('unknown');
    expect(effectOf(new AppFailure(appError('NetworkError', 'x'), { effect: 'unknown' }))).toBe('unknown');
  });
});
