import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../../main/core/logger';

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ write: (l) => lines.push(l) }, 'test') };
}

describe('redacting logger', () => {
  it('redacts session tokens in URLs', () => {
    expect(redact('GET https://h/dash/v1/getDASHManifest.mpd?SessionToken=CiAbc~&x=1')).toBe(
      'GET https://h/dash/v1/getDASHManifest.mpd?SessionToken=[redacted]&x=1',
    );
  });

  it('redacts secrets nested in field strings, where JSON escaping would otherwise hide them', () => {
    const { lines, logger } = capture();
    logger.error('failed', { detail: 'payload {"secretAccessKey":"wJalrXUtnFEMI/K7MDENG"}', err: new Error('url ?SessionToken=tok123') });
    const out = lines.join('');
    expect(out).not.toContain('wJalrXUtnFEMI');
    expect(out).not.toContain('tok123');
    expect(out).toContain('[redacted]');
  });

  it('keeps ordinary fields intact and writes one JSON line per record', () => {
    const { lines, logger } = capture();
    logger.info('tile live', { tileId: 't1', count: 3 });
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 'info', scope: 'test', msg: 'tile live', tileId: 't1', count: 3 });
  });
});

describe('redact', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY';
  const TOKEN = 'FwoGZXIvYXdzEJr//////////wEaDHk+example/token=';

  it.each([
    ['JSON', `{"secretAccessKey":"${SECRET}","region":"us-west-2"}`, '{"secretAccessKey":"[redacted]","region":"us-west-2"}'],
    ['JSON with PascalCase keys', `{"SecretAccessKey":"${SECRET}","SessionToken":"${TOKEN}"}`, '{"SecretAccessKey":"[redacted]","SessionToken":"[redacted]"}'],
    ['JSON escaped inside a JSON string', `{"detail":"body {\\"secretAccessKey\\":\\"${SECRET}\\"}"}`, '{"detail":"body {\\"secretAccessKey\\":\\"[redacted]\\"}"}'],
    ['util.inspect', `{ secretAccessKey: '${SECRET}', sessionToken: '${TOKEN}' }`, "{ secretAccessKey: '[redacted]', sessionToken: '[redacted]' }"],
    ['an INI credentials file', `aws_secret_access_key = ${SECRET}\naws_session_token=${TOKEN}`, 'aws_secret_access_key = [redacted]\naws_session_token=[redacted]'],
    ['environment assignments', `AWS_SECRET_ACCESS_KEY=${SECRET} AWS_SESSION_TOKEN=${TOKEN}`, 'AWS_SECRET_ACCESS_KEY=[redacted] AWS_SESSION_TOKEN=[redacted]'],
    ['a keychain entry', `{"account":"acc1","password":"${SECRET}"}`, '{"account":"acc1","password":"[redacted]"}'],
    ['a KVS session URL', `https://b-1.kinesisvideo.us-west-2.amazonaws.com/dash/v1/getDASHManifest.mpd?SessionToken=${TOKEN}&x=1`, 'https://b-1.kinesisvideo.us-west-2.amazonaws.com/dash/v1/getDASHManifest.mpd?SessionToken=[redacted]&x=1'],
    [
      'a presigned SigV4 URL',
      `https://h/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-west-2%2Fkinesisvideo%2Faws4_request&X-Amz-Security-Token=${TOKEN}&X-Amz-Signature=${'ab'.repeat(32)}`,
      'https://h/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[redacted]&X-Amz-Security-Token=[redacted]&X-Amz-Signature=[redacted]',
    ],
    [
      'a SigV4 Authorization header',
      `Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-west-2/kinesisvideo/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0f'.repeat(32)}`,
      'Authorization: AWS4-HMAC-SHA256 Credential=AKIA…MPLE/20260101/us-west-2/kinesisvideo/aws4_request, SignedHeaders=host;x-amz-date, Signature=[redacted]',
    ],
    ['a bearer token', 'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'authorization: Bearer [redacted]'],
    ['basic credentials', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [redacted]'],
    ['the browser shell URL and cookie', 'KVS Wall: http://127.0.0.1:5173/?token=3f9a8b7c6d5e4f3a2b1c Cookie: kvs_wall_5173=3f9a8b7c6d5e4f3a2b1c', 'KVS Wall: http://127.0.0.1:5173/?token=[redacted] Cookie: kvs_wall_5173=[redacted]'],
    ['long-term and temporary key ids', 'keys AKIAIOSFODNN7EXAMPLE and ASIAKVSWALLSCAN00001', 'keys AKIA…MPLE and ASIA…0001'],
  ])('hides %s', (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
    // Redacting twice changes nothing: the diagnostics export re-redacts files that were redacted when written.
    expect(redact(expected)).toBe(expected);
  });

  it('leaves look-alikes that carry no secret alone, and keeps JSON lines parseable', () => {
    const line = JSON.stringify({ hasSessionToken: true, password: false, secretReplaced: true, sessionTokenExpiry: 5, msg: 'token bucket refilled', keyId: 'AIDAEXAMPLEUSERID123' });
    expect(redact(line)).toBe(line);
    expect(redact('the secret is kept in the OS keychain')).toBe('the secret is kept in the OS keychain');
    expect(redact('Basic settings changed')).toBe('Basic settings changed');
  });

  it('redacts what the logger writes in every notation a field can take', () => {
    const { lines, logger } = capture();
    logger.warn('request failed', { headers: { Authorization: 'Bearer abcdefgh12345678' }, body: `{"SessionToken":"${TOKEN}"}`, ini: `aws_secret_access_key=${SECRET}` });
    const out = lines.join('');
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('abcdefgh12345678');
    expect(() => JSON.parse(out)).not.toThrow();
  });
});
