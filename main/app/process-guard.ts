import { app } from 'electron';
import type { Logger } from '../core/logger';
import { formatRestartHistory, installProcessGuard, parseRestartHistory, RESTARTS_ENV, type ProcessGuard } from '../core/process-guard';

/**
 * The Electron main process's guard (policy in ../core/process-guard). A restart relaunches the app
 * with the same arguments, so a kiosk comes back on its wall and display; the restart times travel
 * in the environment, so a fault that repeats at every start ends in an exit instead of a loop.
 */
export function guardMainProcess(logger: Logger): ProcessGuard {
  return installProcessGuard({
    logger,
    restartHistory: parseRestartHistory(process.env[RESTARTS_ENV]),
    restart: (history) => {
      process.env[RESTARTS_ENV] = formatRestartHistory(history);
      app.relaunch();
      app.exit(70);
    },
    exit: (code) => app.exit(code),
  });
}
