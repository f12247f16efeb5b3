import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, powerMonitor, powerSaveBlocker, screen, session, shell } from 'electron';
import { join } from 'node:path';
import { systemClock } from '../core/clock';
import { openLogFile } from '../core/log-files';
import { createLogger } from '../core/logger';
import { createAppCore, type AppCore } from '../compose';
import { nextWindowId, wireCalls, wireWindowEvents } from './ipc';
import { buildAppMenu, isPageCommand, toElectronTemplate, type MenuCommand } from './policy/app-menu';
import { closeQuestion, createCloseGuard } from './policy/close-guard';
import { createDisplayWake } from './policy/display-wake';
import { chooseDisplay, parseKioskArgs, type KioskOptions } from './policy/kiosk-args';
import { loginItemFor } from './policy/login-item';
import { createRendererRecovery } from './policy/renderer-recovery';
import { fitInto, placeSaved, WindowLayoutSchema, type Placement, type WindowState } from './policy/window-layout';
import { createSenderPolicy, senderIdFor } from './policy/sender';
import { startUpdates, UPDATE_FEED_ENV } from './policy/updates';
import { guardMainProcess } from './process-guard';
import { dialogExportDestination, wireDownloads } from './saving';
import { registerAppScheme, serveRenderer } from './protocol';
import { hardenSession, hardenWebContents } from './security';
import { createElectronUpdater } from './updater';
import { openTray } from './tray';
import { createWallWindow, wireRendererRecovery } from './window';
import { createLayoutKeeper } from './window-layout';
import { createJsonStore } from '../store/json-store';

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

  // Which wall is on which monitor. A run started with kiosk arguments places its window by them and
  // leaves the saved layout alone.
  const kioskArgsGiven = options.wall !== undefined || options.display !== undefined || options.fullscreen;
  const layoutStore = createJsonStore({ dir: userDataDir, name: 'window-layout.json', version: 1, schema: WindowLayoutSchema, logger });
  const keeper = createLayoutKeeper({
    screen,
    windowOf: (windowId) => [...windows.values()].find((w) => w.windowId === windowId)?.win,
    save: kioskArgsGiven ? undefined : (layout) => layoutStore.save(layout),
    clock: systemClock,
    logger,
  });

  const core: AppCore = await createAppCore({
    userDataDir,
    logger,
    shell: 'electron',
    version: app.getVersion(),
    kiosk: options.wall !== undefined || options.fullscreen ? { ...(options.wall ? { wall: options.wall } : {}), fullscreen: options.fullscreen } : undefined,
    isAllowedSender: createSenderPolicy({ has: (id) => windows.has(id) }),
    diagnostics: {
      versions: { electron: process.versions.electron, chrome: process.versions.chrome },
      gpu: async (capabilities) => ({
        source: 'electron',
        featureStatus: { ...app.getGPUFeatureStatus() },
        gpuInfo: (await app.getGPUInfo('basic')) as Record<string, unknown>,
        ...(capabilities ?? {}),
      }),
      exported: (path) => shell.showItemInFolder(path),
    },
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    windowWalls: { wallOf: (windowId) => keeper.layout.wallOf(windowId), showing: (windowId, wallId) => keeper.layout.showing(windowId, wallId) },
    exportDestination: dialogExportDestination(dialog, windowOf, downloadsDir),
  });

  // The core's page policy writes the CSP and, when accounts need a new origin, asks the pages to reload themselves.
  serveRenderer(join(app.getAppPath(), 'renderer', 'dist'), () => core.contentSecurityPolicy());
  const unwireCalls = wireCalls(ipcMain, core.dispatch, (id) => windows.get(id)?.windowId);

  // Timers don't run during sleep: every session may have expired by the time we wake.
  powerMonitor.on('resume', () => core.onResume());

  // The monitors stay awake while any wall plays, and may sleep when none does.
  const wake = createDisplayWake({ block: () => powerSaveBlocker.start('prevent-display-sleep'), unblock: (id) => powerSaveBlocker.stop(id) });
  core.sessions.on('state', (event) => wake.tileState(event.windowId, event.tileId, event.state));

  // A wall is not closed by a stray click: closing a window or quitting asks first.
  const closeGuard = createCloseGuard({
    enabled: () => core.settings().kiosk?.confirmBeforeClose ?? true,
    confirm: (what) => {
      const question = closeQuestion(what);
      const options = { type: 'question' as const, buttons: [question.confirmLabel, 'Cancel'], defaultId: 1, cancelId: 1, message: question.message, detail: question.detail };
      const parent = BrowserWindow.getFocusedWindow();
      return (parent ? dialog.showMessageBoxSync(parent, options) : dialog.showMessageBoxSync(options)) === 0;
    },
  });
  // Start at login, as the settings say, with this run's kiosk arguments.
  let loginItem: boolean | undefined;
  const applyLoginItem = (startAtLogin: boolean | undefined) => {
    if (startAtLogin === undefined || startAtLogin === loginItem) return;
    loginItem = startAtLogin;
    app.setLoginItemSettings(loginItemFor(startAtLogin, options));
  };
  applyLoginItem(core.settings().startAtLogin);
  core.onSettingsChanged((settings) => applyLoginItem(settings.startAtLogin));

  app.on('before-quit', (event) => {
    if (!closeGuard.quitting()) event.preventDefault();
  });

  /** A new window's place: the kiosk's display, else the primary's middle. */
  const freshPlacement = (): Placement => {
    const { display, warning } = chooseDisplay(keeper.displays(), keeper.primary(), options.display);
    if (warning) logger.warn(warning);
    const area = display.workArea;
    const bounds = options.display !== undefined ? area : fitInto({ x: area.x + Math.round((area.width - 1600) / 2), y: area.y + Math.round((area.height - 900) / 2), width: 1600, height: 900 }, area);
    return { displayId: display.id, bounds, fullscreen: options.fullscreen, kiosk: options.kiosk, away: false };
  };

  const openWindow = (placement: Placement = freshPlacement(), home?: WindowState) => {
    const win = createWallWindow({
      preloadPath: join(app.getAppPath(), 'dist', 'app', 'preload.cjs'),
      bounds: placement.bounds,
      fullscreen: placement.fullscreen,
      kiosk: placement.kiosk,
    });
    const id = win.webContents.id;
    const windowId = nextWindowId([...windows.values()].map((w) => w.windowId));
    windows.set(id, { win, windowId });
    keeper.track(win, windowId, placement, home);
    wireWindowEvents(win.webContents, core.events, (senderId) => core.senderGone(senderId));
    // A crashed or hung page is loaded again; its tiles take their pooled sessions back.
    wireRendererRecovery(
      win,
      createRendererRecovery({
        clock: systemClock,
        reload: () => {
          if (!win.isDestroyed()) win.webContents.reload();
        },
        log: (message, fields) => logger.warn(message, { windowId, ...fields }),
      }),
    );
    win.on('close', (event) => {
      if (!closeGuard.windowClosing()) event.preventDefault();
    });
    win.on('closed', () => {
      windows.delete(id);
      wake.windowGone(windowId);
      keeper.closed(windowId, windows.size);
    });
  };

  app.on('second-instance', () => {
    const first = windows.values().next().value?.win;
    if (!first) return void openWindow();
    if (first.isMinimized()) first.restore();
    first.focus();
  });
  app.on('activate', () => {
    if (windows.size === 0) openWindow();
  });
  // A wall is the whole app: closing its last window ends it, on macOS too.
  app.on('window-all-closed', () => {
    // Its close was confirmed already: the quit that follows doesn't ask a second time.
    closeGuard.confirmed();
    app.quit();
  });

  // The tray: every window's cameras, live out of shown; its menu brings the walls back or quits.
  const tray = openTray({
    iconPath: join(app.getAppPath(), 'dist', 'app', 'tray.png'),
    platform: process.platform,
    cameras: core.cameras,
    logger,
    run: (command) => {
      if (command === 'tray.quit') return app.quit();
      if (windows.size === 0) return openWindow();
      for (const { win } of windows.values()) {
        if (win.isMinimized()) win.restore();
        win.show();
      }
      windows.values().next().value?.win.focus();
    },
  });

  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed) return;
    event.preventDefault();
    disposed = true;
    tray?.dispose();
    unwireCalls();
    keeper
      .flush()
      .then(() => core.dispose())
      .finally(() => app.quit());
  });

  // Several windows, one wall each (each picks its own wall); they share one core and broker.
  // The menu is described in ./policy/app-menu; here each command meets its action.
  const runCommand = (command: MenuCommand) => {
    const focused = BrowserWindow.getFocusedWindow();
    if (isPageCommand(command)) {
      if (focused) core.events.emit('app.command', { command }, senderIdFor(focused.webContents.id));
      return;
    }
    switch (command) {
      case 'window.new':
        return void openWindow();
      case 'window.nextDisplay':
        return moveFocusedToNextDisplay();
      case 'view.alwaysOnTop':
        return focused?.setAlwaysOnTop(!focused.isAlwaysOnTop());
      case 'help.openLogs':
        return void shell.openPath(join(userDataDir, 'logs'));
    }
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(toElectronTemplate(buildAppMenu(process.platform), runCommand)));

  function moveFocusedToNextDisplay(): void {
    const focused = BrowserWindow.getFocusedWindow();
    const entry = [...windows.values()].find((w) => w.win === focused);
    if (entry) keeper.moveToNext(entry.windowId);
  }

  // Every saved window back on its display (or a visible one until its display returns).
  const saved = kioskArgsGiven ? undefined : await layoutStore.load();
  if (saved && saved.windows.length > 0) for (const state of saved.windows) openWindow(placeSaved(state, keeper.displays(), keeper.primary()), state);
  else openWindow();
}
