import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findCredentials } from '@napi-rs/keyring/keytar.js';
import { KEYCHAIN_SERVICE } from '../../../main/accounts/keychain';
import { DEMO_ACCOUNT_ID } from '../../../main/accounts/demo';
import { accountInputFor, capturingLogger, closedPort, inKeychainSession, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { createServices } from './services';

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

let dir: { path: string; remove: () => Promise<void> };
let services: ReturnType<typeof createServices>;
beforeEach(async () => {
  dir = await tempDir('accounts');
  services = createServices({ dir: dir.path, logger: capturingLogger().logger });
  emulator.control.clearFaults();
});
afterEach(async () => {
  for (const account of await services.accounts.list()) if (account.kind === 'aws') await services.accounts.remove(account.id);
  await services.close();
  await dir.remove();
});

const keychainAccounts = async () => (await findCredentials(KEYCHAIN_SERVICE)).map((c) => c.account);

describe.skipIf(!inKeychainSession)('AccountService against the emulator and the real keychain', () => {
  it('add stores the secret in the keychain only, and the connection test lists the streams', async () => {
    const added = await services.accounts.add(accountInputFor(emulator));
    expect(added).toEqual({ id: added.id, kind: 'aws', name: 'Emulator', region: emulator.region, accessKeyId: emulator.credentials.accessKeyId, hasSessionToken: false, endpoint: emulator.url });
    expect(await keychainAccounts()).toContain(added.id);
    const onDisk = await readFile(join(dir.path, 'accounts.json'), 'utf8');
    expect(onDisk).toContain(added.id);
    expect(onDisk).not.toContain(emulator.credentials.secretAccessKey);

    const result = await services.accounts.testConnection({ id: added.id });
    expect(result).toEqual({ ok: true, streamCount: emulator.cameras.length, truncated: false });
  });

  it('remove deletes the keychain entry, the metadata and the cached catalogue and endpoints', async () => {
    const added = await services.accounts.add(accountInputFor(emulator));
    await services.catalogue.list({ accountId: added.id });
    await services.issuer.issue({ accountId: added.id, streamName: emulator.cameras[0]! }, { mode: 'LIVE' }, 300);
    await services.endpoints.settled();
    expect((await readdir(join(dir.path, 'cache'))).sort()).toEqual([`endpoints-${added.id}.json`, `streams-${added.id}.json`]);

    await services.accounts.remove(added.id);
    expect(await keychainAccounts()).not.toContain(added.id);
    expect(await readFile(join(dir.path, 'accounts.json'), 'utf8')).not.toContain(added.id);
    expect(await readdir(join(dir.path, 'cache'))).toEqual([]);
    await expect(services.accounts.get(added.id)).rejects.toMatchObject({ appError: { code: 'AccountNotFound' } });
    await expect(services.catalogue.list({ accountId: added.id })).rejects.toMatchObject({ appError: { code: 'AccountNotFound' } });
  });

  it('update replaces the secret in the keychain and rebuilds the clients', async () => {
    const added = await services.accounts.add(accountInputFor(emulator, { secretAccessKey: 'a-wrong-secret-that-is-long-enough' }));
    expect(await services.accounts.testConnection({ id: added.id })).toMatchObject({ ok: false, error: { code: 'InvalidSignatureException' } });
    await expect(services.catalogue.list({ accountId: added.id })).rejects.toMatchObject({ appError: { code: 'InvalidSignatureException' } });

    await services.accounts.update({ id: added.id, secretAccessKey: emulator.credentials.secretAccessKey, name: 'Renamed' });
    expect((await services.accounts.get(added.id)).name).toBe('Renamed');
    expect(await services.accounts.testConnection({ id: added.id })).toMatchObject({ ok: true });
    // The cached control client was built with the old secret; a working call proves it was replaced.
    expect((await services.catalogue.list({ accountId: added.id, refresh: true })).streams.length).toBe(emulator.cameras.length);
  });

  it('update with null removes a role, a custom endpoint and a session token', async () => {
    const added = await services.accounts.add(
      accountInputFor(emulator, { sessionToken: 'temporary-token-value', roleArn: 'arn:aws:iam::123456789012:role/Viewer' }),
    );
    expect(added).toMatchObject({ hasSessionToken: true, roleArn: 'arn:aws:iam::123456789012:role/Viewer', endpoint: emulator.url });

    const cleared = await services.accounts.update({ id: added.id, roleArn: null, sessionToken: null });
    expect(cleared.roleArn).toBeUndefined();
    expect(cleared.hasSessionToken).toBe(false);
    expect(cleared.endpoint).toBe(emulator.url);
    // The secret stayed; only the token went, so plain keys now work against the emulator.
    expect(await services.accounts.testConnection({ id: added.id })).toMatchObject({ ok: true });

    const noEndpoint = await services.accounts.update({ id: added.id, endpoint: null });
    expect(noEndpoint.endpoint).toBeUndefined();
    expect(await readFile(join(dir.path, 'accounts.json'), 'utf8')).not.toContain(emulator.url);
  });

  it('refuses a duplicate name and keeps nothing of the refused account', async () => {
    await services.accounts.add(accountInputFor(emulator));
    const before = await keychainAccounts();
    await expect(services.accounts.add(accountInputFor(emulator, { name: 'emulator' }))).rejects.toMatchObject({ appError: { code: 'InvalidRequest', field: 'name' } });
    expect(await keychainAccounts()).toEqual(before);
    expect((await services.accounts.list()).length).toBe(1);
  });

  it('an accounts.json that cannot be saved leaves no secret behind', async () => {
    await services.accounts.list();
    // The data folder vanishes behind the service's back and a plain file takes its name:
    // the keychain step succeeds, the metadata write cannot.
    await rm(dir.path, { recursive: true, force: true });
    await writeFile(dir.path, 'not a folder');
    const before = await keychainAccounts();
    try {
      await expect(services.accounts.add(accountInputFor(emulator, { name: 'Unsaved' }))).rejects.toMatchObject({ appError: { code: 'StoreCorrupt' } });
      expect(await keychainAccounts()).toEqual(before);
    } finally {
      await rm(dir.path, { force: true });
      await mkdir(dir.path);
    }
  });

  it('the demo account is listed only while there is no AWS account, and stays usable by id', async () => {
    const withDemo = createServices({
      dir: dir.path,
      logger: capturingLogger().logger,
      demo: { ensureStarted: async () => ({ endpoint: emulator.url, region: emulator.region, ...emulator.credentials }) },
    });
    try {
      expect((await withDemo.accounts.list()).map((a) => [a.id, a.kind, a.name])).toEqual([[DEMO_ACCOUNT_ID, 'demo', 'Demo cameras']]);
      expect(await withDemo.accounts.testConnection({ id: DEMO_ACCOUNT_ID })).toEqual({ ok: true, streamCount: emulator.cameras.length, truncated: false });
      const added = await withDemo.accounts.add(accountInputFor(emulator));
      expect((await withDemo.accounts.list()).map((a) => a.id)).toEqual([added.id]);
      expect((await withDemo.catalogue.list({ accountId: DEMO_ACCOUNT_ID })).streams.length).toBe(emulator.cameras.length);
      await expect(withDemo.accounts.remove(DEMO_ACCOUNT_ID)).rejects.toMatchObject({ appError: { code: 'InvalidRequest' } });
      expect((await findCredentials(KEYCHAIN_SERVICE)).some((c) => c.account === DEMO_ACCOUNT_ID)).toBe(false);
      await withDemo.accounts.remove(added.id);
    } finally {
      await withDemo.close();
    }
  });
});

describe('connection test with an unsaved draft (real SDK against the emulator)', () => {
  it('right keys → ok with the stream count', async () => {
    expect(await services.accounts.testConnection({ draft: accountInputFor(emulator) })).toEqual({ ok: true, streamCount: emulator.cameras.length, truncated: false });
  });

  it('wrong secret → "the access key id or secret is wrong"', async () => {
    const result = await services.accounts.testConnection({ draft: accountInputFor(emulator, { secretAccessKey: 'definitely-not-the-right-secret-key' }) });
    expect(result).toMatchObject({ ok: false, error: { code: 'InvalidSignatureException', retryable: false } });
    if (!result.ok) expect(result.error.message).toMatch(/^The access key id or secret is wrong/);
  });

  it('unknown access key id → the same plain message', async () => {
    const result = await services.accounts.testConnection({ draft: accountInputFor(emulator, { accessKeyId: 'AKIAUNKNOWNKEY000000' }) });
    expect(result).toMatchObject({ ok: false, error: { code: 'UnrecognizedClientException', message: expect.stringMatching(/^The access key id or secret is wrong/) } });
  });

  it('throttled by the service → the throttled message, retryable', async () => {
    emulator.control.throttle('listStreams', 1);
    const result = await services.accounts.testConnection({ draft: accountInputFor(emulator) });
    expect(result).toMatchObject({ ok: false, error: { code: 'ClientLimitExceededException', retryable: true, message: expect.stringMatching(/throttling/) } });
    if (!result.ok) expect(result.error.retryAt).toBeGreaterThan(Date.now() - 1000);
  });

  it('nothing listening at the endpoint → the network message', async () => {
    const port = await closedPort();
    const result = await services.accounts.testConnection({ draft: accountInputFor(emulator, { endpoint: `http://127.0.0.1:${port}` }) });
    expect(result).toMatchObject({ ok: false, error: { code: 'NetworkError', retryable: true } });
    if (!result.ok) expect(result.error.message).toBe(`The endpoint 127.0.0.1:${port} refused the connection (nothing is listening there). Check the endpoint, or whether the service is running.`);
  });

  it('a region that does not exist is refused before any call', async () => {
    expect(await services.accounts.testConnection({ draft: accountInputFor(emulator, { region: 'us-west-9' }) })).toMatchObject({ ok: false, error: { code: 'UnknownRegion', field: 'region' } });
  });

  it('a service outage → retryable ServiceUnavailable', async () => {
    emulator.control.failNext('listStreams', 1, 503);
    expect(await services.accounts.testConnection({ draft: accountInputFor(emulator) })).toMatchObject({ ok: false, error: { code: 'ServiceUnavailable', retryable: true } });
  });
});
