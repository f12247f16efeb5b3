import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** A build older than this is presumed dead (its process crashed) and its lock is taken over. */
const LOCK_STALE_MS = 5 * 60_000;

async function newestMtime(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when renderer/dist is missing or older than any renderer or shared source file. */
export async function rendererIsStale(root = REPO_ROOT): Promise<boolean> {
  const built = await newestMtime(join(root, 'renderer', 'dist', 'index.html'));
  if (built === 0) return true;
  const sources = await Promise.all(
    ['renderer/src', 'renderer/index.html', 'renderer/vite.config.ts', 'shared'].map((p) => newestMtime(join(root, p))),
  );
  return Math.max(...sources) > built;
}

/** `vite build --config renderer/vite.config.ts`; its output goes to `log` so stdout stays one line. */
export function buildRenderer(root = REPO_ROOT, log: (chunk: string) => void = (c) => process.stderr.write(c)): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => log(d.toString()));
    child.stderr.on('data', (d: Buffer) => log(d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the renderer build failed (vite exited with ${code})`))));
  });
}

/**
 * Builds renderer/dist when it is missing or stale. Several processes (test files, a shell started
 * during a test run) may ask at once; a lock folder makes one of them build while the others wait,
 * since Vite empties the output folder first and a half-written build would be served.
 */
export async function ensureRendererBuilt(root = REPO_ROOT, log?: (chunk: string) => void): Promise<'built' | 'fresh'> {
  const lock = join(root, 'renderer', '.build-lock');
  for (;;) {
    if (!(await rendererIsStale(root))) return 'fresh';
    try {
      await mkdir(lock);
    } catch {
      const since = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (since > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (!(await rendererIsStale(root))) return 'fresh';
      await buildRenderer(root, log);
      return 'built';
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}
