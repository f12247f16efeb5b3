import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WallApi } from '../../../shared/contract';
import { startBrowserShell, type BrowserShell } from '../../../main/web';
import { launchChromium } from '../../support/browser';
import { memoryCore } from './memory-core';

declare global {
  interface Window {
    kvsProbe?: WallApi;
  }
}

describe('browser shell in Chromium', () => {
  let dir: string;
  let shell: BrowserShell;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-wall-chromium-'));
    const root = join(dir, 'dist');
    await mkdir(join(root, 'assets'), { recursive: true });
    // A page that loads the renderer's real `api` module, bundled the way Vite would (ESM, browser).
    await build({
      entryPoints: [join(import.meta.dirname, 'fixtures', 'api-probe.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      outfile: join(root, 'assets', 'probe.js'),
      logLevel: 'silent',
    });
    await writeFile(join(root, 'index.html'), '<!doctype html><meta charset="utf-8"><title>KVS Wall probe</title><script type="module" src="./assets/probe.js"></script><script>window.inlineRan = true</script>');
    shell = await startBrowserShell({ port: 0, userDataDir: dir, rendererDir: root, core: memoryCore() });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the page from the printed URL and the WebSocket client answers app.info', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(shell.url);
    expect(response?.status()).toBe(200);
    await page.waitForFunction(() => window.kvsProbe !== undefined);
    const info = await page.evaluate(() => window.kvsProbe!.call('app.info', {}));
    expect(info).toMatchObject({ shell: 'browser', version: expect.any(String) });
    const refused = await page.evaluate(() =>
      window.kvsProbe!.call('walls.remove', { id: 'ghost' }).then(
        () => 'resolved',
        (e: Error & { detail?: { code: string } }) => `${e.name}:${e.detail?.code}`,
      ),
    );
    expect(refused).toBe('WallNotFound:WallNotFound');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('enforces the CSP: no inline script, no fetch to foreign origins, no Node in the page', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) violations.push(m.text());
    });
    await page.goto(shell.url);
    await page.waitForFunction(() => window.kvsProbe !== undefined);
    expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    const foreign = await page.evaluate(() => fetch('http://127.0.0.1:9/').then(() => 'fetched', () => 'blocked'));
    expect(foreign).toBe('blocked');
    expect(violations.some((v) => /connect-src/.test(v))).toBe(true);
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    await page.close();
  });

  it('shows nothing of the app without the token', async () => {
    const page = await browser.newPage();
    const response = await page.goto(shell.url.replace(/\?token=.*/, ''));
    expect(response?.status()).toBe(401);
    expect(await page.evaluate(() => window.kvsProbe)).toBeUndefined();
    await page.close();
  });
});
