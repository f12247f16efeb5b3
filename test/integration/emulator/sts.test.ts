import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { AssumeRoleCommand, GetCallerIdentityCommand, type Credentials } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index';
import { archivedMedia, cameras, controlPlane, recordResponses, rejection, startTestEmulator, sts, withRawBody, type Emulator } from './support';

const ACCOUNT = '123456789012';
const VIEWER_ROLE = `arn:aws:iam::${ACCOUNT}:role/WallViewer`;
const AUDIT_ROLE = `arn:aws:iam::${ACCOUNT}:role/ops/WallAudit`;

let emulator: Emulator;
let advance: (ms: number) => void;
let now: () => number;

beforeAll(async () => {
  ({ emulator, advance, now } = await startTestEmulator({ cameras: cameras('sts-cam') }));
});
afterAll(() => emulator?.stop());

type SdkCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

function asSdkCredentials(c: Credentials | undefined): SdkCredentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

async function assume(roleArn: string, sessionName: string, durationSeconds?: number, credentials?: SdkCredentials): Promise<SdkCredentials> {
  const out = await sts(emulator, credentials ? { credentials } : {}).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: durationSeconds }));
  return asSdkCredentials(out.Credentials);
}

describe('STS GetCallerIdentity', () => {
  it('names the IAM user of the long-term keys, with XML as STS sends it', async () => {
    const { client, responses } = recordResponses(sts(emulator));
    const out = await client.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe(ACCOUNT);
    expect(out.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/kvs-wall-demo`);
    expect(out.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    const raw = responses[0];
    expect(raw?.status).toBe(200);
    expect(raw?.headers['content-type']).toBe('text/xml');
    expect(raw?.body).toMatch(/^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<GetCallerIdentityResult>/);
    expect(raw?.body).toContain(`<Account>${ACCOUNT}</Account>`);
    expect(raw?.body).toMatch(/<ResponseMetadata>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ResponseMetadata>/);
    // The same id is in the header and the body, as AWS does.
    expect(raw?.body).toContain(`<RequestId>${out.$metadata.requestId ?? 'missing'}</RequestId>`);
  });
});

describe('STS AssumeRole', () => {
  it('issues temporary credentials for a role of the account, an hour by default', async () => {
    const before = now();
    const out = await sts(emulator).send(new AssumeRoleCommand({ RoleArn: VIEWER_ROLE, RoleSessionName: 'wall-test' }));
    const c = out.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c?.SecretAccessKey).toHaveLength(40);
    expect(c?.SessionToken?.length).toBeGreaterThan(100);
    const expiresMs = c?.Expiration?.getTime() ?? 0;
    expect(expiresMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_599_000);
    expect(expiresMs).toBeLessThanOrEqual(now() + 3_600_000);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/WallViewer/wall-test`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:wall-test$/);

    const identity = await sts(emulator, { credentials: asSdkCredentials(c) }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(out.AssumedRoleUser?.Arn);
    expect(identity.UserId).toBe(out.AssumedRoleUser?.AssumedRoleId);
    expect(identity.Account).toBe(ACCOUNT);
  });

  it('signs KVS calls with the assumed-role credentials, token and all', async () => {
    const credentials = await assume(VIEWER_ROLE, 'kvs-call');
    const streams = await controlPlane(emulator, { credentials }).send(new ListStreamsCommand({}));
    expect(streams.StreamInfoList?.map((s) => s.StreamName)).toEqual(['sts-cam']);
    const session = await archivedMedia(emulator, { credentials }).send(new GetDASHStreamingSessionURLCommand({ StreamName: 'sts-cam' }));
    expect(session.DASHStreamingSessionURL).toMatch(/SessionToken=/);
    // The key without its token, or with another one, is refused.
    const noToken = await rejection(controlPlane(emulator, { credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } }).send(new ListStreamsCommand({})));
    expect(noToken.name).toBe('UnrecognizedClientException');
    const other = await assume(VIEWER_ROLE, 'other');
    const swapped = await rejection(controlPlane(emulator, { credentials: { ...credentials, sessionToken: other.sessionToken } }).send(new ListStreamsCommand({})));
    expect(swapped.name).toBe('UnrecognizedClientException');
  });

  it('chains roles: temporary credentials assume another role, for at most an hour', async () => {
    const first = await assume(VIEWER_ROLE, 'first');
    const chained = await assume(AUDIT_ROLE, 'second', 3600, first);
    const identity = await sts(emulator, { credentials: chained }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/WallAudit/second`);
    await controlPlane(emulator, { credentials: chained }).send(new ListStreamsCommand({}));

    const tooLong = await rejection(sts(emulator, { credentials: first }).send(new AssumeRoleCommand({ RoleArn: AUDIT_ROLE, RoleSessionName: 'long', DurationSeconds: 7200 })));
    expect(tooLong.name).toBe('ValidationError');
    expect(tooLong.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    expect(tooLong.$metadata?.httpStatusCode).toBe(400);
    // Long-term keys may ask for up to 12 hours.
    await assume(AUDIT_ROLE, 'long', 43_200);
  });

  it('stops accepting the credentials once they expire: KVS ExpiredTokenException, STS ExpiredToken', async () => {
    const credentials = await assume(VIEWER_ROLE, 'short', 5);
    await controlPlane(emulator, { credentials }).send(new ListStreamsCommand({}));
    advance(6000);
    const kvs = await rejection(controlPlane(emulator, { credentials }).send(new ListStreamsCommand({})));
    expect(kvs.name).toBe('ExpiredTokenException');
    expect(kvs.message).toBe('The security token included in the request is expired');
    expect(kvs.$metadata?.httpStatusCode).toBe(403);
    const { client, responses } = recordResponses(sts(emulator, { credentials }));
    const stsError = await rejection(client.send(new GetCallerIdentityCommand({})));
    expect(stsError.name).toBe('ExpiredToken');
    expect(stsError.message).toBe('The security token included in the request is expired');
    expect(stsError.$metadata?.httpStatusCode).toBe(403);
    expect(responses[0]?.body).toMatch(/<Error>\s*<Type>Sender<\/Type>\s*<Code>ExpiredToken<\/Code>/);
    // Nor can they assume a role any more.
    expect((await rejection(sts(emulator, { credentials }).send(new AssumeRoleCommand({ RoleArn: VIEWER_ROLE, RoleSessionName: 'again' })))).name).toBe('ExpiredToken');
  });

  it('denies a role outside the account with AccessDenied, in AWS words and XML', async () => {
    const other = 'arn:aws:iam::999999999999:role/SomeoneElse';
    const { client, responses } = recordResponses(sts(emulator));
    const error = await rejection(client.send(new AssumeRoleCommand({ RoleArn: other, RoleSessionName: 'nope' })));
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/kvs-wall-demo is not authorized to perform: sts:AssumeRole on resource: ${other}`);
    expect(error.$metadata?.httpStatusCode).toBe(403);
    const raw = responses[0];
    expect(raw?.headers['content-type']).toBe('text/xml');
    expect(raw?.body).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>AccessDenied<\/Code>\s*<Message>User: .*<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>/s,
    );
  });

  it('validates the request as STS does', async () => {
    const client = sts(emulator);
    const send = (input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number }) =>
      rejection(client.send(new AssumeRoleCommand(input as { RoleArn: string; RoleSessionName: string })));
    const short = await send({ RoleArn: VIEWER_ROLE, RoleSessionName: 'a' });
    expect(short.name).toBe('ValidationError');
    expect(short.message).toBe("1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2");
    const spaces = await send({ RoleArn: VIEWER_ROLE, RoleSessionName: 'has space' });
    expect(spaces.message).toContain("at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern");
    const both = await send({ RoleSessionName: 'x', DurationSeconds: 43_201 });
    expect(both.message).toMatch(/^3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; .*roleSessionName.*; Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200$/);
    const notRole = await send({ RoleArn: `arn:aws:iam::${ACCOUNT}:user/someone`, RoleSessionName: 'xx' });
    expect(notRole.name).toBe('ValidationError');
    expect(notRole.message).toContain('is not an IAM role ARN');
    // With test controls the lower bound is 1 s; without, 900 s.
    expect((await send({ RoleArn: VIEWER_ROLE, RoleSessionName: 'zero', DurationSeconds: 0 })).message).toContain('greater than or equal to 1');
  });

  it('refuses parameters and actions it does not serve, and a wrong Version', async () => {
    const unsupported = await rejection(
      withRawBody(sts(emulator), `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(VIEWER_ROLE)}&RoleSessionName=p&Policy=%7B%7D`).send(new GetCallerIdentityCommand({})),
    );
    expect(unsupported.name).toBe('ValidationError');
    expect(unsupported.message).toBe("The emulator does not support the AssumeRole parameter 'Policy'.");
    const action = await rejection(withRawBody(sts(emulator), 'Action=GetSessionToken&Version=2011-06-15').send(new GetCallerIdentityCommand({})));
    expect(action.name).toBe('InvalidAction');
    expect(action.message).toBe('Could not find operation GetSessionToken for version 2011-06-15');
    const version = await rejection(withRawBody(sts(emulator), 'Action=GetCallerIdentity&Version=2099-01-01').send(new GetCallerIdentityCommand({})));
    expect(version.name).toBe('InvalidAction');
    const missing = await rejection(withRawBody(sts(emulator), 'Version=2011-06-15').send(new GetCallerIdentityCommand({})));
    expect(missing.name).toBe('MissingAction');
  });
});

describe('STS signatures', () => {
  it('refuses a credential scoped to another region with SignatureDoesNotMatch', async () => {
    const error = await rejection(sts(emulator, { region: 'eu-west-1' }).send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.message.trim()).toBe('Credential should be scoped to a valid region.');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('refuses an unknown key, or a forged token, with InvalidClientTokenId', async () => {
    const unknown = await rejection(sts(emulator, { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 'whatever' } }).send(new GetCallerIdentityCommand({})));
    expect(unknown.name).toBe('InvalidClientTokenId');
    expect(unknown.message).toBe('The security token included in the request is invalid.');
    expect(unknown.$metadata?.httpStatusCode).toBe(403);
    const real = await assume(VIEWER_ROLE, 'forge');
    const forgedToken = Buffer.from(real.sessionToken, 'base64');
    forgedToken[forgedToken.length - 3] = (forgedToken[forgedToken.length - 3] ?? 0) ^ 1;
    const forged = await rejection(sts(emulator, { credentials: { ...real, sessionToken: forgedToken.toString('base64') } }).send(new GetCallerIdentityCommand({})));
    expect(forged.name).toBe('InvalidClientTokenId');
    const kvs = await rejection(controlPlane(emulator, { credentials: { ...real, sessionToken: forgedToken.toString('base64') } }).send(new ListStreamsCommand({})));
    expect(kvs.name).toBe('UnrecognizedClientException');
  });

  it('refuses a wrong secret, corrects a skewed clock like AWS, and answers an unsigned request in XML', async () => {
    const wrong = await rejection(sts(emulator, { credentials: { ...emulator.credentials, secretAccessKey: 'not-the-secret' } }).send(new GetCallerIdentityCommand({})));
    expect(wrong.name).toBe('SignatureDoesNotMatch');
    // A machine clock 10 minutes behind AWS's: the first call is refused, the SDK learns the offset
    // from the Date header and the retry succeeds.
    advance(10 * 60 * 1000);
    const skewed = await sts(emulator, { systemClockOffset: 0, maxAttempts: 2 }).send(new GetCallerIdentityCommand({}));
    expect(skewed.$metadata.attempts).toBe(2);
    const res = await fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/<Code>MissingAuthenticationToken<\/Code>\s*<Message>Request is missing Authentication Token<\/Message>/);
  });

  it('counts STS calls and takes injected faults in its own error shape', async () => {
    emulator.control.resetCounters();
    emulator.control.throttle('assumeRole', 1);
    const throttled = await rejection(sts(emulator).send(new AssumeRoleCommand({ RoleArn: VIEWER_ROLE, RoleSessionName: 'busy' })));
    expect(throttled.name).toBe('Throttling');
    expect(throttled.$metadata?.httpStatusCode).toBe(400);
    emulator.control.failNext('getCallerIdentity', 1, 503);
    const retried = await sts(emulator, { maxAttempts: 2 }).send(new GetCallerIdentityCommand({}));
    expect(retried.$metadata.attempts).toBe(2);
    emulator.control.loseAnswer('assumeRole', 1);
    await rejection(sts(emulator).send(new AssumeRoleCommand({ RoleArn: VIEWER_ROLE, RoleSessionName: 'lost' })));
    const counters = emulator.control.counters();
    expect(counters.requests).toMatchObject({ assumeRole: 2, getCallerIdentity: 2 });
    expect(counters.errorTypes).toMatchObject({ assumeRole: { Throttling: 1 }, getCallerIdentity: { ServiceUnavailable: 1 } });
    expect(counters.lostAnswers).toEqual({ assumeRole: 1 });
  });
});

describe('STS without test controls and with a role list', () => {
  it('allows only the listed roles and keeps the 900-second minimum', async () => {
    const strict = await startEmulator({ cameras: cameras('strict-cam'), roles: [VIEWER_ROLE] });
    try {
      const client = sts(strict as Emulator);
      const ok = await client.send(new AssumeRoleCommand({ RoleArn: VIEWER_ROLE, RoleSessionName: 'listed', DurationSeconds: 900 }));
      expect(ok.Credentials?.AccessKeyId).toMatch(/^ASIA/);
      const denied = await rejection(client.send(new AssumeRoleCommand({ RoleArn: AUDIT_ROLE, RoleSessionName: 'unlisted' })));
      expect(denied.name).toBe('AccessDenied');
      const tooShort = await rejection(client.send(new AssumeRoleCommand({ RoleArn: VIEWER_ROLE, RoleSessionName: 'short', DurationSeconds: 899 })));
      expect(tooShort.message).toBe("1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
      // Credentials issued by another emulator mean nothing here.
      const foreign = await assume(VIEWER_ROLE, 'foreign');
      expect((await rejection(sts(strict as Emulator, { credentials: foreign }).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    } finally {
      await strict.stop();
    }
    await expect(startEmulator({ roles: ['not-an-arn'], cameras: [] })).rejects.toThrow(/roles: 'not-an-arn' is not an IAM role ARN/);
  });
});
