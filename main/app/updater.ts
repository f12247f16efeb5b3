import type { Logger } from '../core/logger';
import type { UpdaterLike } from './policy/updates';

/**
 * electron-updater for a validated feed (./policy/updates decides whether there is one). Loaded
 * only here: its `autoUpdater` builds the platform's updater when first read, so an app without a
 * feed never creates one.
 */
export async function createElectronUpdater(feed: URL, logger: Logger): Promise<UpdaterLike> {
  const { autoUpdater } = await import('electron-updater');
  autoUpdater.logger = {
    info: (m: unknown) => logger.info(`updater: ${String(m)}`),
    warn: (m: unknown) => logger.warn(`updater: ${String(m)}`),
    error: (m: unknown) => logger.error(`updater: ${String(m)}`),
    debug: () => {},
  };
  autoUpdater.autoDownload = true;
  // Installed when the app next quits: a wall is never restarted mid-shift by an update.
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.setFeedURL({ provider: 'generic', url: feed.href });
  return autoUpdater;
}
