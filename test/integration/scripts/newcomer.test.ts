import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRendererBuilt } from '../../../main/web/renderer-build';
import { closedPort } from '../main/helpers';

const root = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
const temp = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), `kvs-wall-${prefix}-`));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The environment of a newcomer's shell: ours, without what the test runner itself set. */
function newcomerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ['KVS_WALL_TEST_SESSION', 'ELECTRON_SKIP_BINARY_DOWNLOAD', 'KVS_WALL_SKIP_PREFLIGHT', 'VITEST', 'VITEST_WORKER_ID', 'NODE_OPTIONS']) if (!(key in extra)) delete env[key];
  return env;
}

/** `npm start`'s script with no Electron binary; resolves once the browser shell printed its URL, then stops it. */
async function startWithoutElectron(env: Record<string, string>, args: string[]) {
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), ...args], { cwd: root, env: newcomerEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!stdout.includes('\n') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  await exited;
  return { stdout, stderr };
}

function expectOneParagraph(stderr: string) {
  // Said once, in one paragraph: one line (a terminal wraps it), naming the browser shell once.
  expect(stderr.match(/browser shell/g)).toHaveLength(1);
  const ours = stderr.split('\n').filter((l) => l.startsWith('KVS Wall:'));
  expect(ours).toHaveLength(1);
  expect(ours[0]!.length).toBeLessThan(600);
  // No stack trace, no error class, from us or from the electron package's installer.
  expect(stderr).not.toMatch(/^\s+at\s/m);
  expect(stderr).not.toMatch(/node:internal|\w+Error:|Downloading Electron binary/);
  return ours[0]!;
}

describe('npm start on a machine without the Electron binary', () => {
  let noBinary: string;
  beforeAll(async () => {
    await ensureRendererBuilt();
    // The electron package looks here for its binary (ELECTRON_OVERRIDE_DIST_PATH): nothing is there.
    noBinary = join(await temp('no-electron'), 'missing');
  }, 240_000);

  it('when the download fails, says so once with the reason, and opens the browser shell', async () => {
    const cache = await temp('electron-cache');
    // A mirror that refuses connections: the download fails here the way it does without GitHub.
    const mirror = `http://127.0.0.1:${await closedPort()}/`;
    const userData = await temp('start-ud');
    const { stdout, stderr } = await startWithoutElectron({ ELECTRON_OVERRIDE_DIST_PATH: noBinary, ELECTRON_MIRROR: mirror, electron_config_cache: cache }, ['--user-data-dir', userData, '--wall', 'Lobby', '--fullscreen']);
    expect(stdout).toMatch(/^KVS Wall: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n$/);
    const paragraph = expectOneParagraph(stderr);
    expect(paragraph).toMatch(/^KVS Wall: the Electron binary is not installed \(its download failed: [^)]+\), so KVS Wall opens as the browser shell/);
    expect(paragraph).toContain('--wall Lobby --fullscreen apply to the desktop app only and are ignored.');
  }, 120_000);

  it('when ELECTRON_SKIP_BINARY_DOWNLOAD is set, tries no download and says so once', async () => {
    const userData = await temp('start-ud');
    const { stdout, stderr } = await startWithoutElectron({ ELECTRON_OVERRIDE_DIST_PATH: noBinary, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, ['--user-data-dir', userData]);
    expect(stdout).toMatch(/^KVS Wall: http:\/\/127\.0\.0\.1:\d+\//);
    const paragraph = expectOneParagraph(stderr);
    expect(paragraph).toMatch(/\(ELECTRON_SKIP_BINARY_DOWNLOAD is set\)/);
    expect(paragraph).toContain('unset it where GitHub downloads work');
  }, 120_000);
});

describe('npm test on a machine missing system packages', () => {
  /** A PATH holding only what the scripts themselves run on. */
  async function barePath(): Promise<string> {
    const bin = await temp('bare-bin');
    for (const tool of ['node', 'bash', 'dirname']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      await symlink(found, join(bin, tool));
    }
    return bin;
  }

  it('the preflight names each missing package and the one command that installs them', async () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'preflight.mjs')], { env: newcomerEnv({ PATH: await barePath(), CHROMIUM_PATH: '/nonexistent/chromium' }), encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('npm test needs system packages that are missing here:');
    const named = lines.filter((l) => l.startsWith('  - ')).map((l) => l.slice(4).split(':')[0]);
    expect(named).toEqual(process.platform === 'linux' ? ['chromium', 'ffmpeg', 'gnome-keyring', 'dbus', 'unzip'] : ['chromium', 'ffmpeg', 'unzip']);
    expect(result.stderr).toContain('looked for /nonexistent/chromium');
    expect(result.stderr).toContain('ffmpeg, ffprobe not on PATH');
    if (process.platform === 'linux') expect(result.stderr).toMatch(/apt-get install -y --no-install-recommends chromium ffmpeg gnome-keyring dbus unzip\n/);
  });

  it('names only what is missing, and says nothing when all is there', async () => {
    const bin = await barePath();
    for (const tool of ['ffmpeg', 'ffprobe', 'gnome-keyring-daemon', 'dbus-run-session', 'unzip']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) await symlink(found, join(bin, tool));
    }
    const one = spawnSync(process.execPath, [join(root, 'scripts', 'preflight.mjs')], { env: newcomerEnv({ PATH: bin, CHROMIUM_PATH: '/nonexistent/chromium' }), encoding: 'utf8' });
    expect(one.stderr).toMatch(/^npm test needs a system package that is missing here:\n {2}- chromium: /);
    expect(one.stderr).toMatch(/install -y --no-install-recommends chromium\n/);
    const none = spawnSync(process.execPath, [join(root, 'scripts', 'preflight.mjs')], { env: newcomerEnv({ PATH: bin, CHROMIUM_PATH: process.execPath }), encoding: 'utf8' });
    expect({ status: none.status, stderr: none.stderr, stdout: none.stdout }).toEqual({ status: 0, stderr: '', stdout: '' });
  });

  it('npm test stops at the preflight, before vitest or the keyring session start', async () => {
    const result = spawnSync('bash', [join(root, 'scripts', 'test.sh'), 'test/unit/core'], { cwd: root, env: newcomerEnv({ PATH: await barePath(), CHROMIUM_PATH: '/nonexistent/chromium' }), encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^npm test needs system packages that are missing here:/);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/vitest|\bRUN\b|Test Files|\d+ passed|gnome-keyring-daemon:/);
  });
});
