/**
 * `npm run bench [-- name … [--option value …]]`: runs the benchmarks one after another, each in its own
 * Node process, streaming its output, then prints which ran, which failed and how long each took. Names
 * pick a subset by prefix (`npm run bench -- broker wall`); everything from the first `--option` on is
 * passed to each bench run (`npm run bench -- wall --tiles 64`); exit status is non-zero if any bench failed.
 *
 * Benches run in sequence, not in parallel: several start the emulator or a browser and measure
 * timings that a second bench on the same 2 cores would distort.
 *
 * None needs the keychain: acquire-bench uses the demo account, whose vault is never opened, so no
 * D-Bus/gnome-keyring session (scripts/test.sh) is set up here. startup-, wall- and soak-bench build
 * the renderer and need Chromium, as the end-to-end suite does.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';

const BENCH_DIR = import.meta.dirname;
const ROOT = join(BENCH_DIR, '..', '..');
const BENCHES = ['broker-bench.ts', 'acquire-bench.ts', 'emulator-bench.ts', 'startup-bench.ts', 'wall-bench.ts', 'churn-bench.ts', 'soak-bench.ts', 'codecs-bench.ts', 'stills-bench.ts'];

interface Outcome {
  file: string;
  status: 'ok' | 'failed' | 'missing' | 'not run';
  detail: string;
  seconds?: number;
}

function pick(args: readonly string[]): string[] {
  if (args.length === 0) return BENCHES;
  const chosen = new Set<string>();
  for (const arg of args) {
    const matches = BENCHES.filter((file) => file.startsWith(arg));
    if (matches.length === 0) {
      console.error(`bench: no benchmark called "${arg}"; known: ${BENCHES.map((f) => f.replace(/-bench\.ts$/, '')).join(', ')}`);
      process.exit(2);
    }
    for (const m of matches) chosen.add(m);
  }
  // The listed order, not the command line's: cheap simulated benches first, browser last.
  return BENCHES.filter((file) => chosen.has(file));
}

/** Runs one bench as `node --import tsx <file>`: its own process, so a crash or leaked handle ends with it. */
function runOne(path: string, options: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path, ...options], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const firstOption = args.findIndex((a) => a.startsWith('-'));
  const names = firstOption < 0 ? args : args.slice(0, firstOption);
  const options = firstOption < 0 ? [] : args.slice(firstOption);
  const files = pick(names);
  const outcomes: Outcome[] = [];
  let interrupted = false;
  // Ctrl-C reaches the running bench too (same process group); stop after it instead of starting the next.
  process.on('SIGINT', () => {
    interrupted = true;
  });

  for (const file of files) {
    const path = join(BENCH_DIR, file);
    if (interrupted) {
      outcomes.push({ file, status: 'not run', detail: 'interrupted' });
      continue;
    }
    if (!existsSync(path)) {
      outcomes.push({ file, status: 'missing', detail: 'no such file; skipped' });
      continue;
    }
    console.log(`\n${'='.repeat(100)}\n== ${relative(ROOT, path)}\n${'='.repeat(100)}`);
    const started = performance.now();
    let detail: string;
    let ok: boolean;
    try {
      const { code, signal } = await runOne(path, options);
      ok = code === 0;
      detail = signal ? `killed by ${signal}` : `exit ${code ?? '?'}`;
    } catch (err) {
      ok = false;
      detail = `could not start: ${err instanceof Error ? err.message : String(err)}`;
    }
    outcomes.push({ file, status: ok ? 'ok' : 'failed', detail, seconds: (performance.now() - started) / 1000 });
  }

  console.log(`\n${'='.repeat(100)}\nBenchmark summary\n`);
  const width = Math.max(...outcomes.map((o) => o.file.length));
  for (const o of outcomes) {
    const time = o.seconds === undefined ? '' : `${o.seconds.toFixed(1).padStart(7)} s`;
    console.log(`${o.file.padEnd(width)}  ${o.status.padEnd(7)}  ${time.padEnd(9)}  ${o.detail}`);
  }
  const failed = outcomes.filter((o) => o.status === 'failed' || o.status === 'not run');
  console.log(failed.length ? `\n${failed.length} of ${outcomes.length} did not pass` : `\nall ${outcomes.filter((o) => o.status === 'ok').length} ran`);
  if (failed.length) process.exitCode = 1;
}

await main();
