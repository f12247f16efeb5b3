import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/logger';
import { systemClock } from '../../../main/core/clock';
import { DownloadOffers } from '../../../main/evidence/downloads';
import { startBrowserShell, type BrowserShell } from '../../../main/web';
import { memoryCore } from './memory-core';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent byte for byte (fetch would normalise `..` away before sending). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser shell over HTTP', () => {
  let dir: string;
  let shell: BrowserShell;
  let token: string;
  const offers = new DownloadOffers({ clock: systemClock, logger: silentLogger });
  const core = { ...memoryCore(), takeDownload: (t: string) => offers.take(t) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-wall-shell-'));
    const root = join(dir, 'dist');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>KVS Wall</title><script type="module" src="./assets/app.js"></script>');
    await writeFile(join(root, 'assets', 'app.js'), 'console.log("app");');
    await writeFile(join(root, '.env'), 'SECRET=dotfile');
    await writeFile(join(dir, 'secret.txt'), 'outside the renderer');
    await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
    core.origins.push('http://127.0.0.1:4567', 'https://*.kinesisvideo.eu-west-1.amazonaws.com');
    shell = await startBrowserShell({ port: 0, userDataDir: dir, rendererDir: root, core });
    token = new URL(shell.url).searchParams.get('token')!;
  });
  afterAll(async () => {
    await shell.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying a long random token', () => {
    const url = new URL(shell.url);
    expect(url.origin).toBe(`http://127.0.0.1:${shell.port}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('refuses the page without the token or with a wrong one', async () => {
    for (const path of ['/', '/index.html', '/?token=', `/?token=${token.slice(0, -1)}x`, `/?token=${token}x`, '/assets/app.js']) {
      const res = await rawGet(shell.port, path);
      expect(res.status, path).toBe(401);
      expect(res.body).not.toContain('KVS Wall</title>');
    }
    const wrongCookie = await rawGet(shell.port, '/', { cookie: `kvs_wall_${shell.port}=nope` });
    expect(wrongCookie.status).toBe(401);
  });

  it('serves the page with the token, a strict CSP and a session cookie for its assets', async () => {
    const res = await rawGet(shell.port, `/?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>KVS Wall</title>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).toContain("media-src 'self' blob:");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${shell.port} http://127.0.0.1:4567 https://*.kinesisvideo.eu-west-1.amazonaws.com`);
    expect(csp).not.toMatch(/(?<!wasm-)unsafe-eval/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`kvs_wall_${shell.port}=${token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');

    const asset = await rawGet(shell.port, '/assets/app.js', { cookie: `other=1; kvs_wall_${shell.port}=${token}` });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.body).toBe('console.log("app");');
  });

  it('refuses requests whose Host is not the loopback address (DNS rebinding)', async () => {
    for (const host of [`evil.example:${shell.port}`, '127.0.0.1', `127.0.0.1:${shell.port + 1}`]) {
      const res = await rawGet(shell.port, `/?token=${token}`, { host });
      expect(res.status, host).toBe(421);
    }
  });

  it('answers path traversal, dot-files and escaping symlinks with 404', async () => {
    const auth = { cookie: `kvs_wall_${shell.port}=${token}` };
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/..\\..\\secret.txt',
      '/.env',
      '/assets/link.txt',
      '/assets/app.js%00.html',
      '/%E0%A4%A',
      '/assets',
      '/nope.js',
    ]) {
      const res = await rawGet(shell.port, path, auth);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('outside the renderer');
      expect(res.body).not.toContain('SECRET');
    }
  });

  it('allows only GET and HEAD', async () => {
    const auth = { cookie: `kvs_wall_${shell.port}=${token}` };
    expect((await rawGet(shell.port, '/', auth, 'POST')).status).toBe(405);
    const head = await rawGet(shell.port, '/', auth, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves an offered file once at /downloads/<token>, as an attachment, then deletes it', async () => {
    const folder = join(dir, 'exports', 'x1');
    await mkdir(folder, { recursive: true });
    const file = join(folder, 'lobby 2025-11-29 14.03.00 to 14.05.00.mp4');
    await writeFile(file, 'not really an mp4');
    const auth = { cookie: `kvs_wall_${shell.port}=${token}` };
    const offered = offers.offer(file);
    // The page's own token is still needed: a token alone from another site gets nothing.
    expect((await rawGet(shell.port, `/downloads/${offered}`)).status).toBe(401);
    expect((await rawGet(shell.port, `/downloads/${offered}`, auth, 'HEAD')).status).toBe(404);
    const res = await rawGet(shell.port, `/downloads/${offered}`, auth);
    expect(res.status).toBe(200);
    expect(res.body).toBe('not really an mp4');
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="lobby 2025-11-29 14.03.00 to 14.05.00.mp4"; filename*=UTF-8''lobby%202025-11-29%2014.03.00%20to%2014.05.00.mp4`);
    expect(res.headers['cache-control']).toBe('no-store');
    // Deleted once the answer is sent: polled, not timed (a busy machine may take longer).
    await expect.poll(() => stat(file).then(() => 'still there', (e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
    const again = await rawGet(shell.port, `/downloads/${offered}`, auth);
    expect(again.status).toBe(404);
    for (const path of ['/downloads/', '/downloads/..%2f..%2fsecret.txt', `/downloads/${offered.slice(1)}`, `/downloads/${offered}/x`]) {
      const other = await rawGet(shell.port, path, auth);
      expect(other.status, path).toBe(404);
      expect(other.body).not.toContain('outside the renderer');
    }
  });
});
