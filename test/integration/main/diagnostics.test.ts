import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLogFile } from '../../../main/core/log-files';
import { createLogger } from '../../../main/core/logger';
import { exportDiagnostics, type DiagnosticsSources } from '../../../main/diagnostics';
import { createSettingsStore } from '../../../main/store/settings-store';
import { createNoticeBoard } from '../../../main/store/notices';
import { systemClock } from '../../../main/core/clock';
import { silentLogger } from '../../../main/core/logger';
import { CLIPS, accountInputFor, filesContaining, inKeychainSession, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { createServices } from './services';

const run = promisify(execFile);

/**
 * Export diagnostics after secrets were planted everywhere they could leak from: the account's
 * secret and session token in the real keychain, a real KVS session URL in the log, the same
 * secrets written raw into an old log file (as a version without today's redaction rules would have),
 * a symlink in the logs folder pointing at a file of secrets, secrets in the settings and in what
 * the account and pool sources return. The zip is opened with Info-ZIP's `unzip`, and every byte of
 * every file in it is scanned.
 */
const TEMP = {
  accessKeyId: 'ASIAKVSWALLDIAG00001',
  secretAccessKey: 'diag-secret-Qm7Tz2Wx9Lp4Rv8Ks1Hb6Nc3Jd5Fg0Ya',
  sessionToken: 'FwoGZXIvYXdzDiagTokenP3w8Xz1Lk6Rt9Vb2Nc7Zq4Kw0Hy5Jd',
};
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.eyJkaWFnIjoxfQ.c2lnbmF0dXJl';

let emulator: TestEmulator;
let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  emulator = await startTestEmulator({ sessionCredentials: [TEMP], cameras: [{ name: 'lobby', file: join(CLIPS, 'lobby.mp4') }] });
  dir = await tempDir('diag');
});
afterAll(async () => {
  await emulator?.stop();
  await dir?.remove();
});

async function unzipAll(zip: string, into: string): Promise<string[]> {
  await run('unzip', ['-t', '-q', zip]);
  await run('unzip', ['-q', '-o', zip, '-d', into]);
  return (await readdir(into, { recursive: true })).map(String).sort();
}

describe.skipIf(!inKeychainSession)('Export diagnostics', () => {
  it('holds logs, settings, versions, GPU and pool counters, and not one byte of any planted secret', async () => {
    const userData = join(dir.path, 'user-data');
    const logsDir = join(userData, 'logs');
    // Small files, so the export has to take rotated ones too.
    const logFile = openLogFile({ dir: logsDir, name: 'kvs-wall', maxBytes: 4096, maxFiles: 3 });
    const logger = createLogger(logFile, 'main');
    const services = createServices({ dir: userData, logger });
    let sessionUrl = '';
    let accountId = '';
    try {
      const account = await services.accounts.add(accountInputFor(emulator, { name: 'Site with temporary keys', ...TEMP }));
      accountId = account.id;
      const grant = await services.issuer.issue({ accountId, streamName: 'lobby' }, { mode: 'LIVE' }, 300);
      sessionUrl = grant.url;
      expect((await fetch(sessionUrl)).status).toBe(200);
      for (let i = 0; i < 40; i++) logger.info('tile live', { tileId: `t${i}`, url: sessionUrl, latencyMs: 3400 + i });
      logger.error('request failed', { headers: { Authorization: `Bearer ${BEARER}` }, body: JSON.stringify({ SecretAccessKey: TEMP.secretAccessKey }) });
    } finally {
      await services.close();
      logFile.close();
    }
    const sessionToken = new URL(sessionUrl).searchParams.get('SessionToken')!;
    expect(sessionToken.length).toBeGreaterThan(10);

    // The secret really is in the keychain: the export must not read it from there.
    const { findCredentials, deletePassword } = await import('@napi-rs/keyring/keytar.js');
    const stored = await findCredentials('kvs-wall');
    expect(stored.some((c) => c.password.includes(TEMP.secretAccessKey))).toBe(true);

    // Raw secrets, as a log file written before today's redaction rules could hold them.
    await writeFile(
      join(logsDir, 'kvs-wall.2.log'),
      [
        `{"t":"2025-01-01T00:00:00Z","level":"info","msg":"old line","url":"${sessionUrl}"}`,
        `{"t":"2025-01-01T00:00:01Z","level":"error","msg":"body {\\"secretAccessKey\\":\\"${TEMP.secretAccessKey}\\",\\"sessionToken\\":\\"${TEMP.sessionToken}\\"}"}`,
        `aws_secret_access_key = ${TEMP.secretAccessKey}`,
        `Authorization: Bearer ${BEARER}`,
        `GET ${emulator.url}/x?X-Amz-Security-Token=${encodeURIComponent(TEMP.sessionToken)}&X-Amz-Signature=${'ab'.repeat(32)}`,
        '',
      ].join('\n'),
    );
    // A symlink in the logs folder is never followed, whatever it points at.
    await writeFile(join(dir.path, 'elsewhere.txt'), `${TEMP.secretAccessKey}\n`);
    await symlink(join(dir.path, 'elsewhere.txt'), join(logsDir, 'linked.log'));

    const settingsStore = createSettingsStore({ dir: userData, clock: systemClock, logger: silentLogger, notices: createNoticeBoard() });
    await settingsStore.update({ sessionExpiresSeconds: 900 });
    const sources: DiagnosticsSources = {
      logsDir,
      versions: { app: '1.2.3', shell: 'electron', electron: '45.4.1', chrome: '142.0.0.0' },
      // The real settings, plus fields a careless future version might put there.
      settings: async () => ({ ...(await settingsStore.get()), proxy: { password: TEMP.secretAccessKey }, lastUrl: sessionUrl }),
      // An account source that (wrongly) hands over everything it knows.
      accounts: async () => [{ ...(await services.accounts.list()).find((a) => a.id === accountId)!, secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken }],
      gpu: () => ({ source: 'electron', featureStatus: { video_decode: 'enabled' }, decoders: [{ contentType: 'video/mp4; codecs="avc1.64001f"', supported: true, smooth: true, powerEfficient: true }] }),
      sessionPool: () => ({ streams: 1, sessionsHeld: 1, reused: 3, lastGrant: { url: sessionUrl, token: sessionToken } }),
    };
    const zipPath = join(dir.path, 'diagnostics.zip');
    const result = await exportDiagnostics(sources, zipPath);

    const out = join(dir.path, 'unzipped');
    const files = await unzipAll(zipPath, out);
    expect(files).toEqual(['README.txt', 'gpu.json', 'logs', 'logs/kvs-wall.1.log', 'logs/kvs-wall.2.log', 'logs/kvs-wall.log', 'manifest.json', 'session-pool.json', 'settings.json', 'versions.json']);
    expect(result.bytes).toBe((await stat(zipPath)).size);
    expect(Object.values(result.sections).every((s) => s.included)).toBe(true);

    // Not one byte of a secret, in any file, nor in the zip as stored.
    const needles = [TEMP.secretAccessKey, TEMP.sessionToken, encodeURIComponent(TEMP.sessionToken), sessionToken, BEARER, emulator.credentials.secretAccessKey, TEMP.accessKeyId];
    expect(await filesContaining(out, needles)).toEqual([]);
    const raw = (await readFile(zipPath)).toString('latin1');
    for (const needle of needles) expect(raw).not.toContain(needle);
    const everything = (await Promise.all(files.filter((f) => f.includes('.')).map((f) => readFile(join(out, f), 'utf8')))).join('\n');
    expect(everything).not.toMatch(/SessionToken=(?!\[redacted\])/);

    // …and what support needs is there.
    const settings = JSON.parse(await readFile(join(out, 'settings.json'), 'utf8'));
    expect(settings.settings).toMatchObject({ sessionExpiresSeconds: 900, proxy: { password: '[redacted]' } });
    expect(settings.accounts).toEqual([expect.objectContaining({ id: accountId, name: 'Site with temporary keys', accessKeyId: 'ASIA…0001', hasSessionToken: true })]);
    expect(settings.accounts[0]).not.toHaveProperty('secretAccessKey');
    expect(settings.accounts[0]).not.toHaveProperty('sessionToken');
    const versions = JSON.parse(await readFile(join(out, 'versions.json'), 'utf8'));
    expect(versions).toMatchObject({ app: '1.2.3', shell: 'electron', electron: '45.4.1', chrome: '142.0.0.0', node: process.versions.node, os: { platform: process.platform } });
    expect(JSON.parse(await readFile(join(out, 'gpu.json'), 'utf8'))).toMatchObject({ source: 'electron', decoders: [{ supported: true }] });
    expect(JSON.parse(await readFile(join(out, 'session-pool.json'), 'utf8'))).toMatchObject({ reused: 3, lastGrant: { token: '[redacted]' } });
    const current = await readFile(join(out, 'logs', 'kvs-wall.log'), 'utf8');
    expect(current).toContain('"msg":"request failed"');
    expect(current).toContain('Bearer [redacted]');
    const old = await readFile(join(out, 'logs', 'kvs-wall.2.log'), 'utf8');
    expect(old).toContain('aws_secret_access_key = [redacted]');
    expect(old).toContain('X-Amz-Security-Token=[redacted]');
    expect(await readFile(join(out, 'README.txt'), 'utf8')).toMatch(/no secret access key, session token, password or keychain entry/);

    for (const c of stored) if (c.password.includes(TEMP.secretAccessKey)) await deletePassword('kvs-wall', c.account);
  }, 60_000);
});

describe('Export diagnostics when parts are missing', () => {
  it('lists missing and failing sections as not available, rejects a bad GPU report, and still writes the zip', async () => {
    const logsDir = join(dir.path, 'no-logs-here');
    const zipPath = join(dir.path, 'partial.zip');
    const result = await exportDiagnostics(
      {
        logsDir,
        versions: { app: '1.2.3', shell: 'browser' },
        settings: () => ({ sessionExpiresSeconds: 1800 }),
        accounts: () => {
          throw new Error('store unreadable at https://h/x?SessionToken=CiFailLeak');
        },
        gpu: () => ({ source: 'browser', decoders: 'all of them' }),
      },
      zipPath,
    );
    expect(result.sections).toEqual({
      versions: { included: true },
      settings: { included: false, reason: 'its source failed: store unreadable at https://h/x?SessionToken=[redacted]' },
      gpu: { included: false, reason: expect.stringMatching(/^the report was not valid: decoders: /) },
      'session-pool': { included: false, reason: 'the session pool does not report counters in this version' },
      logs: { included: false, reason: 'the logs folder has no log files yet' },
    });
    const out = join(dir.path, 'partial-unzipped');
    expect(await unzipAll(zipPath, out)).toEqual(['README.txt', 'manifest.json', 'settings.json', 'versions.json']);
    const readme = await readFile(join(out, 'README.txt'), 'utf8');
    expect(readme).toContain('session-pool: not available (the session pool does not report counters in this version)');
    expect(readme).not.toContain('CiFailLeak');
  });

  it('fails with the destination in the message when it cannot be written, leaving nothing behind', async () => {
    const blocked = join(dir.path, 'blocked');
    await mkdir(join(blocked, 'diagnostics.zip'), { recursive: true });
    await expect(exportDiagnostics({ logsDir: blocked, versions: { app: '1', shell: 'browser' }, settings: () => ({}), accounts: () => [] }, join(blocked, 'diagnostics.zip'))).rejects.toThrow(
      /Diagnostics could not be written to .*diagnostics\.zip/,
    );
    expect(await readdir(blocked)).toEqual(['diagnostics.zip']);
    await expect(exportDiagnostics({ logsDir: blocked, versions: { app: '1', shell: 'browser' }, settings: () => ({}), accounts: () => [] }, 'relative.zip')).rejects.toThrow(/absolute destination/);
  });
});
