#!/usr/bin/env node
// `npm start`: build, then run the Electron app. Where the Electron binary is missing and can't be
// downloaded (machines without GitHub access), run the browser shell instead and say why, once, in
// one paragraph: no stack traces, no repeated warnings.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const args = process.argv.slice(2);

/** Kiosk options mean nothing to the browser shell; everything else is passed on for it to check. */
function browserShellArgs(argv) {
  const shellArgs = [];
  const dropped = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].split('=')[0];
    if (flag === '--fullscreen') dropped.push(argv[i]);
    else if (flag === '--wall' || flag === '--display') {
      dropped.push(!argv[i].includes('=') && argv[i + 1] !== undefined ? `${argv[i]} ${argv[++i]}` : argv[i]);
    } else shellArgs.push(argv[i]);
  }
  return { shellArgs, dropped };
}

/**
 * The Electron binary's path when it is there. Read the way the electron package's own index.js
 * does, without requiring it: that starts a download with inherited output, which prints a stack
 * trace to the terminal when it fails.
 */
function electronBinary() {
  let relative;
  try {
    relative = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
  } catch {
    relative = undefined;
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const path = override ? join(override, relative || 'electron') : relative ? join(electronDir, 'dist', relative) : undefined;
  return path && existsSync(path) ? path : undefined;
}

/** Runs the electron package's installer quietly; returns why it failed, in a few words, or undefined. */
function downloadElectron() {
  if (process.stderr.isTTY) process.stderr.write('KVS Wall: downloading the Electron binary (once)…\n');
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  if (result.error) return result.error.code === 'ETIMEDOUT' ? 'it timed out' : result.error.message;
  if (result.status === 0) return undefined;
  // The installer prints an error with its stack: keep the message line, without the error's class.
  const line = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at ')) ?? `the installer exited with ${result.status}`;
  return line.replace(/^[A-Za-z]*Error:\s*/, '').slice(0, 160);
}

function runElectron(binary) {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
  const child = spawn(binary, ['.', ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

function runBrowserShell(why, next) {
  const { shellArgs, dropped } = browserShellArgs(args);
  const ignored = dropped.length > 0 ? ` ${dropped.join(' ')} ${dropped.length === 1 ? 'applies' : 'apply'} to the desktop app only and ${dropped.length === 1 ? 'is' : 'are'} ignored.` : '';
  process.stderr.write(
    `KVS Wall: the Electron binary is not installed (${why}), so KVS Wall opens as the browser shell: the same UI and services, served on 127.0.0.1 — open the address printed below in Chromium or Chrome.${ignored} ${next}\n`,
  );
  // The browser shell needs no Electron bundles; it builds the renderer itself when it is stale.
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'main/web/cli.ts'), '--port', '0', ...shellArgs], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

let binary = electronBinary();
if (binary) runElectron(binary);
else if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  runBrowserShell('ELECTRON_SKIP_BINARY_DOWNLOAD is set', 'For the desktop app, unset it where GitHub downloads work and run `npm start` again.');
} else {
  const failure = downloadElectron();
  binary = electronBinary();
  if (binary) runElectron(binary);
  else runBrowserShell(`its download failed: ${failure ?? 'no binary after the installer ran'}`, 'For the desktop app, run `npm start` again where GitHub downloads work.');
}
