import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplySchema } from '../../../shared/contract';
import { parseCliArgs } from '../../../main/web/cli-args';
import { ensureRendererBuilt } from '../../../main/web/renderer-build';
import { launchChromium } from '../../support/browser';
import { openSocket, socketUrl, type OpenSocket } from './ws-support';

const root = join(import.meta.dirname, '..', '..', '..');

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function runCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'main', 'web', 'cli.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

describe('start:browser arguments', () => {
  it('parses --port and --user-data-dir, strictly', () => {
    expect(parseCliArgs(['--port', '8080', '--user-data-dir', '/tmp/x'])).toEqual({ ok: true, options: { port: 8080, userDataDir: '/tmp/x', noBuild: false, help: false } });
    expect(parseCliArgs(['--port=0'])).toMatchObject({ ok: true, options: { port: 0 } });
    for (const [argv, message] of [
      [['--port'], /--port needs a number/],
      [['--port', 'http'], /whole number from 0 to 65535/],
      [['--port', '70000'], /whole number from 0 to 65535/],
      [['--port', '-1'], /whole number from 0 to 65535/],
      [['--user-data-dir'], /needs a folder/],
      [['--verbose'], /unknown option "--verbose"/],
      [['8080'], /unknown option "8080"/],
    ] as const) {
      const parsed = parseCliArgs(argv);
      expect(parsed.ok, argv.join(' ')).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
  });

  it('exits with status 2 and usage on bad arguments, printing nothing on stdout', async () => {
    const cli = runCli(['--port', 'abc']);
    expect(await cli.exited).toBe(2);
    expect(cli.stdout()).toBe('');
    expect(cli.stderr()).toMatch(/--port must be a whole number/);
    expect(cli.stderr()).toMatch(/Usage: npm run start:browser/);
  }, 30_000);
});

describe('start:browser on an empty user-data folder', () => {
  let userData: string;
  let cli: Cli;
  let url: string;
  let socket: OpenSocket;
  let browser: Browser | undefined;
  let nextId = 1;

  const call = async (name: string, payload: unknown) => {
    const id = nextId++;
    socket.ws.send(JSON.stringify({ id, call: name, payload }));
    return ReplySchema.parse((await socket.next((f) => f.id === id)).reply);
  };

  beforeAll(async () => {
    // One build for every test file that needs renderer/dist; the CLI then finds it fresh.
    await ensureRendererBuilt();
    userData = await mkdtemp(join(tmpdir(), 'kvs-wall-cli-'));
    cli = runCli(['--port', '0', '--user-data-dir', userData]);
    const deadline = Date.now() + 60_000;
    while (!cli.stdout().includes('\n')) {
      if (Date.now() > deadline || cli.child.exitCode !== null) throw new Error(`no URL line; stderr:\n${cli.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    url = cli.stdout().trim().replace(/^KVS Wall: /, '');
    socket = await openSocket(socketUrl(url), new URL(url).origin);
  }, 240_000);

  afterAll(async () => {
    socket?.ws.close();
    await browser?.close();
    cli?.child.kill('SIGTERM');
    await cli?.exited;
    await rm(userData, { recursive: true, force: true });
  });

  it('prints exactly one line: KVS Wall: <loopback URL with token>', () => {
    expect(cli.stdout()).toMatch(/^KVS Wall: http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{40,}\n$/);
  });

  it('keeps its log in <user-data>/logs/browser-shell.log, the launch token redacted', async () => {
    const log = await readFile(join(userData, 'logs', 'browser-shell.log'), 'utf8');
    const started = JSON.parse(log.split('\n')[0]!);
    expect(started).toMatchObject({ level: 'info', scope: 'browser-shell', msg: 'browser shell started', url: expect.stringMatching(/\?token=\[redacted\]$/) });
    expect(log).not.toContain(new URL(url).searchParams.get('token'));
  });

  it('comes up on the Demo cameras, and a demo stream plays from a granted session', async () => {
    const info = await call('app.info', {});
    expect(info).toMatchObject({ ok: true, value: { shell: 'browser' } });

    const accounts = await call('accounts.list', {});
    expect(accounts).toMatchObject({ ok: true, value: [{ id: 'demo', kind: 'demo', name: 'Demo cameras' }] });

    const page = await call('streams.list', { accountId: 'demo' });
    if (!page.ok) throw new Error(page.error.message);
    const streams = (page.value as { streams: Array<{ name: string; playable: boolean }> }).streams;
    const playable = streams.filter((s) => s.playable);
    expect(playable.length).toBeGreaterThan(0);

    // Sessions are for attached pages only.
    const early = await call('session.acquire', { tileId: 'wall:0', stream: { accountId: 'demo', streamName: playable[0]!.name }, playback: { mode: 'LIVE' } });
    expect(early).toMatchObject({ ok: true, value: { status: 'error', error: { code: 'PageNotAttached', retryable: true } } });
    const attached = await call('page.attach', { pageId: 'cli-test-page' });
    expect(attached).toMatchObject({ ok: true, value: { windowId: 'w1', leaseMs: 15_000, heartbeatMs: 5_000 } });

    const acquired = await call('session.acquire', { tileId: 'wall:0', stream: { accountId: 'demo', streamName: playable[0]!.name }, playback: { mode: 'LIVE' } });
    expect(acquired).toMatchObject({ ok: true, value: { status: 'granted' } });
    const grant = (acquired as { value: { grant: { url: string; expiresAt: number } } }).value.grant;
    expect(grant.expiresAt).toBeGreaterThan(Date.now());
    const manifest = await fetch(grant.url);
    expect(manifest.status).toBe(200);
    const mpd = await manifest.text();
    expect(mpd).toContain('<MPD');
    expect(mpd).toMatch(/type="dynamic"/);

    const released = await call('session.release', { tileId: 'wall:0' });
    expect(released).toEqual({ ok: true, value: { released: true } });
    // The session survives in the ledger file, so a restart still counts it.
    expect(await readdir(userData)).toEqual(expect.arrayContaining(['sessions-ledger.json']));
  });

  it('serves the real renderer to Chromium from the printed URL, and the page talks over the socket', async () => {
    browser = await launchChromium();
    const tab = await browser.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    tab.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) problems.push(`csp: ${m.text()}`);
    });
    const replies: string[] = [];
    tab.on('websocket', (ws) => ws.on('framereceived', (f) => replies.push(String(f.payload))));

    const response = await tab.goto(url);
    expect(response?.status()).toBe(200);
    expect(await tab.title()).toBe('KVS Wall');
    await tab.waitForFunction(() => (document.getElementById('app')?.childElementCount ?? 0) > 0);
    // The UI asks main for something at start-up; the answer arriving proves the client works in the page.
    await expect.poll(() => replies.some((r) => /"reply":\{"ok":true/.test(r)), { timeout: 15_000 }).toBe(true);
    expect(problems).toEqual([]);
    await tab.close();
  }, 60_000);

  it('stops cleanly on SIGTERM', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout().trim().split('\n')).toHaveLength(1);
  });
});
