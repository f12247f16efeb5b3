#!/usr/bin/env node
// `npm start`: build, then run the Electron app. Where the Electron binary is missing and can't
// be installed (machines without GitHub access), run the browser shell instead and say so.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** Kiosk options mean nothing to the browser shell; everything else is passed on for it to check. */
function browserShellArgs(argv) {
  const shellArgs = [];
  const dropped = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].split('=')[0];
    if (flag === '--fullscreen') dropped.push(argv[i]);
    else if (flag === '--wall' || flag === '--display') {
      dropped.push(argv[i]);
      if (!argv[i].includes('=') && argv[i + 1] !== undefined) dropped.push(argv[++i]);
    } else shellArgs.push(argv[i]);
  }
  return { shellArgs, dropped };
}

function run(cmd, argv, opts = {}) {
  return spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts }).status ?? 1;
}

/** The Electron binary's path, or undefined when the npm package has none. */
function electronBinary() {
  try {
    // The electron package's main export is the path of the downloaded binary; it throws without one.
    const path = require('electron');
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined;
  }
}

if (run(process.execPath, [join(root, 'scripts/build.mjs')]) !== 0) process.exit(1);

let binary = electronBinary();
if (!binary && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.error('KVS Wall: the Electron binary is missing; trying to download it…');
  const install = spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  binary = electronBinary();
  if (!binary) {
    const reason = String(install.stderr ?? '').split('\n').find((l) => /error/i.test(l)) ?? 'no reason given';
    console.error(`KVS Wall: the download failed (${reason.trim().slice(0, 200)}).`);
  }
}

if (binary) {
  const child = spawn(binary, ['.', ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
} else {
  console.error(
    'KVS Wall: the Electron binary is not installed and could not be downloaded here, so the app opens as the browser shell\n' +
      '(the same UI and services, served on 127.0.0.1). Open the address below in Chromium or Chrome.',
  );
  const { shellArgs, dropped } = browserShellArgs(args);
  if (dropped.length > 0) console.error(`KVS Wall: ${dropped.join(' ')} applies to the desktop app only and is ignored here.`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'main/web/cli.ts'), '--port', '0', '--no-build', ...shellArgs], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
