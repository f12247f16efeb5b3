import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CredentialStatus } from '../../../shared/model';
import { createAwsHome, type AwsHome } from './aws-home';
import { capturingLogger, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { createServices } from './services';

/**
 * Profile and default-chain accounts with the AWS SDK's own credential providers (fromIni,
 * fromNodeProviderChain) reading fixture files in a throwaway HOME, their STS and SSO calls answered
 * by the emulator. No keychain is involved: these kinds store no secret.
 */
let emulator: TestEmulator;
let home: AwsHome;
let dir: { path: string; remove: () => Promise<void> };
let services: ReturnType<typeof createServices>;
let statuses: CredentialStatus[];

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(async () => {
  home = await createAwsHome();
  dir = await tempDir('profiles');
  statuses = [];
  services = createServices({
    dir: dir.path,
    logger: capturingLogger().logger,
    // Short retry waits, so a test sees the schedule without waiting minutes.
    accountOptions: { renewal: { transientRetry: { baseMs: 200, capMs: 1_000 }, actionRetryMs: 60_000 } },
  });
  services.accounts.onStatus((s) => statuses.push(s));
});
afterEach(async () => {
  await services.close();
  await dir.remove();
  await home.restore();
});

const STATIC = () => `[emulator]\naws_access_key_id = ${emulator.credentials.accessKeyId}\naws_secret_access_key = ${emulator.credentials.secretAccessKey}\n`;
const addProfile = (profile: string, name = 'Profile account') => services.accounts.add({ kind: 'profile', name, region: emulator.region, profile, endpoint: emulator.url });
const runs = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

describe('AWS profile accounts (real SDK providers, fixture files, the emulator)', () => {
  it('a profile with static keys in the credentials file', async () => {
    await home.writeCredentials(STATIC());
    const account = await addProfile('emulator');
    expect(account).toEqual({ id: account.id, kind: 'profile', name: 'Profile account', region: emulator.region, profile: 'emulator', endpoint: emulator.url });
    expect((await services.catalogue.all(account.id)).streams.map((s) => s.name).sort()).toEqual([...emulator.cameras].sort());
    // Nothing about the keys is stored by KVS Wall.
    expect(await readFile(`${dir.path}/accounts.json`, 'utf8')).not.toContain(emulator.credentials.accessKeyId);
  });

  it('a profile with credential_process: the command runs, and runs again before its credentials expire', async () => {
    const proc = await home.writeCredentialProcess('get-creds', { Version: 1, AccessKeyId: emulator.credentials.accessKeyId, SecretAccessKey: emulator.credentials.secretAccessKey, ExpiresInSeconds: 3 });
    await home.writeConfig(`[profile ops-process]\ncredential_process = ${proc.command}\n`);
    const account = await addProfile('ops-process');
    expect((await services.catalogue.all(account.id)).streams.length).toBe(emulator.cameras.length);
    expect(await runs(proc.runsFile)).toBe(1);
    // 3-second credentials renew at two thirds of their life, on their own, while nobody calls AWS.
    await vi.waitFor(async () => expect(await runs(proc.runsFile)).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 200 });
    expect((await services.catalogue.all(account.id, { refresh: true })).streams.length).toBe(emulator.cameras.length);
    expect(statuses.every((s) => s.state === 'ok')).toBe(true);
  });

  it('a failing credential_process is named, with what to do', async () => {
    await home.writeConfig(`[profile broken]\ncredential_process = "${process.execPath}" -e "process.exit(3)"\n`);
    const account = await addProfile('broken');
    await expect(services.catalogue.all(account.id)).rejects.toMatchObject({ appError: { code: 'CredentialProcessFailed', retryable: true } });
    expect(statuses.at(-1)).toMatchObject({ accountId: account.id, state: 'action', action: expect.stringMatching(/Run that command in a terminal/) });
  });

  it('a profile that does not exist', async () => {
    const account = await addProfile('nobody');
    await expect(services.catalogue.all(account.id)).rejects.toMatchObject({ appError: { code: 'ProfileNotFound' } });
    expect(statuses.at(-1)).toMatchObject({ state: 'action', action: expect.stringMatching(/^Add it \(aws configure --profile nobody/) });
    // Fixed in the file, then Retry: it works, without editing the account.
    await home.writeCredentials(STATIC().replace('[emulator]', '[nobody]'));
    expect(await services.accounts.retry(account.id)).toMatchObject({ state: 'ok' });
    expect((await services.catalogue.all(account.id)).streams.length).toBe(emulator.cameras.length);
  });

  it('the profiles in the files are listed by name and kind, never with their keys', async () => {
    await home.writeCredentials(STATIC());
    await home.writeConfig('[profile ops-sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = KvsViewer\nregion = eu-west-1\n\n[profile viewer]\nrole_arn = arn:aws:iam::123456789012:role/KvsViewer\nsource_profile = emulator\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n');
    const { profiles, error } = await services.accounts.profiles();
    expect(error).toBeUndefined();
    expect(profiles).toEqual([
      { name: 'emulator', source: 'static' },
      { name: 'ops-sso', source: 'sso', region: 'eu-west-1' },
      { name: 'viewer', source: 'role' },
    ]);
    expect(JSON.stringify(profiles)).not.toContain(emulator.credentials.secretAccessKey);
  });
});

describe('role chains and temporary credentials (SDK providers, emulator STS)', () => {
  const viewerRole = () => `arn:aws:iam::${emulator.accountId}:role/KvsViewer`;

  it('a role chain: the source profile assumes the role; calls are made as the role', async () => {
    await home.writeCredentials(STATIC());
    await home.writeConfig(`[profile viewer]\nrole_arn = ${viewerRole()}\nsource_profile = emulator\nrole_session_name = wall\n`);
    const account = await addProfile('viewer');
    const report = await services.accounts.testConnection({ id: account.id });
    expect(report).toMatchObject({ ok: true, identity: { arn: `arn:aws:sts::${emulator.accountId}:assumed-role/KvsViewer/wall` } });
  });

  it('temporary credentials that expire during a run are renewed before they do; no call is refused as expired', async () => {
    await home.writeCredentials(STATIC());
    // Roles of 3 seconds (the emulator's test controls allow it): several renewals in a few seconds.
    await home.writeConfig(`[profile short]\nrole_arn = ${viewerRole()}\nsource_profile = emulator\nduration_seconds = 3\n`);
    emulator.control.resetCounters();
    const account = await addProfile('short');
    const deadline = Date.now() + 8_000;
    let calls = 0;
    while (Date.now() < deadline) {
      // The wall's own traffic meanwhile: listings with whatever credentials are current.
      expect((await services.catalogue.all(account.id, { refresh: true })).streams.length).toBe(emulator.cameras.length);
      calls++;
      await new Promise((r) => setTimeout(r, 250));
    }
    const counters = emulator.control.counters();
    expect(counters.requests.assumeRole ?? 0).toBeGreaterThanOrEqual(3);
    expect(counters.errorTypes.listStreams ?? {}).toEqual({});
    expect(calls).toBeGreaterThan(10);
    expect(statuses.filter((s) => s.accountId === account.id).every((s) => s.state === 'ok')).toBe(true);
  });

  it('a role the source credentials may not assume: named, with what to allow', async () => {
    await home.writeCredentials(STATIC());
    await home.writeConfig('[profile other]\nrole_arn = arn:aws:iam::999999999999:role/Elsewhere\nsource_profile = emulator\n');
    const account = await addProfile('other');
    await expect(services.catalogue.all(account.id)).rejects.toMatchObject({ appError: { code: 'RoleDenied' } });
    expect(statuses.at(-1)).toMatchObject({ state: 'action', action: expect.stringMatching(/trust policy, then press Retry/) });
  });

  it('a role that needs an MFA code: an unattended wall says it cannot type one', async () => {
    await home.writeCredentials(STATIC());
    await home.writeConfig(`[profile mfa]\nrole_arn = ${viewerRole()}\nsource_profile = emulator\nmfa_serial = arn:aws:iam::${emulator.accountId}:mfa/ops\n`);
    const account = await addProfile('mfa');
    await expect(services.catalogue.all(account.id)).rejects.toMatchObject({ appError: { code: 'MfaRequired' } });
  });
});

describe('IAM Identity Center (SSO) profiles: the token aws sso login caches', () => {
  const START_URL = 'https://example.awsapps.com/start';
  const ssoConfig = (chainedSeconds = 3600) =>
    `[profile ops-sso]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\nsso_account_id = ${emulator.accountId}\nsso_role_name = KvsViewer\n\n[profile ops-viewer]\nrole_arn = arn:aws:iam::${emulator.accountId}:role/KvsViewer\nsource_profile = ops-sso\nduration_seconds = ${chainedSeconds}\n`;
  const signIn = async (ttlSeconds: number, roleSeconds: number) => {
    const token = emulator.sso.issueToken({ ttlSeconds, roleSeconds });
    await home.writeSsoToken(START_URL, { ...token, region: 'us-east-1' });
    return token;
  };

  it('a valid cached token gives the role credentials, and they renew through the portal', async () => {
    await home.writeConfig(ssoConfig());
    await signIn(3600, 3);
    const before = emulator.sso.counters().issued;
    const account = await addProfile('ops-sso');
    const report = await services.accounts.testConnection({ id: account.id });
    expect(report).toMatchObject({ ok: true, identity: { arn: expect.stringMatching(/assumed-role\/AWSReservedSSO_KvsViewer_/) } });
    await vi.waitFor(() => expect(emulator.sso.counters().issued - before).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 200 });
    expect(statuses.filter((s) => s.accountId === account.id).every((s) => s.state === 'ok')).toBe(true);
  });

  it('an expired sign-in: the credentials in use keep working until they expire, then the account says "aws sso login", and Retry after it works', async () => {
    // A sign-in that ends in 2 s; the chained role's credentials last 6 s (renewed at 4 s, after the sign-in is over).
    await home.writeConfig(ssoConfig(6));
    await signIn(2, 3600);
    const account = await addProfile('ops-viewer', 'Ops through SSO');
    expect((await services.catalogue.all(account.id)).streams.length).toBe(emulator.cameras.length);
    await vi.waitFor(() => expect(statuses.at(-1)).toMatchObject({ accountId: account.id, state: 'action', error: { code: 'SsoLoginRequired' } }), { timeout: 10_000, interval: 100 });
    const status = statuses.at(-1)!;
    // It names the profile that signs in (the source of the chain), and the command to run.
    expect(status).toMatchObject({ command: 'aws sso login --profile ops-sso', action: 'Run aws sso login --profile ops-sso, then press Retry.' });
    // The credentials obtained before are still valid for a while: calls keep working on them.
    expect(status.expiresAt).toBeGreaterThan(Date.now());
    expect((await services.catalogue.all(account.id, { refresh: true })).streams.length).toBe(emulator.cameras.length);

    // `aws sso login` again, then Retry.
    await signIn(3600, 3600);
    expect(await services.accounts.retry(account.id)).toMatchObject({ state: 'ok' });
    expect(statuses.at(-1)).toMatchObject({ accountId: account.id, state: 'ok' });
  });

  it('a token the portal refuses (signed out elsewhere) is the same "aws sso login" action', async () => {
    await home.writeConfig(ssoConfig());
    await signIn(3600, 3600);
    emulator.sso.revokeTokens();
    const account = await addProfile('ops-sso');
    await expect(services.catalogue.all(account.id)).rejects.toMatchObject({ appError: { code: 'SsoLoginRequired' } });
    expect(statuses.at(-1)).toMatchObject({ command: 'aws sso login --profile ops-sso' });
    // Test connection says the same, with what to do.
    const report = await services.accounts.testConnection({ id: account.id });
    expect(report.checks.filter((c) => c.status === 'failed').map((c) => c.check)).toEqual(['identity']);
    expect(report.cause).toMatchObject({ code: 'SsoLoginRequired', message: expect.stringMatching(/has expired or is missing.* Run aws sso login --profile ops-sso, then press Retry\.$/) });
  });
});

describe('default-chain accounts', () => {
  it('uses the default profile of the shared files when the environment has no keys', async () => {
    await home.writeCredentials(STATIC().replace('[emulator]', '[default]'));
    const account = await services.accounts.add({ kind: 'chain', name: 'Kiosk', region: emulator.region, endpoint: emulator.url });
    expect((await services.catalogue.all(account.id)).streams.length).toBe(emulator.cameras.length);
  });

  it('finding nothing says what the chain looked for', async () => {
    const account = await services.accounts.add({ kind: 'chain', name: 'Kiosk', region: emulator.region, endpoint: emulator.url });
    await expect(services.catalogue.all(account.id)).rejects.toMatchObject({ appError: { code: 'NoCredentials' } });
    expect(statuses.at(-1)).toMatchObject({ state: 'action', action: expect.stringMatching(/instance profile/) });
  });
});
