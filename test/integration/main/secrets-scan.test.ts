import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CLIPS, accountInputFor, capturingLogger, filesContaining, inKeychainSession, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { createServices } from './services';

/**
 * A full run through every service with temporary credentials (key + secret + session token), then
 * a scan of everything written to the user-data folder and the log, and of everything returned.
 */
const TEMP = {
  accessKeyId: 'ASIAKVSWALLSCAN00001',
  secretAccessKey: 'scan-secret-zq8Xv3LrT9mW2pN6bK4yH7cJ1fD5gS0a',
  sessionToken: 'FwoGZXIvYXdzScanTokenQ2x9Lm4Rt7Vb1Nc8Zp3Kw6Hy0Jd5Gf2Sa',
};

let emulator: TestEmulator;
let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  emulator = await startTestEmulator({
    sessionCredentials: [TEMP],
    cameras: [{ name: 'lobby', file: join(CLIPS, 'lobby.mp4') }, { name: 'dock', file: join(CLIPS, 'loading-dock.mp4') }],
  });
  dir = await tempDir('scan');
});
afterAll(async () => {
  await emulator?.stop();
  await dir?.remove();
});

describe.skipIf(!inKeychainSession)('secrets never reach disk, logs, errors or answers', () => {
  it('after a full run the secret key, session token and session tokens appear nowhere', async () => {
    const { logger, lines } = capturingLogger();
    const services = createServices({ dir: dir.path, logger });
    const answers: unknown[] = [];
    const sessionTokens: string[] = [];
    const keep = <T>(value: T): T => {
      answers.push(value);
      return value;
    };
    try {
      const account = keep(await services.accounts.add(accountInputFor(emulator, { ...TEMP })));
      keep(await services.accounts.list());
      keep(await services.accounts.testConnection({ id: account.id }));
      keep(await services.accounts.testConnection({ draft: accountInputFor(emulator, { ...TEMP, secretAccessKey: `${TEMP.secretAccessKey}x` }) }));
      keep(await services.accounts.testConnection({ draft: accountInputFor(emulator, { ...TEMP, sessionToken: `${TEMP.sessionToken}x` }) }));
      keep(await services.catalogue.list({ accountId: account.id }));
      keep(await services.catalogue.describe({ accountId: account.id, streamName: 'lobby' }));
      for (const streamName of ['lobby', 'dock']) {
        const { url } = await services.issuer.issue({ accountId: account.id, streamName }, { mode: 'LIVE' }, 300);
        sessionTokens.push(new URL(url).searchParams.get('SessionToken') ?? '');
        expect((await fetch(url)).status).toBe(200);
      }
      keep(await services.issuer.listFragments({ accountId: account.id, streamName: 'lobby' }, Date.now() - 60_000, Date.now(), 'SERVER_TIMESTAMP'));
      emulator.control.throttle('getDASHStreamingSessionURL', 1);
      keep(await services.issuer.issue({ accountId: account.id, streamName: 'dock' }, { mode: 'LIVE' }, 300).catch((err: { appError: unknown }) => err.appError));
      keep(await services.issuer.issue({ accountId: account.id, streamName: 'missing' }, { mode: 'LIVE' }, 300).catch((err: { appError: unknown }) => err.appError));
      await services.accounts.update({ id: account.id, name: 'Scanned' });
      logger.info('an error with a URL in it', { url: `http://x/dash/v1/getDASHManifest.mpd?SessionToken=${sessionTokens[0]}` });
    } finally {
      await services.close();
    }

    expect(sessionTokens.every((t) => t.length > 10)).toBe(true);
    const needles = [TEMP.secretAccessKey, TEMP.sessionToken, emulator.credentials.secretAccessKey, ...sessionTokens];
    expect(await filesContaining(dir.path, needles)).toEqual([]);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    for (const needle of needles) expect(log).not.toContain(needle);
    expect(log).toContain('SessionToken=[redacted]');
    const returned = JSON.stringify(answers);
    for (const needle of needles) expect(returned).not.toContain(needle);
    expect(returned).toContain('"ok":true');
    expect(returned).toContain('ClientLimitExceededException');

    const { findCredentials, deletePassword } = await import('@napi-rs/keyring/keytar.js');
    for (const c of await findCredentials('kvs-wall')) if (c.password.includes(TEMP.secretAccessKey)) await deletePassword('kvs-wall', c.account);
  });
});
