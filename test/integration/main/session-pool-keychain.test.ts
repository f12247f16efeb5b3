import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCredentials } from '@napi-rs/keyring/keytar.js';
import { ReplySchema, type CallResponse } from '../../../shared/contract';
import { createKeychainEntries, KEYCHAIN_SERVICE } from '../../../main/accounts/keychain';
import { createAppCore, type AppCore } from '../../../main/compose';
import type { SenderInfo } from '../../../main/ipc/dispatcher';
import { accountInputFor, capturingLogger, filesContaining, inKeychainSession, startTestEmulator, tempDir, type TestEmulator } from './helpers';

/**
 * The session pool across app restarts, with the real keychain (gnome-keyring in the suite's D-Bus
 * session), the real SDK and the emulator: sessions come back from a sealed file whose key only the
 * keychain holds; without the key they are discarded, never read.
 */
const KEY_ACCOUNT = `session-pool-key-test-${process.pid}`;
const entries = createKeychainEntries();
const poolKey = { read: () => entries.get(KEY_ACCOUNT), write: (v: string) => entries.set(KEY_ACCOUNT, v) };
const sender: SenderInfo = { id: 'socket-1', url: 'http://127.0.0.1:1' };
const STREAMS = ['lobby', 'gate-2', 'warehouse'];

let emulator: TestEmulator;
let dir: { path: string; remove: () => Promise<void> };
let accountId: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = await tempDir('pool-keychain');
});
afterAll(async () => {
  await entries.delete(KEY_ACCOUNT).catch(() => false);
  await emulator?.stop();
  await dir?.remove();
});

async function call<T>(core: AppCore, name: string, payload: unknown): Promise<T> {
  const reply = ReplySchema.parse(await core.dispatch(name, payload, sender));
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
  return reply.value as T;
}

async function runApp() {
  const { logger, lines } = capturingLogger();
  const core = await createAppCore({ userDataDir: dir.path, shell: 'browser', demo: false, sessionPoolKey: poolKey, logger });
  await call(core, 'page.attach', { pageId: `page-${Date.now()}` });
  const wall = async () =>
    Promise.all(
      STREAMS.map((streamName, cell) =>
        call<CallResponse<'session.acquire'>>(core, 'session.acquire', { tileId: `wall:${cell}`, stream: { accountId, streamName }, playback: { mode: 'LIVE' } }),
      ),
    );
  return { core, wall, lines };
}

const urlsOf = (answers: Array<CallResponse<'session.acquire'>>) =>
  answers.map((a) => {
    if (a.status !== 'granted') throw new Error(`not granted: ${JSON.stringify(a)}`);
    return a.grant.url;
  });

describe.skipIf(!inKeychainSession)('the session pool across restarts, sealed with a key in the real keychain', () => {
  it('a restarted app plays every tile on the sessions it had, with 0 new GetDASHStreamingSessionURL calls', async () => {
    const first = await runApp();
    accountId = (await call<{ id: string }>(first.core, 'accounts.add', accountInputFor(emulator))).id;
    const urls = urlsOf(await first.wall());
    await first.core.dispose();

    // The key is in the keychain; the file holds no session URL or token in the clear.
    const key = (await findCredentials(KEYCHAIN_SERVICE)).find((c) => c.account === KEY_ACCOUNT);
    expect(key && Buffer.from(key.password, 'base64')).toHaveLength(32);
    expect(await readdir(dir.path)).toContain('session-pool.sealed');
    const tokens = urls.map((u) => new URL(u).searchParams.get('SessionToken')!);
    expect(await filesContaining(dir.path, [...tokens, ...urls])).toEqual([]);

    emulator.control.resetCounters();
    const second = await runApp();
    const again = urlsOf(await second.wall());
    expect(again).toEqual(urls);
    expect(emulator.control.counters().requests.getDASHStreamingSessionURL ?? 0).toBe(0);
    // They still play.
    for (const url of again) expect((await fetch(url)).status).toBe(200);
    await second.core.dispose();
  });

  it('with its key gone from the keychain the saved pool is discarded, and new sessions are asked for', async () => {
    expect(await entries.delete(KEY_ACCOUNT)).toBe(true);
    emulator.control.resetCounters();
    const third = await runApp();
    const urls = urlsOf(await third.wall());
    expect(emulator.control.counters().requests.getDASHStreamingSessionURL).toBe(STREAMS.length);
    expect(third.lines.join('')).toMatch(/discarding the saved session pool: its key is no longer in the keychain/);
    // The old sessions still count until they expire: 2 per camera now.
    expect(third.core.sessions.budget({ accountId, streamName: 'lobby' })).toMatchObject({ used: 2 });
    await third.core.dispose();
    // A fresh key sealed the new pool.
    expect(await entries.get(KEY_ACCOUNT)).toBeDefined();
    expect(await readFile(join(dir.path, 'session-pool.sealed'), 'utf8')).not.toContain(new URL(urls[0]!).searchParams.get('SessionToken')!);
    // Removing the account takes its quota out of the settings too.
    const fourth = await runApp();
    await call(fourth.core, 'settings.update', { accountQuotas: { [accountId]: { model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare: 0.5 } } });
    await call(fourth.core, 'accounts.remove', { id: accountId });
    expect((await call<{ accountQuotas?: Record<string, unknown> }>(fourth.core, 'settings.get', {})).accountQuotas).toEqual({});
    await fourth.core.dispose();
  });
});
