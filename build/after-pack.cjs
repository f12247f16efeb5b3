// electron-builder `afterPack` hook: refuses a package without the OS keychain module's native
// binary for its own platform and architecture.
//
// @napi-rs/keyring ships one prebuilt binary per platform as an optional dependency
// (@napi-rs/keyring-<platform>-<arch>[-abi]). npm installs only the one matching the machine it runs
// on, and electron-builder packs the optional dependencies that are installed, so a package built on
// its own OS and architecture gets the right one. A cross-build (arm64 on an x64 machine, a macOS
// universal app) would silently get none, and the app would start without a keychain; this check
// turns that into a build error that says what to install.
'use strict';
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

/** electron-builder's `Arch` enum, by value. */
const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

/** The keyring packages a build for `platform`/`arch` must contain. */
function keyringPackagesFor(platform, arch) {
  const one = {
    'linux/x64': 'linux-x64-gnu',
    'linux/arm64': 'linux-arm64-gnu',
    'linux/armv7l': 'linux-arm-gnueabihf',
    'darwin/x64': 'darwin-x64',
    'darwin/arm64': 'darwin-arm64',
    'mas/x64': 'darwin-x64',
    'mas/arm64': 'darwin-arm64',
    'win32/x64': 'win32-x64-msvc',
    'win32/ia32': 'win32-ia32-msvc',
    'win32/arm64': 'win32-arm64-msvc',
  };
  if ((platform === 'darwin' || platform === 'mas') && arch === 'universal') return ['darwin-x64', 'darwin-arm64'].map((s) => `@napi-rs/keyring-${s}`);
  const suffix = one[`${platform}/${arch}`];
  if (!suffix) throw new Error(`KVS Wall has no keychain binary for ${platform}/${arch}; supported: ${Object.keys(one).join(', ')}, darwin/universal.`);
  return [`@napi-rs/keyring-${suffix}`];
}

/** Where the packaged app's files are: inside the .app bundle on macOS, `resources/` elsewhere. */
function resourcesDir(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources');
  }
  return join(appOutDir, 'resources');
}

/** The missing packages: those without a `.node` file outside the asar archive. */
function missingKeyringBinaries(resources, packages) {
  const roots = [join(resources, 'app.asar.unpacked', 'node_modules'), join(resources, 'app', 'node_modules')];
  return packages.filter((pkg) =>
    !roots.some((root) => {
      const dir = join(root, ...pkg.split('/'));
      return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.node'));
    }),
  );
}

async function afterPack(context) {
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const packages = keyringPackagesFor(context.electronPlatformName, arch);
  const missing = missingKeyringBinaries(resourcesDir(context), packages);
  if (missing.length === 0) return;
  const version = require('@napi-rs/keyring/package.json').version;
  // `--force` lets npm add a binary for another platform next to this machine's; `--no-save` keeps package.json as it is.
  const install = `npm install --no-save --force ${missing.map((pkg) => `${pkg}@${version}`).join(' ')}`;
  throw new Error(
    `The package for ${context.electronPlatformName}/${arch} lacks the OS keychain module's binary (${missing.join(', ')}), so the app could not store secrets. ` +
      `npm installed only this machine's binary. Build on a ${context.electronPlatformName} ${arch} machine, or add the binary first: ${install}`,
  );
}

module.exports = { afterPack, keyringPackagesFor, missingKeyringBinaries, resourcesDir, ARCH_NAMES };
