import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
/** The parts of electron-builder's configuration these checks read. */
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { buildResources: string };
  files: string[];
  asarUnpack: string[];
  extraMetadata: { main: string };
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string };
  win: { target: string[]; icon: string };
}
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; productName: string };

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it('names the app', () => {
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/);
    expect(config.productName).toBe('KVS Wall');
    expect(pkg.productName).toBe(config.productName);
  });

  it('targets AppImage and deb on Linux, dmg on macOS, nsis on Windows', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
  });

  it('ships the build outputs, the clips and package.json, and starts from the bundled main', () => {
    const files = config.files;
    expect(files).toEqual(expect.arrayContaining(['dist/**', 'renderer/dist/**', 'emulator/clips/**', 'package.json']));
    // Sources that exist in the tree must be there; the two dist folders are what the build writes.
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(readFileSync(join(root, 'renderer', 'vite.config.ts'), 'utf8')).toMatch(/outDir:\s*'dist'/);
    expect(pkg.main).toBe('dist/app/main.cjs');
    expect(config.extraMetadata.main).toBe(pkg.main);
    const clips = join(root, 'emulator', 'clips');
    expect(statSync(clips).isDirectory()).toBe(true);
    expect(readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8')).toContain("'main.cjs'");
  });

  it('unpacks the native keychain module from the asar archive', () => {
    expect(config.asarUnpack.some((p) => p.includes('@napi-rs/keyring'))).toBe(true);
  });

  it('has icons of the sizes the installers need', () => {
    const resources = join(root, config.directories.buildResources);
    expect(statSync(resources).isDirectory()).toBe(true);
    expect(pngSize(join(root, config.mac.icon))).toEqual({ width: 1024, height: 1024 });
    expect(pngSize(join(root, config.linux.icon, '512x512.png'))).toEqual({ width: 512, height: 512 });
    const ico = readFileSync(join(root, config.win.icon));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(4);
  });

  it('signs macOS builds with the hardened runtime and minimal entitlements', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    const plist = readFileSync(join(root, config.mac.entitlements), 'utf8');
    expect(plist).toContain('<plist version="1.0">');
    expect(plist).toContain('com.apple.security.cs.allow-jit');
    expect(plist).not.toMatch(/device\.camera|device\.audio-input|get-task-allow/);
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
  });
});

describe('Electron bundles', () => {
  let out: string;
  let main: string;
  let preload: string;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'kvs-wall-bundles-'));
    await run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--no-renderer', '--out', out], { cwd: root });
    main = await readFile(join(out, 'main.cjs'), 'utf8');
    preload = await readFile(join(out, 'preload.cjs'), 'utf8');
  }, 120_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('contain no renderer code', () => {
    for (const bundle of [main, preload]) {
      expect(bundle).not.toMatch(/renderer\/src\//);
      expect(bundle).not.toMatch(/svelte\/internal|shaka-player|new shaka\./);
    }
  });

  it('leave Electron and the native keychain to run time', () => {
    expect(main).toMatch(/require\("electron"\)/);
    expect(main).not.toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD|electron\/install\.js/);
    expect(main).not.toMatch(/\.node"\)/);
    expect(main).not.toContain('import.meta.dirname');
  });

  it('make a preload that needs nothing but electron and exposes exactly call and on', () => {
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).not.toMatch(/zod|ws:\/\//);

    const exposed: Record<string, unknown> = {};
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: { on: () => {}, invoke: async () => ({ ok: true, value: null }) },
    };
    const module = { exports: {} };
    // A sandboxed preload sees `require` for a few modules only; ours asks for electron alone.
    runInNewContext(preload, {
      require: (name: string) => {
        if (name !== 'electron') throw new Error(`sandboxed preload cannot require ${name}`);
        return electron;
      },
      module,
      exports: module.exports,
      console,
    });
    expect(Object.keys(exposed)).toEqual(['kvsWall']);
    expect(Object.keys(exposed.kvsWall as object).sort()).toEqual(['call', 'on']);
  });

  it('make a main that boots under a stand-in Electron and serves the Demo cameras from the bundle', async () => {
    const appPath = await mkdtemp(join(tmpdir(), 'kvs-wall-apppath-'));
    const userData = await mkdtemp(join(tmpdir(), 'kvs-wall-userdata-'));
    try {
      await mkdir(join(appPath, 'renderer', 'dist'), { recursive: true });
      await writeFile(join(appPath, 'renderer', 'dist', 'index.html'), '<!doctype html><title>KVS Wall</title>');
      const { stdout } = await run(process.execPath, [join(import.meta.dirname, 'fixtures', 'boot-main.cjs'), join(out, 'main.cjs'), appPath, userData], { cwd: root });
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(report.errors).toEqual([]);
      expect(report.schemes).toEqual(['app']);
      // Both the first window and the one File › New Window opens are locked down the same way.
      for (const prefs of report.windows) {
        expect(prefs).toEqual(expect.objectContaining({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: join(appPath, 'dist', 'app', 'preload.cjs') }));
      }
      expect(report.loaded).toBe('app://kvs-wall/index.html');
      expect(report.info).toMatchObject({ ok: true, value: { shell: 'electron', version: '9.9.9' } });
      expect(report.accounts).toMatchObject({ ok: true, value: [{ id: 'demo', kind: 'demo' }] });
      // The clips are found from inside the bundle: import.meta paths were rewritten for it.
      expect(report.streams.ok).toBe(true);
      expect(report.streams.value.streams.length).toBeGreaterThan(0);
      expect(report.page.status).toBe(200);
      expect(report.page.csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+;/);
      // File › New Window opens another wall window on the same core.
      expect(report.menuLabels).toContain('File');
      expect(report.windowCount).toBe(2);
    } finally {
      await rm(appPath, { recursive: true, force: true });
      await rm(userData, { recursive: true, force: true });
    }
  }, 60_000);
});
