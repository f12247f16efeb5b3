import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findCredentials } from '@napi-rs/keyring/keytar.js';
import type { ConnectionReport } from '../../../shared/model';
import type { AccountChange } from '../../../main/accounts/connection';
import { KEYCHAIN_SERVICE } from '../../../main/accounts/keychain';
import { DEMO_ACCOUNT_ID } from '../../../main/accounts/demo';
import { accountInputFor, capturingLogger, inKeychainSession, startTestEmulator, tempDir, type TestEmulator } from './helpers';
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
let changes: AccountChange[];
beforeEach(async () => {
  dir = await tempDir('accounts');
  services = createServices({ dir: dir.path, logger: capturingLogger().logger });
  changes = [];
  services.accounts.onChange((c) => changes.push(c));
  emulator.control.clearFaults();
});
afterEach(async () => {
  for (const account of await services.accounts.list()) if (account.kind !== 'demo') await services.accounts.remove(account.id);
  await services.close();
  await dir.remove();
});

const keychainAccounts = async () => (await findCredentials(KEYCHAIN_SERVICE)).map((c) => c.account);
const statusOf = (report: ConnectionReport) => Object.fromEntries(report.checks.map((c) => [c.check, c.status]));

describe.skipIf(!inKeychainSession)('AccountService against the emulator and the real keychain', () => {
  it('add stores the secret in the keychain only; Test connection checks every step in order', async () => {
    const added = await services.accounts.add(accountInputFor(emulator));
    expect(added).toEqual({ id: added.id, kind: 'keys', name: 'Emulator', region: emulator.region, accessKeyId: emulator.credentials.accessKeyId, hasSessionToken: false, endpoint: emulator.url });
    expect(await keychainAccounts()).toContain(added.id);
    const onDisk = await readFile(join(dir.path, 'accounts.json'), 'utf8');
    expect(onDisk).toContain(added.id);
    expect(onDisk).not.toContain(emulator.credentials.secretAccessKey);

    const report = await services.accounts.testConnection({ id: added.id });
    expect(report).toMatchObject({ ok: true, streamCount: emulator.cameras.length, truncated: false, identity: { account: '123456789012', arn: expect.stringMatching(/^arn:aws:iam::123456789012:user\//) } });
    expect(report.cause).toBeUndefined();
    expect(statusOf(report)).toEqual({
      network: 'passed',
      region: 'passed',
      identity: 'passed',
      ListStreams: 'passed',
      DescribeStream: 'passed',
      GetDataEndpoint: 'passed',
      // These services have no session broker; the app's own test (connection-test.test.ts) creates the session.
      GetDASHStreamingSessionURL: 'skipped',
      ListFragments: 'passed',
      GetClip: 'passed',
      GetImages: 'passed',
      ListTagsForStream: 'passed',
    });
    expect(report.checks.find((c) => c.check === 'GetClip')?.detail).toMatch(/^Permitted on /);
    expect(JSON.parse(report.policy)).toMatchObject({ Statement: [{ Action: ['kinesisvideo:ListStreams'] }, { Resource: `arn:aws:kinesisvideo:${emulator.region}:123456789012:stream/*/*` }] });
  });

  it('remove deletes the keychain entry, the metadata and the cached catalogue and endpoints', async () => {
    const added = await services.accounts.add(accountInputFor(emulator));
    await services.catalogue.list({ accountId: added.id });
    await services.issuer.issue({ accountId: added.id, streamName: emulator.cameras[0]! }, { mode: 'LIVE' }, 300);
    await services.endpoints.settled();
    expect((await readdir(join(dir.path, 'cache'))).sort()).toEqual([`endpoints-${added.id}.json`, `streams-${added.id}.json`]);

    await services.accounts.remove(added.id);
    expect(changes.at(-1)).toEqual({ accountId: added.id, change: 'removed', identityChanged: true });
    expect(await keychainAccounts()).not.toContain(added.id);
    expect(await readFile(join(dir.path, 'accounts.json'), 'utf8')).not.toContain(added.id);
    expect(await readdir(join(dir.path, 'cache'))).toEqual([]);
    await expect(services.accounts.get(added.id)).rejects.toMatchObject({ appError: { code: 'AccountNotFound' } });
    await expect(services.catalogue.list({ accountId: added.id })).rejects.toMatchObject({ appError: { code: 'AccountNotFound' } });
  });

  it('update replaces the secret in the keychain and rebuilds the clients', async () => {
    const added = await services.accounts.add(accountInputFor(emulator, { secretAccessKey: 'a-wrong-secret-that-is-long-enough' }));
    expect(await services.accounts.testConnection({ id: added.id })).toMatchObject({ ok: false, cause: { code: 'SignatureDoesNotMatch', field: 'secretAccessKey' } });
    await expect(services.catalogue.list({ accountId: added.id })).rejects.toMatchObject({ appError: { code: 'InvalidSignatureException' } });

    await services.accounts.update({ id: added.id, secretAccessKey: emulator.credentials.secretAccessKey, name: 'Renamed' });
    expect(changes.at(-1)).toEqual({ accountId: added.id, change: 'updated', identityChanged: true });
    expect((await services.accounts.get(added.id)).name).toBe('Renamed');
    expect(await services.accounts.testConnection({ id: added.id })).toMatchObject({ ok: true });
    // The cached control client was built with the old secret; a working call proves it was replaced.
    expect((await services.catalogue.list({ accountId: added.id, refresh: true })).streams.length).toBe(emulator.cameras.length);
  });

  it('update with null removes a role, a custom endpoint and a session token', async () => {
    const added = await services.accounts.add(accountInputFor(emulator, { sessionToken: 'temporary-token-value', roleArn: 'arn:aws:iam::123456789012:role/Viewer' }));
    expect(added).toMatchObject({ hasSessionToken: true, roleArn: 'arn:aws:iam::123456789012:role/Viewer', endpoint: emulator.url });

    const cleared = await services.accounts.update({ id: added.id, roleArn: null, sessionToken: null });
    expect(cleared).toMatchObject({ kind: 'keys', hasSessionToken: false, endpoint: emulator.url });
    expect(cleared).not.toHaveProperty('roleArn');
    // The secret stayed; only the token went, so plain keys now work against the emulator.
    expect(await services.accounts.testConnection({ id: added.id })).toMatchObject({ ok: true });

    const noEndpoint = await services.accounts.update({ id: added.id, endpoint: null });
    expect(noEndpoint.endpoint).toBeUndefined();
    expect(await readFile(join(dir.path, 'accounts.json'), 'utf8')).not.toContain(emulator.url);
  });

  it('a rename keeps the caches; a region change drops them, and a listing still in flight cannot write the old streams back', async () => {
    const added = await services.accounts.add(accountInputFor(emulator));
    await services.catalogue.all(added.id);
    const cacheFile = join(dir.path, 'cache', `streams-${added.id}.json`);
    await services.accounts.update({ id: added.id, name: 'Lobby cameras' });
    expect(changes.at(-1)).toEqual({ accountId: added.id, change: 'updated', identityChanged: false });
    expect(await readFile(cacheFile, 'utf8')).toContain(emulator.cameras[0]!);

    // A listing of the old identity is on its way when the region changes.
    emulator.control.setLatency('listStreams', 1500);
    const inFlight = services.catalogue.all(added.id, { refresh: true });
    await new Promise((r) => setTimeout(r, 300));
    await services.accounts.update({ id: added.id, region: 'eu-west-1' });
    expect(changes.at(-1)).toEqual({ accountId: added.id, change: 'updated', identityChanged: true });
    await expect(inFlight).rejects.toMatchObject({ appError: { code: 'AccountChanged', retryable: true } });
    emulator.control.setLatency('listStreams', 0);
    await expect(readFile(cacheFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    // The new identity (a region the emulator doesn't serve) gets its own answer: the region is wrong.
    await expect(services.catalogue.all(added.id)).rejects.toMatchObject({ appError: { field: 'region' } });
  });

  it('switching an access-keys account to a profile deletes its keychain entry', async () => {
    const added = await services.accounts.add(accountInputFor(emulator));
    expect(await keychainAccounts()).toContain(added.id);
    const switched = await services.accounts.update({ id: added.id, kind: 'profile', profile: 'kvs-viewer' });
    expect(switched).toEqual({ id: added.id, kind: 'profile', name: 'Emulator', region: emulator.region, profile: 'kvs-viewer', endpoint: emulator.url });
    expect(await keychainAccounts()).not.toContain(added.id);
    expect(await readFile(join(dir.path, 'accounts.json'), 'utf8')).not.toContain(emulator.credentials.accessKeyId);
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
});

describe('the Demo cameras account', () => {
  it('is always listed first, can be hidden and shown again, never removed, and stays usable', async () => {
    const withDemo = createServices({
      dir: dir.path,
      logger: capturingLogger().logger,
      demo: { ensureStarted: async () => ({ endpoint: emulator.url, region: emulator.region, ...emulator.credentials }) },
    });
    const demoChanges: AccountChange[] = [];
    withDemo.accounts.onChange((c) => demoChanges.push(c));
    try {
      expect(await withDemo.accounts.list()).toEqual([{ id: DEMO_ACCOUNT_ID, kind: 'demo', name: 'Demo cameras', region: emulator.region, hidden: false }]);
      expect(await withDemo.accounts.testConnection({ id: DEMO_ACCOUNT_ID })).toMatchObject({ ok: true, streamCount: emulator.cameras.length });
      const added = await withDemo.accounts.add({ kind: 'chain', name: 'Kiosk role', region: 'us-east-1' });
      expect((await withDemo.accounts.list()).map((a) => a.id)).toEqual([DEMO_ACCOUNT_ID, added.id]);

      expect(await withDemo.accounts.setDemoHidden(true)).toMatchObject({ id: DEMO_ACCOUNT_ID, hidden: true });
      expect(demoChanges.at(-1)).toEqual({ accountId: DEMO_ACCOUNT_ID, change: 'updated', identityChanged: false });
      // Hidden is remembered across restarts, and hidden is not gone: walls on demo cameras keep playing.
      const restarted = createServices({ dir: dir.path, logger: capturingLogger().logger, demo: { ensureStarted: async () => ({ endpoint: emulator.url, region: emulator.region, ...emulator.credentials }) } });
      expect((await restarted.accounts.list())[0]).toMatchObject({ id: DEMO_ACCOUNT_ID, hidden: true });
      await restarted.close();
      expect((await withDemo.catalogue.list({ accountId: DEMO_ACCOUNT_ID })).streams.length).toBe(emulator.cameras.length);

      await expect(withDemo.accounts.remove(DEMO_ACCOUNT_ID)).rejects.toMatchObject({ appError: { code: 'InvalidRequest', message: expect.stringMatching(/can be hidden/) } });
      await expect(withDemo.accounts.add({ kind: 'chain', name: 'demo cameras', region: 'us-east-1' })).rejects.toMatchObject({ appError: { field: 'name' } });
      expect(await withDemo.accounts.setDemoHidden(false)).toMatchObject({ hidden: false });
      await withDemo.accounts.remove(added.id);
    } finally {
      await withDemo.close();
    }
  });
});
