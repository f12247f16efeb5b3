import { join } from 'node:path';
import { openLogFile } from '../core/log-files';
import { createLogger } from '../core/logger';
import { installProcessGuard } from '../core/process-guard';
import { startBrowserShell } from './browser-shell';
import { CLI_USAGE, parseCliArgs } from './cli-args';
import { ensureRendererBuilt, REPO_ROOT } from './renderer-build';
import { defaultUserDataDir } from './user-data-dir';

/*
 * `npm run start:browser`: the renderer and the main-process services without Electron. Stdout
 * carries exactly one line, `KVS Wall: <url>`, so scripts and tests can read it; everything else
 * goes to stderr or the log file in the user-data folder.
 */

async function main(): Promise<number> {
  const parsed = parseCliArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`kvs-wall: ${parsed.message}\n${CLI_USAGE}\n`);
    return 2;
  }
  if (parsed.options.help) {
    process.stderr.write(`${CLI_USAGE}\n`);
    return 0;
  }
  const { port, noBuild } = parsed.options;
  const userDataDir = parsed.options.userDataDir ?? defaultUserDataDir();

  if (!noBuild) {
    const log = (chunk: string) => process.stderr.write(chunk);
    if ((await ensureRendererBuilt(REPO_ROOT, log)) === 'built') process.stderr.write('kvs-wall: built the renderer\n');
  }

  const logFile = openLogFile({ dir: join(userDataDir, 'logs'), name: 'browser-shell' }, { onTrouble: (m) => process.stderr.write(`${m}\n`) });
  const logger = createLogger(logFile, 'browser-shell');
  // Nothing relaunches the browser shell, so a restart ends it (70); the page says it lost the shell.
  const guard = installProcessGuard({ logger, restart: () => process.exit(70), exit: (code) => process.exit(code) });

  const shell = await startBrowserShell({ port, userDataDir, logger, rendererDir: join(REPO_ROOT, 'renderer', 'dist') });
  process.stdout.write(`KVS Wall: ${shell.url}\n`);
  guard.markRunning();
  logger.info('browser shell started', { url: shell.url, pid: process.pid, node: process.versions.node, platform: process.platform });

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await shell.stop();
  logFile.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /EADDRINUSE/.test(message) ? ' (the port is taken; choose another with --port, or 0 for any free port)' : '';
    process.stderr.write(`kvs-wall: could not start: ${message}${hint}\n`);
    process.exit(1);
  },
);
