import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { ensureRendererBuilt } from '../../main/web/renderer-build';
import { launchChromium } from '../support/browser';
import { ROOT, screenshot } from '../support/e2e-wall';
import { createAwsHome, type AwsHome } from '../integration/main/aws-home';

/**
 * First run on a machine with no keychain: the browser shell started without a D-Bus session (as an
 * auto-login kiosk or a bare server would be), in Chromium. The app says plainly what is missing and
 * what to do, refuses to keep access keys anywhere else, and an AWS profile account still works.
 */
describe('first run without a keychain', () => {
  let emulator: RunningEmulator;
  let home: AwsHome;
  let userData: string;
  let child: ChildProcess;
  let stderr = '';
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureRendererBuilt();
    emulator = await startEmulator({ port: 0, testControls: true });
    home = await createAwsHome();
    // The profile the operator set up with `aws configure --profile kiosk`: the keys live in their own file, not in KVS Wall.
    await home.writeCredentials(`[kiosk]\naws_access_key_id = ${emulator.credentials.accessKeyId}\naws_secret_access_key = ${emulator.credentials.secretAccessKey}\n`);
    userData = await mkdtemp(join(tmpdir(), 'kvs-wall-nokeychain-'));
    // No DBUS_SESSION_BUS_ADDRESS: no Secret Service can be reached.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, XDG_RUNTIME_DIR: home.dir, ...home.env() };
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'main', 'web', 'cli.ts'), '--port', '0', '--user-data-dir', userData, '--no-build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('\n')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the browser shell did not start; stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(stdout.trim().replace(/^KVS Wall: /, ''));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
    await emulator?.stop();
    await home?.restore();
    await rm(userData, { recursive: true, force: true });
  });

  it('explains at start, in plain words, what is missing on Linux and what to do', async () => {
    const banner = page.getByRole('alert', { name: 'No system keychain' });
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toMatch(/Secret Service/);
    expect(text).toMatch(/gnome-keyring.*KWallet/);
    expect(text).toMatch(/auto-login kiosk the keyring stays locked: unlock it at login/);
    expect(text).toMatch(/AWS profile or with the default credential chain/);
    // The library's own words are there for a bug report, not in the sentence people read.
    expect(text.split('Technical detail')[0]).not.toMatch(/zbus|D-Bus address|unix:path/i);
    await screenshot(page, 'no-keychain-banner');
  });

  it('offers the kinds that need no stored secret; an AWS profile account tests, saves and lists its cameras', async () => {
    await page.getByRole('button', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    expect(await page.isDisabled('form.account-form input[name="kind"][value="keys"]')).toBe(true);
    expect(await page.isChecked('form.account-form input[name="kind"][value="profile"]')).toBe(true);
    await page.fill('form.account-form input[name="name"]', 'Kiosk profile');
    await page.fill('form.account-form input[name="region"]', emulator.region);
    await page.fill('form.account-form input[name="profile"]', 'kiosk');
    await page.fill('form.account-form input[name="endpoint"]', emulator.url);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('form.account-form .report .verdict.ok').waitFor();
    await page.getByRole('button', { name: 'Save account' }).click();
    await page.getByRole('button', { name: 'Pick its cameras' }).click();
    await expect.poll(() => page.locator('.picker li[data-stream]').count()).toBe(emulator.cameras.length);
    await screenshot(page, 'no-keychain-profile-cameras');
  });

  it('stored no secret anywhere: the profile keys stay in the user\'s AWS files only', async () => {
    const hits: string[] = [];
    for (const name of await readdir(userData, { recursive: true })) {
      const path = join(userData, name);
      if ((await stat(path)).isFile() && (await readFile(path, 'latin1')).includes(emulator.credentials.secretAccessKey)) hits.push(name);
    }
    expect(hits).toEqual([]);
    expect(stderr).not.toContain(emulator.credentials.secretAccessKey);
  });
});
