import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findCredentials } from '@napi-rs/keyring/keytar.js';
import { createKeychainVault, KEYCHAIN_SERVICE } from '../../../main/accounts/keychain';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
// Keychain suites must run inside scripts/test.sh's private D-Bus session; anywhere else they'd touch a real keyring.
const inTestSession = process.env.KVS_WALL_TEST_SESSION === '1';

describe.skipIf(!inTestSession)('OS keychain vault (real Secret Service)', () => {
  it('sets, reads, updates and deletes one JSON entry per account under kvs-wall', async () => {
    const vault = createKeychainVault();
    await vault.probe();
    const id = `kc-${Date.now()}`;
    expect(await vault.get(id)).toBeUndefined();

    await vault.set(id, { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYFIRSTKEY' });
    expect(await vault.get(id)).toEqual({ secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYFIRSTKEY' });
    const entry = (await findCredentials(KEYCHAIN_SERVICE)).find((c) => c.account === id);
    expect(JSON.parse(entry!.password)).toEqual({ secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYFIRSTKEY' });

    await vault.set(id, { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECONDKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' });
    expect(await vault.get(id)).toEqual({ secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECONDKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' });
    expect((await findCredentials(KEYCHAIN_SERVICE)).filter((c) => c.account === id)).toHaveLength(1);

    expect(await vault.delete(id)).toBe(true);
    expect(await vault.delete(id)).toBe(false);
    expect(await vault.get(id)).toBeUndefined();
    expect((await findCredentials(KEYCHAIN_SERVICE)).some((c) => c.account === id)).toBe(false);
  });

  it('reports an entry it cannot parse instead of guessing', async () => {
    const { setPassword, deletePassword } = await import('@napi-rs/keyring/keytar.js');
    const id = `kc-bad-${Date.now()}`;
    await setPassword(KEYCHAIN_SERVICE, id, 'not json');
    await expect(createKeychainVault().get(id)).rejects.toMatchObject({ appError: { code: 'StoreCorrupt', field: 'secretAccessKey' } });
    await deletePassword(KEYCHAIN_SERVICE, id);
  });
});

describe('no keychain reachable', () => {
  it('fails every call with KeychainUnavailable, plainly, and writes the secret nowhere', async () => {
    const home = await mkdtemp(join(tmpdir(), 'kvs-wall-nokeychain-'));
    const dataDir = join(home, 'user-data');
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYNOKEYCHAIN';
    try {
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: home, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'no-keychain-child.ts'), secret, dataDir], { cwd: root, env });
      const results = stdout.trim().split('\n').map((line) => JSON.parse(line) as { call: string; ok: boolean; value?: unknown; appError: { code: string; message: string; field?: string } });
      expect(results.map((r) => r.call)).toEqual(['get', 'set', 'delete', 'probe', 'add', 'keychain', 'add-profile', 'list']);
      for (const result of results.slice(0, 5)) {
        expect(result.ok).toBe(false);
        expect(result.appError.code).toBe('KeychainUnavailable');
        expect(result.appError.message).toMatch(/^The system keychain is not available, so KVS Wall cannot store or read access keys \(and will not keep them anywhere else\)\./);
        // The library's words (a D-Bus address, "zbus") are not the message a person reads.
        expect(result.appError.message).not.toMatch(/zbus|dbus|D-Bus address|unix:path|autolaunch/i);
        expect(result.appError.message).not.toContain(secret);
      }
      // Adding access keys says what the keychain is on Linux and which kinds need none.
      expect(results[4]!.appError).toMatchObject({ field: 'kind', message: expect.stringMatching(/Secret Service.*Add this account as an AWS profile or with the default credential chain instead/) });
      // Asked directly: unavailable, with the platform's steps and the library's reason kept apart.
      expect(results[5]).toMatchObject({ ok: true, value: { available: false, platform: 'linux', explanation: expect.stringMatching(/Secret Service/), detail: expect.any(String) } });
      expect((results[5]!.value as { steps: string[] }).steps.join(' ')).toMatch(/auto-login kiosk/);
      // A profile account needs no keychain; the refused access-keys account left nothing behind.
      expect(results[6]).toMatchObject({ ok: true, value: { kind: 'profile', profile: 'ops' } });
      expect(results.at(-1)).toEqual({ call: 'list', ok: true, value: [{ id: 'acc-profile', kind: 'profile', name: 'Ops SSO', region: 'us-east-1', profile: 'ops' }] });
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
      expect(await filesContaining(home, secret)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name);
    if ((await stat(path)).isFile() && (await readFile(path, 'utf8')).includes(needle)) hits.push(name);
  }
  return hits;
}
