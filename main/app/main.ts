import { app, dialog, ipcMain, Menu, powerMonitor, screen, session, shell, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { systemClock } from '../core/clock';
import { openLogFile } from '../core/log-files';
import { createLogger } from '../core/logger';
import { createAppCore, type AppCore } from '../compose';
import { nextWindowId, wireCalls, wireWindowEvents } from './ipc';
import { chooseDisplay, parseKioskArgs, type KioskOptions } from './policy/kiosk-args';
import { createSenderPolicy, senderIdFor } from './policy/sender';
import { startUpdates, UPDATE_FEED_ENV } from './policy/updates';
import { guardMainProcess } from './process-guard';
import { dialogExportDestination, wireDownloads } from './saving';
import { registerAppScheme, serveRenderer } from './protocol';
import { hardenSession, hardenWebContents } from './security';
import { createElectronUpdater } from './updater';
import { createWallWindow } from './window';

/*
 * The Electron shell: lifecycle and wiring only. Every decision lives in ./policy (Electron-free)
 * or in the core; this file connects them to Electron's objects.
 */

const kiosk = parseKioskArgs(process.argv.slice(1));
// Custom schemes must be registered before the app is ready, whatever happens next.
registerAppScheme();
// Logs and the crash guard come first, so a failure anywhere after this is on record.
const logger = createLogger(openLogFile({ dir: join(app.getPath('userData'), 'logs'), name: 'kvs-wall' }, { onTrouble: (m) => console.error(m) }), 'main');
const guard = guardMainProcess(logger);

if (!kiosk.ok) {
  console.error(kiosk.message);
  app.exit(2);
} else if (!app.requestSingleInstanceLock()) {
  // Another instance owns the session ledger and the keychain entries; it gets focused instead.
  app.quit();
} else {
  const options = kiosk.options;
  app
    .whenReady()
    .then(() => start(options))
    .then(() => {
      guard.markRunning();
      logger.info('started', { version: app.getVersion(), electron: process.versions.electron, chrome: process.versions.chrome, platform: process.platform, kiosk: options });
      startUpdates({ feed: process.env[UPDATE_FEED_ENV], isPackaged: app.isPackaged, createUpdater: (feed) => createElectronUpdater(feed, logger), logger, clock: systemClock });
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      logger.error('could not start', { error: err });
      console.error('KVS Wall could not start:', message);
      dialog.showErrorBox('KVS Wall could not start', message);
      app.exit(1);
    });
}

async function start(options: KioskOptions): Promise<void> {
  const userDataDir = app.getPath('userData');
  /** Our windows by webContents id, each with the window id its pages' tiles are known by. */
  const windows = new Map<number, { win: BrowserWindow; windowId: string }>();

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => void shell.openExternal(url)));
  hardenSession(session.defaultSession);
  const downloadsDir = () => app.getPath('downloads');
  wireDownloads(session.defaultSession, downloadsDir, logger);
  const windowOf = (senderId: string) => [...windows.entries()].find(([id]) => senderIdFor(id) === senderId)?.[1].win;

  const core: AppCore = await createAppCore({
    userDataDir,
    logger,
    shell: 'electron',
    version: app.getVersion(),
    kiosk: options.wall !== undefined || options.fullscreen ? { ...(options.wall ? { wall: options.wall } : {}), fullscreen: options.fullscreen } : undefined,
    isAllowedSender: createSenderPolicy({ has: (id) => windows.has(id) }),
    exportDestination: dialogExportDestination(dialog, windowOf, downloadsDir),
  });

  // The core's page policy writes the CSP and, when accounts need a new origin, asks the pages to reload themselves.
  serveRenderer(join(app.getAppPath(), 'renderer', 'dist'), () => core.contentSecurityPolicy());
  const unwireCalls = wireCalls(ipcMain, core.dispatch, (id) => windows.get(id)?.windowId);

  // Timers don't run during sleep: every session may have expired by the time we wake.
  powerMonitor.on('resume', () => core.onResume());

  const openWindow = () => {
    const { display, warning } = chooseDisplay(screen.getAllDisplays(), screen.getPrimaryDisplay(), options.display);
    if (warning) logger.warn(warning);
    const win = createWallWindow({
      preloadPath: join(app.getAppPath(), 'dist', 'app', 'preload.cjs'),
      bounds: options.display === undefined ? undefined : display.workArea,
      fullscreen: options.fullscreen,
    });
    const id = win.webContents.id;
    windows.set(id, { win, windowId: nextWindowId([...windows.values()].map((w) => w.windowId)) });
    wireWindowEvents(win.webContents, core.events, (senderId) => core.senderGone(senderId));
    win.on('closed', () => windows.delete(id));
  };

  app.on('second-instance', () => {
    const first = windows.values().next().value?.win;
    if (!first) return openWindow();
    if (first.isMinimized()) first.restore();
    first.focus();
  });
  app.on('activate', () => {
    if (windows.size === 0) openWindow();
  });
  // A wall is the whole app: closing its last window ends it, on macOS too.
  app.on('window-all-closed', () => app.quit());

  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed) return;
    event.preventDefault();
    disposed = true;
    unwireCalls();
    core.dispose().finally(() => app.quit());
  });

  // Several windows, one wall each (each picks its own wall); they share one core and broker.
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      { label: 'File', submenu: [{ label: 'New Window', accelerator: 'CmdOrCtrl+N', click: () => openWindow() }, { role: 'close' }, { role: 'quit' }] },
      { label: 'View', submenu: [{ role: 'togglefullscreen' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
    ]),
  );
  openWindow();
}
