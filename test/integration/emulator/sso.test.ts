import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { GetRoleCredentialsCommand, SSOClient } from '@aws-sdk/client-sso';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index';
import { cameras, controlPlane, rejection, startTestEmulator, sts, type Emulator } from './support';

const ACCOUNT = '123456789012';

let emulator: Emulator;
let advance: (ms: number) => void;
let now: () => number;
let freeze: () => void;
let unfreeze: () => void;

beforeAll(async () => {
  ({ emulator, advance, now, freeze, unfreeze } = await startTestEmulator({ cameras: cameras('sso-cam') }));
});
afterAll(() => emulator?.stop());

/** The real SSO client, pointed at the emulator as the app points the SDK's SSO provider (no signing: a bearer token). */
const portal = () => new SSOClient({ region: 'us-east-1', endpoint: emulator.url, maxAttempts: 1 });
const getRoleCredentials = (accessToken: string, roleName = 'KvsViewer', accountId = ACCOUNT) => portal().send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }));

describe('IAM Identity Center portal: GetRoleCredentials (real @aws-sdk/client-sso)', () => {
  it('trades a valid token for role credentials that KVS and STS accept until they expire', async () => {
    // The emulator's clock stands still while the times are compared.
    freeze();
    let roleCredentials;
    try {
      const { accessToken, expiresAt } = emulator.sso.issueToken({ ttlSeconds: 3600, roleSeconds: 60 });
      expect(expiresAt.getTime()).toBe(now() + 3600_000);
      ({ roleCredentials } = await getRoleCredentials(accessToken));
      expect(roleCredentials).toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/), secretAccessKey: expect.any(String), sessionToken: expect.any(String) });
      // Epoch milliseconds, whole seconds, as the portal sends them.
      expect(roleCredentials!.expiration).toBe(Math.floor((now() + 60_000) / 1000) * 1000);
    } finally {
      unfreeze();
    }

    const credentials = { accessKeyId: roleCredentials!.accessKeyId!, secretAccessKey: roleCredentials!.secretAccessKey!, sessionToken: roleCredentials!.sessionToken! };
    const who = await sts(emulator, { credentials }).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/AWSReservedSSO_KvsViewer_[0-9a-f]+\//);
    expect((await controlPlane(emulator, { credentials }).send(new ListStreamsCommand({}))).StreamInfoList?.length).toBeGreaterThan(0);

    advance(61_000);
    expect(await rejection(controlPlane(emulator, { credentials }).send(new ListStreamsCommand({})))).toMatchObject({ name: 'ExpiredTokenException' });
    expect(emulator.sso.counters().issued).toBeGreaterThanOrEqual(1);
  });

  it('an expired, unknown or revoked token is UnauthorizedException (401)', async () => {
    const short = emulator.sso.issueToken({ ttlSeconds: 5 });
    advance(6_000);
    const expired = await rejection(getRoleCredentials(short.accessToken));
    expect(expired).toMatchObject({ name: 'UnauthorizedException', message: 'Session token not found or invalid', $metadata: { httpStatusCode: 401 } });
    expect(await rejection(getRoleCredentials('aoa-never-issued'))).toMatchObject({ name: 'UnauthorizedException' });
    const live = emulator.sso.issueToken({ ttlSeconds: 3600 });
    emulator.sso.revokeTokens();
    expect(await rejection(getRoleCredentials(live.accessToken))).toMatchObject({ name: 'UnauthorizedException' });
    expect(emulator.sso.counters().refused['UnauthorizedException']).toBeGreaterThanOrEqual(3);
  });

  it('a role or account the sign-in does not grant is ForbiddenException "No access"', async () => {
    const { accessToken } = emulator.sso.issueToken({ ttlSeconds: 3600, roles: ['KvsViewer'] });
    expect(await rejection(getRoleCredentials(accessToken, 'Admin'))).toMatchObject({ name: 'ForbiddenException', message: 'No access', $metadata: { httpStatusCode: 403 } });
    expect(await rejection(getRoleCredentials(accessToken, 'KvsViewer', '999999999999'))).toMatchObject({ name: 'ForbiddenException' });
  });

  it('no token minting without test controls (the demo never hands out credentials)', async () => {
    const demo = await startEmulator({ port: 0, testControls: false, cameras: [] });
    try {
      expect(() => demo.sso.issueToken({ ttlSeconds: 60 })).toThrow(/testControls/);
    } finally {
      await demo.stop();
    }
  });
});
