#!/usr/bin/env bash
# Runs the whole suite (type checks, unit, integration, browser) inside an isolated D-Bus session
# with its own unlocked gnome-keyring, so keychain tests use a real Secret Service and never touch
# the developer's own keyring. Extra arguments go to vitest (e.g. `npm test -- test/unit`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Missing system packages are named, with the command that installs them, before anything runs.
if [ -z "${KVS_WALL_TEST_SESSION:-}" ]; then node scripts/preflight.mjs; fi

if [ -z "${KVS_WALL_TEST_SESSION:-}" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  export KVS_WALL_TEST_SESSION=1
  XDG_RUNTIME_DIR=$(mktemp -d); export XDG_RUNTIME_DIR
  # The keyring lives under HOME; a throwaway one keeps the suite away from real secrets.
  export KVS_WALL_REAL_HOME="$HOME"
  HOME=$(mktemp -d); export HOME
  export npm_config_cache="$KVS_WALL_REAL_HOME/.npm"
  exec dbus-run-session -- bash -c '
    eval "$(printf testpw | gnome-keyring-daemon --unlock)" >/dev/null
    eval "$(gnome-keyring-daemon --start --components=secrets)" >/dev/null
    export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
    exec bash scripts/test.sh "$@"' bash "$@"
fi

exec npx vitest run "$@"
