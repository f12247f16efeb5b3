#!/usr/bin/env node
// Before `npm test` runs anything: are the system packages it needs installed? Names each missing
// one and the command that installs them all, then exits 1. Silent when everything is there.
// KVS_WALL_SKIP_PREFLIGHT=1 skips the check (e.g. to run a few unit tests on a bare machine).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const linux = process.platform === 'linux';
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** What the suite needs, the Debian package that brings it, and how it is found. */
const NEEDS = [
  { pkg: 'chromium', what: 'Chromium, which the end-to-end tests drive', files: [chromium], where: `looked for ${chromium}; CHROMIUM_PATH picks another` },
  { pkg: 'ffmpeg', what: 'ffmpeg and ffprobe, which make and check the test media', commands: ['ffmpeg', 'ffprobe'] },
  { pkg: 'gnome-keyring', what: 'gnome-keyring, the real keychain the keychain tests use', commands: ['gnome-keyring-daemon'], only: linux },
  { pkg: 'dbus', what: "D-Bus's dbus-run-session, the private session bus the keyring runs on", commands: ['dbus-run-session'], only: linux },
  { pkg: 'unzip', what: 'unzip, which opens the diagnostics zip', commands: ['unzip'] },
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, command)));
}

if (!process.env.KVS_WALL_SKIP_PREFLIGHT) {
  const missing = [];
  for (const need of NEEDS) {
    if (need.only === false) continue;
    const absent = [...(need.files ?? []).filter((f) => !executable(f)), ...(need.commands ?? []).filter((c) => !onPath(c))];
    if (absent.length > 0) missing.push({ ...need, absent });
  }
  if (missing.length > 0) {
    const packages = missing.map((m) => m.pkg).join(' ');
    const sudo = typeof process.getuid === 'function' && process.getuid() !== 0 ? 'sudo ' : '';
    const lines = [
      `npm test needs ${missing.length === 1 ? 'a system package that is' : 'system packages that are'} missing here:`,
      ...missing.map((m) => `  - ${m.pkg}: ${m.what} (${m.where ?? `${m.absent.join(', ')} not on PATH`})`),
      'Install with:',
      linux ? `  ${sudo}apt-get install -y --no-install-recommends ${packages}` : `  your package manager: ${packages}`,
      linux ? '(Debian and Ubuntu names; KVS_WALL_SKIP_PREFLIGHT=1 skips this check.)' : '(KVS_WALL_SKIP_PREFLIGHT=1 skips this check.)',
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(1);
  }
}
