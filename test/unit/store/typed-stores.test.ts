import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Wall } from '../../../shared/model';
import { createAccountCaches } from '../../../main/store/account-caches';
import { createAccountsStore } from '../../../main/store/accounts-store';
import { createNoticeBoard } from '../../../main/store/notices';
import { createSettingsStore, DEFAULT_SETTINGS } from '../../../main/store/settings-store';
import { createWallsStore } from '../../../main/store/walls-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvs-wall-stores-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const wall = (id: string, name = id): Wall => ({ id, name, grid: 2, tiles: [{ cell: 0, colSpan: 1, rowSpan: 1, muted: true, stream: { accountId: 'demo', streamName: 'lobby' } }] });

describe('settings store', () => {
  it('starts from defaults and merges partial updates', async () => {
    const store = createSettingsStore({ dir });
    expect(await store.get()).toEqual({ sessionExpiresSeconds: 1800, sessionReservePerStream: 0 });
    expect(DEFAULT_SETTINGS.sessionExpiresSeconds).toBe(1800);
    await store.update({ sessionReservePerStream: 2 });
    await store.update({ lastWallId: 'w1' });
    expect(await createSettingsStore({ dir }).get()).toEqual({ sessionExpiresSeconds: 1800, sessionReservePerStream: 2, lastWallId: 'w1' });
  });

  it('keeps the clock zone chosen for the wall, and refuses one it does not know', async () => {
    const store = createSettingsStore({ dir });
    await store.update({ clockZone: 'utc' });
    expect((await createSettingsStore({ dir }).get()).clockZone).toBe('utc');
    await expect(store.update({ clockZone: 'mars' as never })).rejects.toMatchObject({ appError: { code: 'InvalidRequest', field: 'clockZone' } });
    expect((await store.get()).clockZone).toBe('utc');
  });

  it('rejects an invalid merge with the field named and keeps the stored value', async () => {
    const store = createSettingsStore({ dir });
    await store.update({ sessionExpiresSeconds: 600 });
    await expect(store.update({ sessionExpiresSeconds: 10 })).rejects.toMatchObject({ appError: { code: 'InvalidRequest', field: 'sessionExpiresSeconds' } });
    expect((await store.get()).sessionExpiresSeconds).toBe(600);
  });

  it('keeps a quota model per account, refusing a reserve that leaves the app no session', async () => {
    const store = createSettingsStore({ dir });
    const quota = { model: 'points' as const, sessionLimit: 10, reservePerStream: 1, pointsShare: 0.25 };
    await store.update({ accountQuotas: { 'acc-1': quota } });
    expect((await createSettingsStore({ dir }).get()).accountQuotas).toEqual({ 'acc-1': quota });
    await expect(store.update({ accountQuotas: { 'acc-1': { ...quota, reservePerStream: 10 } } })).rejects.toMatchObject({
      appError: { code: 'InvalidRequest', field: 'accountQuotas.acc-1.reservePerStream', message: expect.stringMatching(/the reserve must leave at least one session/) },
    });
    await expect(store.update({ accountQuotas: { 'acc-1': { ...quota, pointsShare: 2 } } })).rejects.toMatchObject({ appError: { field: 'accountQuotas.acc-1.pointsShare' } });
    await expect(store.update({ accountQuotas: { '../x': quota } })).rejects.toMatchObject({ appError: { code: 'InvalidRequest' } });
    expect((await store.get()).accountQuotas).toEqual({ 'acc-1': quota });
  });

  it('sets a corrupt settings file aside and tells the app', async () => {
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ version: 1, data: { sessionExpiresSeconds: 'long' } }));
    const notices = createNoticeBoard();
    const store = createSettingsStore({ dir, notices });
    expect(await store.get()).toEqual(DEFAULT_SETTINGS);
    expect(notices.list()[0]?.message).toMatch(/settings\.json could not be used .*sessionExpiresSeconds/);
    expect((await readdir(dir)).some((n) => n.startsWith('settings.json.corrupt-'))).toBe(true);
  });
});

describe('walls store', () => {
  it('creates, replaces, lists and removes walls by id', async () => {
    const store = createWallsStore({ dir });
    await store.save(wall('a'));
    await store.save(wall('b'));
    await store.save(wall('a', 'renamed'));
    expect((await store.list()).map((w) => [w.id, w.name])).toEqual([['a', 'renamed'], ['b', 'b']]);
    expect((await store.get('b'))?.name).toBe('b');
    await store.remove('a');
    expect((await createWallsStore({ dir }).list()).map((w) => w.id)).toEqual(['b']);
  });

  it('fills schema defaults and rejects invalid walls', async () => {
    const store = createWallsStore({ dir });
    const saved = await store.save({ id: 'x', name: 'X', grid: 1, tiles: [{ cell: 0 }] } as Wall);
    expect(saved.tiles[0]).toEqual({ cell: 0, colSpan: 1, rowSpan: 1, muted: true });
    await expect(store.save({ ...wall('y'), grid: 7 })).rejects.toMatchObject({ appError: { code: 'InvalidRequest', field: 'grid' } });
    expect((await store.list()).map((w) => w.id)).toEqual(['x']);
  });

  it('removing an unknown wall is WallNotFound', async () => {
    await expect(createWallsStore({ dir }).remove('nope')).rejects.toMatchObject({ appError: { code: 'WallNotFound' } });
  });

  it('concurrent saves of different walls all land', async () => {
    const store = createWallsStore({ dir });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(wall(`w${i}`))));
    expect((await store.list()).length).toBe(20);
  });
});

describe('accounts store', () => {
  const record = { kind: 'keys' as const, id: 'acc1', name: 'Ops', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', hasSessionToken: false, createdAt: 1, revision: 0, identity: 0 };

  it('stores metadata and refuses a record carrying a secret', async () => {
    const store = createAccountsStore({ dir });
    await store.update((doc) => ({ ...doc, accounts: [record] }));
    expect(await store.read()).toEqual({ accounts: [record], demoHidden: false });
    await expect(store.update((doc) => ({ ...doc, accounts: [{ ...record, secretAccessKey: 'x'.repeat(40) } as typeof record] }))).rejects.toMatchObject({ appError: { code: 'Internal' } });
    expect(await readFile(join(dir, 'accounts.json'), 'utf8')).not.toContain('xxxxxxxx');
  });

  it('keeps profile and chain accounts, which have no keys at all', async () => {
    const store = createAccountsStore({ dir });
    const profile = { kind: 'profile' as const, id: 'p1', name: 'Ops SSO', region: 'eu-west-1', profile: 'ops', createdAt: 2, revision: 0, identity: 0 };
    const chain = { kind: 'chain' as const, id: 'c1', name: 'Instance role', region: 'eu-west-1', createdAt: 3, revision: 0, identity: 0 };
    await store.update((doc) => ({ ...doc, accounts: [profile, chain], demoHidden: true }));
    expect(await createAccountsStore({ dir }).read()).toEqual({ accounts: [profile, chain], demoHidden: true });
    // A profile account carrying key fields is refused, like a secret would be.
    await expect(store.update((doc) => ({ ...doc, accounts: [{ ...profile, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } as typeof profile] }))).rejects.toMatchObject({ appError: { code: 'Internal' } });
  });

  it('reads a format-1 file (a bare list of access-key accounts) as access-keys accounts, demo shown', async () => {
    const { kind: _kind, identity: _identity, ...v1 } = record;
    await writeFile(join(dir, 'accounts.json'), JSON.stringify({ version: 1, data: [{ ...v1, revision: 3 }] }));
    expect(await createAccountsStore({ dir }).read()).toEqual({ accounts: [{ ...record, revision: 3, identity: 3 }], demoHidden: false });
  });

  it('a file that somehow holds a secret is not loaded', async () => {
    const notices = createNoticeBoard();
    await writeFile(join(dir, 'accounts.json'), JSON.stringify({ version: 2, data: { accounts: [{ ...record, secretAccessKey: 'abc' }], demoHidden: false } }));
    expect(await createAccountsStore({ dir, notices }).read()).toEqual({ accounts: [], demoHidden: false });
    expect(notices.list()[0]?.reason).toBe('corrupt');
  });
});

describe('account caches', () => {
  it('keeps one file per account and kind, removed together', async () => {
    const caches = createAccountCaches({ dir });
    await caches.streams('a1').write({ pages: {}, streams: {} });
    await caches.endpoints('a1').write({ entries: [{ streamName: 's', apiName: 'LIST_FRAGMENTS', endpoint: 'https://b-1.example', fetchedAt: 5 }] });
    await caches.endpoints('a2').write({ entries: [] });
    expect((await readdir(join(dir, 'cache'))).sort()).toEqual(['endpoints-a1.json', 'endpoints-a2.json', 'streams-a1.json']);
    await caches.removeAccount('a1');
    expect(await readdir(join(dir, 'cache'))).toEqual(['endpoints-a2.json']);
  });

  it('refuses account ids that are not ids', async () => {
    await mkdir(join(dir, 'cache'));
    expect(() => createAccountCaches({ dir }).streams('../x')).toThrow();
  });
});
