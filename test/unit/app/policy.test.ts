import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerAppRequest } from '../../../main/app/policy/app-protocol';
import { isAppUrl } from '../../../main/app/policy/app-origin';
import { chooseDisplay, parseKioskArgs } from '../../../main/app/policy/kiosk-args';
import { createSenderPolicy } from '../../../main/app/policy/sender';
import { decideDownload, exportSaveDialog } from '../../../main/app/policy/saving';

describe('kiosk arguments', () => {
  it('reads --wall, --display and --fullscreen among Electron’s own arguments', () => {
    expect(parseKioskArgs(['/opt/KVS Wall/kvs-wall', '--no-sandbox', '--wall', 'Lobby', '--display', '1', '--fullscreen'])).toEqual({
      ok: true,
      options: { wall: 'Lobby', display: 1, fullscreen: true, kiosk: false },
    });
    expect(parseKioskArgs(['--wall=Loading dock', '--display=0'])).toEqual({ ok: true, options: { wall: 'Loading dock', display: 0, fullscreen: false, kiosk: false } });
    expect(parseKioskArgs(['.'])).toEqual({ ok: true, options: { fullscreen: false, kiosk: false } });
    // Chromium's own switches, with or without values, are not ours to judge.
    expect(parseKioskArgs(['--enable-features=Foo', '--disable-gpu', '-v', 'x', '--wall', 'A'])).toEqual({ ok: true, options: { wall: 'A', fullscreen: false, kiosk: false } });
  });

  it('reads --kiosk as a locked fullscreen', () => {
    expect(parseKioskArgs(['--kiosk', '--wall', 'Lobby', '--display', '2'])).toEqual({ ok: true, options: { wall: 'Lobby', display: 2, fullscreen: true, kiosk: true } });
  });

  it('says which option is wrong and what it found', () => {
    const message = (argv: string[]) => {
      const parsed = parseKioskArgs(argv);
      return parsed.ok ? 'accepted' : parsed.message;
    };
    expect(message(['--display', 'two'])).toMatch(/^--display needs a display number such as 0 or 1 \(found "two"\)/);
    expect(message(['--display'])).toMatch(/\(found nothing\)/);
    expect(message(['--kiosk=yes'])).toMatch(/^--kiosk takes no value \(found "--kiosk=yes"\)/);
    expect(message(['--wall', 'A', '--wall', 'B'])).toMatch(/^--wall is given twice/);
    expect(message(['--wall', 'x'.repeat(101)])).toMatch(/at most 100 characters \(--wall has 101\)/);
    expect(message(['--wall', '--kiosk'])).toMatch(/^--wall needs a wall name/);
    // Every message ends with the usage line, except the length rule which names its limit.
    expect(message(['--display', '123'])).toContain('--wall NAME  --display N');
  });

  it('explains a missing or malformed value', () => {
    for (const argv of [['--wall'], ['--wall', '--fullscreen'], ['--display', 'two'], ['--display', '-1'], ['--display'], ['--fullscreen=yes'], ['--wall', ''], ['--kiosk=1'], ['--display', '1', '--display', '2']]) {
      const parsed = parseKioskArgs(argv);
      expect(parsed.ok, argv.join(' ')).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/--(wall|display|fullscreen|kiosk)/);
    }
  });

  it('falls back to the primary display with a warning when the requested one is missing', () => {
    expect(chooseDisplay(['a', 'b'], 'a', 1)).toEqual({ display: 'b' });
    expect(chooseDisplay(['a', 'b'], 'a', undefined)).toEqual({ display: 'a' });
    const missing = chooseDisplay(['a'], 'a', 3);
    expect(missing.display).toBe('a');
    expect(missing.warning).toMatch(/Display 3 does not exist/);
  });
});

describe('sender policy', () => {
  const policy = createSenderPolicy(new Set([7]));
  it('trusts our webContents on the app origin only', () => {
    expect(policy({ id: 'window-7', url: 'app://kvs-wall/index.html' })).toBe(true);
    expect(policy({ id: 'window-8', url: 'app://kvs-wall/index.html' })).toBe(false);
    expect(policy({ id: 'window-7', url: 'https://kvs-wall/index.html' })).toBe(false);
    expect(policy({ id: 'window-7', url: 'app://user:pw@kvs-wall/' })).toBe(false);
    expect(policy({ id: 'socket-7', url: 'app://kvs-wall/index.html' })).toBe(false);
    expect(policy({ id: 'window-7x', url: 'app://kvs-wall/index.html' })).toBe(false);
    expect(isAppUrl('app://kvs-wall')).toBe(true);
    expect(isAppUrl(null)).toBe(false);
  });
});

describe('app:// protocol answers', () => {
  let dir: string;
  const csp = async () => "default-src 'self'";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-wall-app-'));
    await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html>');
    await writeFile(join(dir, 'dist', 'assets', 'a.js'), '1');
    await writeFile(join(dir, 'secret.txt'), 'no');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves the page with the CSP and assets without it', async () => {
    const page = await answerAppRequest('app://kvs-wall/index.html', join(dir, 'dist'), csp);
    expect(page).toMatchObject({ status: 200, headers: { 'Content-Security-Policy': "default-src 'self'", 'Content-Type': 'text/html; charset=utf-8' } });
    const root = await answerAppRequest('app://kvs-wall/', join(dir, 'dist'), csp);
    expect(root.status).toBe(200);
    const asset = await answerAppRequest('app://kvs-wall/assets/a.js', join(dir, 'dist'), csp);
    expect(asset.status).toBe(200);
    expect(asset.headers['Content-Security-Policy']).toBeUndefined();
  });

  it('answers other hosts, traversal and missing files with 404', async () => {
    for (const url of ['app://other/index.html', 'app://kvs-wall/../secret.txt', 'app://kvs-wall/%2e%2e/secret.txt', 'app://kvs-wall/assets/%2e%2e%2f%2e%2e%2fsecret.txt', 'app://kvs-wall/nope', 'file:///etc/passwd', '::']) {
      expect((await answerAppRequest(url, join(dir, 'dist'), csp)).status, url).toBe(404);
    }
  });
});


describe('saving (exports and snapshots)', () => {
  it('asks where to export a clip, in the downloads folder, as MP4', () => {
    expect(exportSaveDialog('lobby 2025-11-29 14.03.00 to 14.05.00.mp4', '/home/op/Downloads')).toMatchObject({
      defaultPath: '/home/op/Downloads/lobby 2025-11-29 14.03.00 to 14.05.00.mp4',
      filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
      properties: expect.arrayContaining(['showOverwriteConfirmation']),
    });
  });

  it('saves only PNG blobs the app made, under a safe name', () => {
    const blob = 'blob:app://kvs-wall/3f1c2a9e-1111-4222-8333-444455556666';
    expect(decideDownload({ url: blob, filename: '../../.bashrc.png', mimeType: 'image/png' }, '/d')).toMatchObject({ allow: true, dialog: { defaultPath: '/d/_.._.bashrc.png' } });
    for (const url of ['blob:https://evil.example/3f1c', 'blob:app://kvs-wall.evil/3f1c', 'https://kvs-wall/x.png', 'data:image/png;base64,AAAA', 'app://kvs-wall/x.png']) {
      expect(decideDownload({ url, filename: 'x.png', mimeType: 'image/png' }, '/d').allow, url).toBe(false);
    }
    expect(decideDownload({ url: blob, filename: 'x.html', mimeType: 'text/html' }, '/d').allow).toBe(false);
  });
});
