import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
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
  deb: { depends: string[] };
  nsis: Record<string, unknown>;
  electronFuses: Record<string, boolean>;
  afterPack: string;
  publish: unknown;
  npmRebuild: boolean;
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

  it('passes electron-builder’s own configuration schema', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration: (c: unknown, log: unknown) => Promise<void> };
    const quiet = { isEnabled: false, add() {} };
    await expect(validateConfiguration(config, quiet)).resolves.toBeUndefined();
    // The check is real: a mistyped fuse is refused.
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } }, quiet)).rejects.toThrow(/electronFuses\.runAsNode should be a boolean/);
  });

  it('flips the Electron fuses that close the usual ways into a packaged app', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('builds in no update feed', () => {
    expect(config.publish).toBeNull();
  });

  it('keeps electron-builder’s default deb dependencies when adding its own', () => {
    // A custom `depends` replaces the default list, so the default must be repeated in full.
    const fpm = readFileSync(require.resolve('app-builder-lib/out/targets/FpmTarget.js'), 'utf8');
    const defaults = JSON.parse(/case "deb":\s*return (\[[^\]]*\]);/.exec(fpm)![1]!) as string[];
    expect(defaults).toContain('libnss3');
    expect(config.deb.depends).toEqual(expect.arrayContaining([...defaults, 'libsecret-1-0']));
  });

  it('makes an NSIS installer a user can point at another folder, keeping settings on uninstall', () => {
    expect(config.nsis).toMatchObject({ oneClick: false, allowToChangeInstallationDirectory: true });
    expect(config.nsis.deleteAppDataOnUninstall ?? false).toBe(false);
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

interface AfterPackContext {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { appInfo: { productFilename: string } };
}
const hook = require('../../build/after-pack.cjs') as {
  afterPack: (context: AfterPackContext) => Promise<void>;
  keyringPackagesFor: (platform: string, arch: string) => string[];
  ARCH_NAMES: Record<number, string>;
};
const keyringPkg = JSON.parse(readFileSync(require.resolve('@napi-rs/keyring/package.json'), 'utf8')) as { version: string; optionalDependencies: Record<string, string> };
const TARGETS: Array<[string, string]> = [
  ['linux', 'x64'], ['linux', 'arm64'], ['linux', 'armv7l'], ['darwin', 'x64'], ['darwin', 'arm64'], ['darwin', 'universal'], ['win32', 'x64'], ['win32', 'ia32'], ['win32', 'arm64'],
];

describe('the keychain module in the package', () => {
  it('names, for every target, a binary package @napi-rs/keyring really publishes', () => {
    for (const [platform, arch] of TARGETS) {
      for (const pkg of hook.keyringPackagesFor(platform, arch)) expect(keyringPkg.optionalDependencies, `${platform}/${arch}`).toHaveProperty([pkg]);
    }
    expect(hook.keyringPackagesFor('darwin', 'universal')).toEqual(['@napi-rs/keyring-darwin-x64', '@napi-rs/keyring-darwin-arm64']);
    expect(() => hook.keyringPackagesFor('linux', 'ppc64')).toThrow(/no keychain binary for linux\/ppc64/);
  });

  it('electron-builder’s asarUnpack filter takes every platform binary and the loader out of the archive', () => {
    const { getFileMatchers } = require('app-builder-lib/out/fileMatcher.js') as {
      getFileMatchers: (c: unknown, name: string, dest: string, o: unknown) => Array<{ createFilter: () => (file: string, stat: { isDirectory(): boolean }) => boolean }>;
    };
    const unpacked = getFileMatchers(config, 'asarUnpack', '/dest', { macroExpander: (x: string) => x, customBuildOptions: {}, globalOutDir: '/out', defaultSrc: root })[0]!.createFilter();
    const file = { isDirectory: () => false };
    for (const pkg of Object.keys(keyringPkg.optionalDependencies)) {
      const binary = `keyring.${pkg.replace('@napi-rs/keyring-', '')}.node`;
      expect(unpacked(join(root, 'node_modules', ...pkg.split('/'), binary), file), pkg).toBe(true);
    }
    expect(unpacked(join(root, 'node_modules', '@napi-rs', 'keyring', 'index.js'), file)).toBe(true);
    expect(unpacked(join(root, 'dist', 'app', 'main.cjs'), file)).toBe(false);
  });

  it('electron-builder’s own dependency collector packs the keychain loader and this machine’s binary', async () => {
    const { getCollectorByPackageManager, PM } = require('app-builder-lib/out/node-module-collector/index.js') as {
      getCollectorByPackageManager: (pm: unknown, dir: string, tmp: unknown) => { getNodeModules(o: { packageName: string }): Promise<{ nodeModules: Array<{ name: string; dependencies?: unknown[] }> }> };
      PM: { NPM: unknown };
    };
    const { TmpDir } = require('temp-file') as { TmpDir: new (name: string) => { cleanup(): Promise<void> } };
    const tmp = new TmpDir('kvs-wall-collector');
    try {
      const { nodeModules } = await getCollectorByPackageManager(PM.NPM, root, tmp).getNodeModules({ packageName: 'kvs-wall' });
      const names = new Set<string>();
      const walk = (mods: Array<{ name: string; dependencies?: unknown[] }>) => mods.forEach((m) => (names.add(m.name), walk((m.dependencies ?? []) as typeof mods)));
      walk(nodeModules);
      expect(names).toContain('@napi-rs/keyring');
      if (process.platform === 'linux' && process.arch === 'x64') {
        for (const pkg of hook.keyringPackagesFor('linux', 'x64')) expect(names).toContain(pkg);
      }
      // Development tools never ship.
      for (const dev of ['electron', 'vitest', 'electron-builder']) expect(names).not.toContain(dev);
    } finally {
      await tmp.cleanup();
    }
  }, 60_000);

  describe('the afterPack check', () => {
    let out: string;
    beforeAll(async () => {
      out = await mkdtemp(join(tmpdir(), 'kvs-wall-afterpack-'));
    });
    afterAll(() => rm(out, { recursive: true, force: true }));
    const arch = (name: string) => Number(Object.entries(hook.ARCH_NAMES).find(([, n]) => n === name)![0]);
    const context = (dir: string, platform: string, archName: string): AfterPackContext => ({ appOutDir: dir, electronPlatformName: platform, arch: arch(archName), packager: { appInfo: { productFilename: 'KVS Wall' } } });
    /** Puts a keyring binary where electron-builder unpacks it: the real one for this machine, a stand-in for others. */
    const place = async (resources: string, pkg: string, where = 'app.asar.unpacked') => {
      const dir = join(resources, where, 'node_modules', ...pkg.split('/'));
      await mkdir(dir, { recursive: true });
      const name = `keyring.${pkg.replace('@napi-rs/keyring-', '')}.node`;
      const real = join(root, 'node_modules', ...pkg.split('/'), name);
      if (existsSync(real)) await copyFile(real, join(dir, name));
      else await writeFile(join(dir, name), 'stand-in');
    };

    it('passes a Linux package with its binary unpacked', async () => {
      const dir = join(out, 'linux-unpacked');
      await place(join(dir, 'resources'), '@napi-rs/keyring-linux-x64-gnu');
      await expect(hook.afterPack(context(dir, 'linux', 'x64'))).resolves.toBeUndefined();
    });

    it('fails a macOS arm64 package without its binary, saying which one and how to add it', async () => {
      const dir = join(out, 'mac-arm64');
      await place(join(dir, 'KVS Wall.app', 'Contents', 'Resources'), '@napi-rs/keyring-darwin-x64');
      await expect(hook.afterPack(context(dir, 'darwin', 'arm64'))).rejects.toThrow(
        `lacks the OS keychain module's binary (@napi-rs/keyring-darwin-arm64), so the app could not store secrets. npm installed only this machine's binary. Build on a darwin arm64 machine, or add the binary first: npm install --no-save --force @napi-rs/keyring-darwin-arm64@${keyringPkg.version}`,
      );
    });

    it('wants both binaries in a universal macOS app, and counts one left inside the archive as missing', async () => {
      const dir = join(out, 'mac-universal');
      const resources = join(dir, 'KVS Wall.app', 'Contents', 'Resources');
      await place(resources, '@napi-rs/keyring-darwin-x64');
      await place(resources, '@napi-rs/keyring-darwin-arm64', 'app.asar');
      await expect(hook.afterPack(context(dir, 'darwin', 'universal'))).rejects.toThrow(/\(@napi-rs\/keyring-darwin-arm64\)/);
      await place(resources, '@napi-rs/keyring-darwin-arm64');
      await expect(hook.afterPack(context(dir, 'darwin', 'universal'))).resolves.toBeUndefined();
    });

    it('is the hook electron-builder runs', () => {
      expect(config.afterPack).toBe('./build/after-pack.cjs');
      expect(existsSync(join(root, config.afterPack))).toBe(true);
      expect(config.npmRebuild).toBe(false);
    });
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

  it('hold none of the insecure settings of the Electron security checklist', () => {
    for (const insecure of [
      /nodeIntegration(InWorker|InSubFrames)?:\s*(true|!0)/,
      /contextIsolation:\s*(false|!1)/,
      /sandbox:\s*(false|!1)/,
      /webSecurity:\s*(false|!1)/,
      /allowRunningInsecureContent:\s*(true|!0)/,
      /experimentalFeatures:\s*(true|!0)/,
      /webviewTag:\s*(true|!0)/,
      /enableRemoteModule/,
      /\.loadFile\(/,
      /loadURL\(\s*["'`](https?|file):/,
      /registerFileProtocol|protocol\.interceptFileProtocol/,
    ]) {
      expect(main, String(insecure)).not.toMatch(insecure);
    }
    // The hardening the checklist asks for is in the bundle.
    for (const needed of ['setPermissionRequestHandler', 'setPermissionCheckHandler', 'setDevicePermissionHandler', 'will-navigate', 'will-redirect', 'will-attach-webview', 'setWindowOpenHandler', 'registerSchemesAsPrivileged', 'content-security-policy']) {
      expect(main.toLowerCase(), needed).toContain(needed.toLowerCase());
    }
  });

  it('make a main whose only run-time modules are Electron, Node’s own and the keychain', () => {
    const isBuiltin = (name: string) => builtinModules.includes(name.replace(/^node:/, ''));
    const required = new Set([...main.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!).filter((n) => !isBuiltin(n)));
    // The AWS SDK asks for its optional CRT signer inside a try; it is never installed.
    expect(required).toEqual(new Set(['electron', '@aws-sdk/signature-v4-crt']));
    const imported = new Set([...main.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!).filter((n) => !isBuiltin(n)));
    expect(imported).toEqual(new Set(['@napi-rs/keyring/keytar.js']));
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
      // The tray icon ships inside the bundle's app folder and starts with no cameras counted.
      expect(report.trayIcon).toBe(join(appPath, 'dist', 'app', 'tray.png'));
      expect(report.trayTooltip).toMatch(/KVS Wall/);

      // The security checklist, as the built main process behaves.
      // No remote content: every window loads the app's own scheme.
      expect(report.loadedUrls.length).toBe(2);
      for (const url of report.loadedUrls) expect(url).toMatch(/^app:\/\/kvs-wall\//);
      for (const prefs of report.windows) {
        expect(prefs).toMatchObject({ webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false, webviewTag: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, navigateOnDragDrop: false });
      }
      // Navigation, redirects and webviews refused; window.open denied, an allow-listed doc link handed to the OS browser.
      expect(report.security.navigationRefused).toEqual([true, true, true]);
      expect(report.security.webviewRefused).toBe(true);
      expect(report.security.windowOpen).toEqual([{ action: 'deny' }, { action: 'deny' }]);
      expect(report.openedExternally).toEqual(['https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/']);
      // Permissions: deny by default; fullscreen for the app page only.
      expect(report.security.permissions).toEqual({ mediaFromApp: false, notificationsFromApp: false, fullscreenFromApp: true, fullscreenFromElsewhere: false, checkGeolocation: false, device: false });
      // The page's CSP: scripts from the app only, no plugins, no framing, no eval.
      for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(report.page.csp).toContain(directive);
      expect(report.page.csp).not.toMatch(/(?<!wasm-)unsafe-eval|script-src[^;]*unsafe-inline|\*;/);
      // The main process logged its start to the rotating log file.
      expect(await readFile(join(userData, 'logs', 'kvs-wall.log'), 'utf8')).toContain('"msg":"started"');
    } finally {
      await rm(appPath, { recursive: true, force: true });
      await rm(userData, { recursive: true, force: true });
    }
  }, 60_000);
});
