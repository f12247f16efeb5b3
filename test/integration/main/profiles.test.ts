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
