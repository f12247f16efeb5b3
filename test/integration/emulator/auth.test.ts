import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlane, rejection, startTestEmulator, type Emulator } from './support';

const SESSION = { accessKeyId: 'ASIAKVSWALLTEMP00001', secretAccessKey: 'temporary-secret-for-tests-0001', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKENFORTESTS' };

let emulator: Emulator;

beforeAll(async () => {
  ({ emulator } = await startTestEmulator({ sessionCredentials: [SESSION] }));
});
afterAll(() => emulator?.stop());

describe('emulator SigV4 verification', () => {
  it('accepts requests signed with the configured keys', async () => {
    const out = await controlPlane(emulator).send(new ListStreamsCommand({}));
    expect(out.StreamInfoList?.length).toBeGreaterThan(0);
  });

  it('refuses a wrong secret with InvalidSignatureException (403)', async () => {
    const client = controlPlane(emulator, { credentials: { accessKeyId: emulator.credentials.accessKeyId, secretAccessKey: 'not-the-right-secret' } });
    const error = await rejection(client.send(new ListStreamsCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/signature we calculated does not match/);
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('refuses an unknown access key with UnrecognizedClientException (403)', async () => {
    const client = controlPlane(emulator, { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: emulator.credentials.secretAccessKey } });
    const error = await rejection(client.send(new ListStreamsCommand({})));
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('refuses a signature for another region', async () => {
    const client = controlPlane(emulator, { region: 'eu-west-1' });
    const error = await rejection(client.send(new ListStreamsCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toBe("Credential should be scoped to a valid region, not 'eu-west-1'.");
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('refuses a request without Authorization: MissingAuthenticationTokenException with KVS error headers', async () => {
    const res = await fetch(`${emulator.url}/listStreams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(res.headers.get('x-amz-errortype')).toBe('MissingAuthenticationTokenException');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-amz-requestid')).toBe(res.headers.get('x-amzn-requestid'));
    expect(await res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('refuses a malformed Authorization header with IncompleteSignatureException', async () => {
    for (const authorization of ['AWS4-HMAC-SHA256 Credential=AKIA/garbage', 'Bearer abc', 'AWS4-HMAC-SHA256 ']) {
      const res = await fetch(`${emulator.url}/listStreams`, { method: 'POST', headers: { authorization, 'x-amz-date': '20250101T000000Z' }, body: '{}' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { __type: string }).__type).toBe('IncompleteSignatureException');
    }
  });

  it('refuses a request signed more than 5 minutes off with "Signature expired"', async () => {
    const client = controlPlane(emulator, { systemClockOffset: -10 * 60 * 1000 });
    const error = await rejection(client.send(new ListStreamsCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('lets the SDK correct a skewed clock from the Date header and retry, as it does with AWS', async () => {
    const client = controlPlane(emulator, { systemClockOffset: -10 * 60 * 1000, maxAttempts: 2 });
    const out = await client.send(new ListStreamsCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(out.StreamInfoList?.length).toBeGreaterThan(0);
  });

  it('accepts temporary credentials only with their session token', async () => {
    const ok = await controlPlane(emulator, { credentials: SESSION }).send(new ListStreamsCommand({}));
    expect(ok.StreamInfoList?.length).toBeGreaterThan(0);
    const wrongToken = await rejection(controlPlane(emulator, { credentials: { ...SESSION, sessionToken: 'someOtherToken' } }).send(new ListStreamsCommand({})));
    expect(wrongToken.name).toBe('UnrecognizedClientException');
    const noToken = await rejection(
      controlPlane(emulator, { credentials: { accessKeyId: SESSION.accessKeyId, secretAccessKey: SESSION.secretAccessKey } }).send(new ListStreamsCommand({})),
    );
    expect(noToken.name).toBe('UnrecognizedClientException');
    const tokenOnLongTermKey = await rejection(controlPlane(emulator, { credentials: { ...emulator.credentials, sessionToken: SESSION.sessionToken } }).send(new ListStreamsCommand({})));
    expect(tokenOnLongTermKey.name).toBe('UnrecognizedClientException');
  });
});
