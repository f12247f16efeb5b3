import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../../main/compose';
import { openLogFile } from '../../../main/core/log-files';
import { createLogger } from '../../../main/core/logger';
import { ReplySchema, type CallName, type CallRequest } from '../../../shared/contract';
import { memoryVault } from '../../support/memory-vault';
import { CLIPS, accountInputFor, filesContaining, startTestEmulator, tempDir, type TestEmulator } from './helpers';

const run = promisify(execFile);
const SENDER = { id: 'page-sender', url: 'http://127.0.0.1/' };

/**
 * "Export diagnostics" through the contract, as a window asks for it: with a tile playing a real
 * session, the zip carries the session pool's counters, and no byte of the account's secret key or
 * of the session's URL and token.
 */
describe('diagnostics.export', () => {
  let emulator: TestEmulator;
  let dir: { path: string; remove: () => Promise<void> };
  let core: AppCore;
  let closeLog: () => void;

  const call = async <N extends CallName>(name: N, request: CallRequest<N>) => {
    const reply = ReplySchema.parse(await core.dispatch(name, request, SENDER));
    if (!reply.ok) throw new Error(`${name}: ${reply.error.code}: ${reply.error.message}`);
    return reply.value as never;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator({ cameras: [{ name: 'lobby', file: join(CLIPS, 'lobby.mp4') }] });
    dir = await tempDir('diag-ipc');
    const logFile = openLogFile({ dir: join(dir.path, 'logs'), name: 'kvs-wall' });
    closeLog = () => logFile.close();
    core = await createAppCore({ userDataDir: dir.path, shell: 'browser', version: '1.2.3', demo: false, vault: memoryVault(), sessionPoolKey: false, logger: createLogger(logFile, 'main') });
  });
  afterAll(async () => {
    await core?.dispose();
    closeLog?.();
    await emulator?.stop();
    await dir?.remove();
  });

  it('writes a zip under diagnostics/ with the pool counters and no secret or session URL', async () => {
    const account: { id: string } = await call('accounts.add', accountInputFor(emulator) as CallRequest<'accounts.add'>);
    await call('page.attach', { pageId: 'page-1' });
    const acquired: { status: string; grant: { url: string } } = await call('session.acquire', { tileId: 'lobby-wall:0', stream: { accountId: account.id, streamName: 'lobby' }, playback: { mode: 'LIVE' } });
    expect(acquired.status).toBe('granted');
    const url = acquired.grant.url;
    const token = new URL(url).searchParams.get('SessionToken');
    expect(token?.length).toBeGreaterThan(10);

    const result: { file: string; bytes: number; sections: Record<string, { included: boolean }> } = await call('diagnostics.export', {
      capabilities: { decoders: [{ contentType: 'video/mp4; codecs="avc1.64001f"', supported: true, smooth: true }], hardwareConcurrency: 4 },
    });
    expect(result.file).toMatch(/^diagnostics\/kvs-wall-diagnostics-.*\.zip$/);
    expect(result.sections['session-pool']).toEqual({ included: true });
    expect(result.sections['gpu']).toEqual({ included: true });

    const zip = join(dir.path, result.file);
    const out = join(dir.path, 'unzipped');
    await run('unzip', ['-q', '-o', zip, '-d', out]);
    expect((await readdir(out)).sort()).toEqual(expect.arrayContaining(['session-pool.json', 'settings.json', 'gpu.json', 'logs', 'versions.json']));
    expect(JSON.parse(await readFile(join(out, 'session-pool.json'), 'utf8'))).toMatchObject({ live: 1, leased: 1, free: 0, streams: 1, accounts: 1 });
    expect(JSON.parse(await readFile(join(out, 'gpu.json'), 'utf8'))).toMatchObject({ source: 'browser', decoders: [{ supported: true }] });
    // Every file, every byte: not the secret key, not the session's URL, not its token.
    const needles = [emulator.credentials.secretAccessKey, url, token!, new URL(url).search];
    expect(await filesContaining(out, needles)).toEqual([]);
    const raw = await readFile(zip);
    for (const needle of needles) expect(raw.includes(Buffer.from(needle))).toBe(false);
  }, 60_000);
});
