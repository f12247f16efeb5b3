import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ReplySchema } from '../../../shared/contract';
import { CALL_CHANNEL } from '../../../main/app/policy/channels';
import { FakeIpcMain, FakeSession, FakeWebContents, navigationEvent } from './electron-double';

/** The Electron app object as main.ts uses it, recording what it was asked to do. */
function fakeElectron(opts: { appPath: string; userData: string; lock: boolean }) {
  const order: string[] = [];
  const appEvents = new EventEmitter();
  const windows: FakeWindow[] = [];
  const protocolHandlers = new Map<string, (req: Request) => Promise<Response>>();
  const displays = [
    { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1080 } },
    { id: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 0, width: 2560, height: 1440 } },
  ];
  const screenEvents = new EventEmitter();
  class FakeWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    constructor(readonly options: Record<string, unknown>) {
      super();
      const o = options as { x?: number; y?: number; width?: number; height?: number; fullscreen?: boolean; kiosk?: boolean };
      this.bounds = { x: o.x ?? 0, y: o.y ?? 0, width: o.width ?? 1600, height: o.height ?? 900 };
      this.full = o.fullscreen ?? false;
      this.kiosk = o.kiosk ?? false;
      windows.push(this);
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    bounds = { x: 0, y: 0, width: 0, height: 0 };
    full = false;
    kiosk = false;
    getBounds() {
      return this.bounds;
    }
    getNormalBounds() {
      return this.bounds;
    }
    setBounds(b: { x: number; y: number; width: number; height: number }) {
      this.bounds = b;
      this.emit('move');
    }
    isFullScreen() {
      return this.full;
    }
    setFullScreen(full: boolean) {
      this.full = full;
    }
    isKiosk() {
      return this.kiosk;
    }
    setKiosk(kiosk: boolean) {
      this.kiosk = kiosk;
    }
    restore() {}
    show() {}
    focus() {}
  }
  const trays: FakeTray[] = [];
  /** The tray icon: what it was told to say and which menu it holds. */
  class FakeTray {
    tooltip = '';
    menu?: { template: Array<{ label?: string; click?: () => void }> };
    destroyed = false;
    constructor(readonly image: { path: string }) {
      trays.push(this);
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setTitle() {}
    setContextMenu(menu: { template: Array<{ label?: string; click?: () => void }> }) {
      this.menu = menu;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  const app = Object.assign(appEvents, {
    quit: vi.fn(() => order.push('quit')),
    exit: vi.fn(),
    relaunch: vi.fn(),
    getPath: (name: string) => (name === 'userData' ? opts.userData : name === 'downloads' ? '/home/op/Downloads' : tmpdir()),
    getAppPath: () => opts.appPath,
    getVersion: () => '1.2.3',
    setLoginItemSettings: vi.fn(),
    requestSingleInstanceLock: () => opts.lock,
    whenReady: () => {
      order.push('whenReady');
      return Promise.resolve();
    },
  });
  const menu: { template?: Array<{ label?: string; submenu?: Array<{ label?: string; click?: () => void }> }> } = {};
  const electron = {
    app,
    BrowserWindow: Object.assign(FakeWindow, { getFocusedWindow: () => windows[0] }),
    Menu: {
      buildFromTemplate: (template: NonNullable<typeof menu.template>) => ({ template }),
      setApplicationMenu: (built: { template: NonNullable<typeof menu.template> }) => {
        menu.template = built.template;
      },
    },
    menu,
    dialog: { showErrorBox: vi.fn(), showMessageBoxSync: vi.fn(() => 0), showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePath: '' })) },
    powerSaveBlocker: { start: vi.fn(() => 7), stop: vi.fn() },
    Notification: Object.assign(vi.fn(), { isSupported: () => false }),
    Tray: FakeTray,
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    ipcMain: new FakeIpcMain(),
    powerMonitor: new EventEmitter(),
    protocol: {
      registerSchemesAsPrivileged: vi.fn(() => order.push('registerSchemes')),
      handle: (scheme: string, handler: (req: Request) => Promise<Response>) => protocolHandlers.set(scheme, handler),
    },
    screen: Object.assign(screenEvents, {
      getAllDisplays: () => displays,
      getPrimaryDisplay: () => displays[0],
      getDisplayMatching: (r: { x: number }) => displays.find((d) => r.x >= d.bounds.x && r.x < d.bounds.x + d.bounds.width) ?? displays[0],
    }),
    session: { defaultSession: new FakeSession() },
    shell: { openExternal: vi.fn() },
  };
  return { electron, order, windows, trays, protocolHandlers, displays };
}

const dirs: string[] = [];
// main.ts guards the real process; the listeners it adds here are taken off again after the tests.
const processListeners = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  for (const l of process.listeners('uncaughtException')) if (!processListeners.uncaughtException.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!processListeners.unhandledRejection.includes(l)) process.off('unhandledRejection', l);
});

async function launch(argv: string[], lock = true, userFiles: Record<string, string> = {}) {
  const appPath = await mkdtemp(join(tmpdir(), 'kvs-wall-apppath-'));
  const userData = await mkdtemp(join(tmpdir(), 'kvs-wall-userdata-'));
  dirs.push(appPath, userData);
  for (const [name, text] of Object.entries(userFiles)) await writeFile(join(userData, name), text);
  await mkdir(join(appPath, 'renderer', 'dist'), { recursive: true });
  await writeFile(join(appPath, 'renderer', 'dist', 'index.html'), '<!doctype html><title>KVS Wall</title>');
  const fake = fakeElectron({ appPath, userData, lock });
  vi.resetModules();
  vi.doMock('electron', () => fake.electron);
  const saved = process.argv;
  process.argv = ['/opt/kvs-wall/kvs-wall', ...argv];
  try {
    await import('../../../main/app/main');
  } finally {
    process.argv = saved;
  }
  return { ...fake, appPath, userData };
}

describe('Electron main process wiring', () => {
  it('refuses to start a second instance', async () => {
    const { electron, order, windows } = await launch([], false);
    expect(electron.app.quit).toHaveBeenCalled();
    expect(order).not.toContain('whenReady');
    expect(windows).toEqual([]);
    // The first launch transforms main's whole module graph, which takes a while on a busy machine.
  }, 90_000);

  it('exits with a message on bad kiosk arguments', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { electron, windows } = await launch(['--display', 'left']);
    expect(electron.app.exit).toHaveBeenCalledWith(2);
    expect(error.mock.calls.flat().join(' ')).toMatch(/--display needs a display number/);
    expect(windows).toEqual([]);
    error.mockRestore();
  });

  it('logs to kvs-wall.log in the user-data logs folder and guards the process from its first line', async () => {
    const before = process.listeners('unhandledRejection');
    const { electron, windows, userData } = await launch([]);
    await vi.waitFor(() => expect(windows).toHaveLength(1), { timeout: 10_000 });
    const added = process.listeners('unhandledRejection').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    expect(process.listeners('uncaughtException').length).toBeGreaterThan(processListeners.uncaughtException.length);
    // What the guard does with a lost promise: logged (redacted) to the file, and the app carries on.
    (added[0] as (reason: unknown) => void)(new Error('lost at https://h/x.mpd?SessionToken=CiNotForLogs'));
    const log = await readFile(join(userData, 'logs', 'kvs-wall.log'), 'utf8');
    expect(log).toContain('"msg":"unhandledRejection: survived"');
    expect(log).not.toContain('CiNotForLogs');
    expect(electron.app.exit).not.toHaveBeenCalled();
    expect(electron.app.relaunch).not.toHaveBeenCalled();
  }, 30_000);

  it('starts hardened: scheme, session, navigation, window, IPC, resume, quit', async () => {
    const { electron, order, windows, trays, protocolHandlers, appPath } = await launch(['--wall', 'Lobby', '--display', '1', '--fullscreen']);
    await vi.waitFor(() => expect(windows).toHaveLength(1), { timeout: 10_000 });
    const [win] = windows;

    // The privileged scheme is registered before the app is ready, as Electron requires.
    expect(order.indexOf('registerSchemes')).toBeLessThan(order.indexOf('whenReady'));
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);

    // The window: hardened preferences, our preload, the kiosk display, fullscreen.
    expect(win!.options).toMatchObject({ fullscreen: true, x: 1920, y: 0, width: 2560, height: 1440 });
    expect(win!.options.webPreferences).toMatchObject({
      preload: join(appPath, 'dist', 'app', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(win!.loaded).toEqual(['app://kvs-wall/index.html']);

    // Every webContents created later is hardened too.
    const other = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    const nav = navigationEvent('https://evil.example/');
    other.emit('will-navigate', nav);
    expect(nav.defaultPrevented).toBe(true);
    expect(await electron.session.defaultSession.request('media', 'app://kvs-wall/index.html')).toBe(false);

    // IPC: our window is answered, anything else is Forbidden.
    const handler = electron.ipcMain.handlers.get(CALL_CHANNEL)!;
    const info = ReplySchema.parse(await handler({ sender: win!.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'app.info', {}));
    expect(info).toMatchObject({ ok: true, value: { shell: 'electron', version: '1.2.3', kiosk: { wall: 'Lobby', fullscreen: true } } });
    const foreign = ReplySchema.parse(await handler({ sender: other, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'app.info', {}));
    expect(!foreign.ok && foreign.error.code).toBe('Forbidden');
    const accounts = ReplySchema.parse(await handler({ sender: win!.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'accounts.list', {}));
    expect(accounts).toMatchObject({ ok: true, value: [{ id: 'demo', kind: 'demo' }] });

    // The page is served from app:// with a CSP that allows the demo cameras and nothing foreign.
    const page = await protocolHandlers.get('app')!(new Request('app://kvs-wall/index.html'));
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+/);
    expect(csp).toContain("script-src 'self'");
    expect((await protocolHandlers.get('app')!(new Request('app://kvs-wall/../../etc/passwd'))).status).toBe(404);

    // File › New Window opens a second wall window, locked down and wired like the first.
    const newWindow = electron.menu.template?.find((m) => m.label === 'File')?.submenu?.find((i) => i.label === 'New Window');
    expect(newWindow).toBeDefined();
    const before = windows.length;
    newWindow!.click!();
    expect(windows.length).toBe(before + 1);

    // Each window is a window id of its own, whatever its page remembers; a crash or a reload of the
    // renderer ends its page (its tiles' sessions go back to the pool) and the next page attaches.
    const attach = async (win: { webContents: FakeWebContents }, pageId: string) =>
      ReplySchema.parse(await handler({ sender: win.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'page.attach', { pageId, windowId: 'w7' }));
    const beat = async (win: { webContents: FakeWebContents }, pageId: string) =>
      ReplySchema.parse(await handler({ sender: win.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'page.heartbeat', { pageId }));
    expect(await attach(win!, 'first')).toMatchObject({ ok: true, value: { windowId: 'w1' } });
    expect(await attach(windows[1]!, 'second')).toMatchObject({ ok: true, value: { windowId: 'w2' } });

    // The tray adds up what each window's page reports, and forgets a page that went.
    const [tray] = trays;
    expect(tray!.image.path).toBe(join(appPath, 'dist', 'app', 'tray.png'));
    expect(tray!.tooltip).toBe('KVS Wall — no cameras on a wall');
    expect(tray!.menu!.template.map((i) => i.label)).toEqual(['Show Walls', 'Quit KVS Wall']);
    const cameras = async (win: { webContents: FakeWebContents }, live: number, total: number) =>
      ReplySchema.parse(await handler({ sender: win.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'page.cameras', { live, total }));
    expect(await cameras(win!, 8, 9)).toMatchObject({ ok: true, value: { accepted: true } });
    expect(await cameras(windows[1]!, 6, 7)).toMatchObject({ ok: true, value: { accepted: true } });
    expect(tray!.tooltip).toBe('KVS Wall — 14 of 16 cameras live');
    expect(await cameras(win!, 9, 8)).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    expect(tray!.tooltip).toBe('KVS Wall — 14 of 16 cameras live');

    win!.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(await beat(win!, 'first')).toMatchObject({ ok: true, value: { accepted: false } });
    expect(tray!.tooltip).toBe('KVS Wall — 6 of 7 cameras live');
    // A page not attached (the crashed one, before it loads again) is not counted.
    expect(await cameras(win!, 9, 9)).toMatchObject({ ok: true, value: { accepted: false } });
    expect(tray!.tooltip).toBe('KVS Wall — 6 of 7 cameras live');
    // …and the crashed page is loaded again by itself.
    await vi.waitFor(() => expect(win!.webContents.reloads).toBe(1));

    // Closing a wall window asks first; "Cancel" keeps it open.
    electron.dialog.showMessageBoxSync.mockReturnValueOnce(1);
    const close = navigationEvent('');
    windows[1]!.emit('close', close);
    expect(close.defaultPrevented).toBe(true);
    expect(electron.dialog.showMessageBoxSync).toHaveBeenLastCalledWith(windows[0], expect.objectContaining({ message: 'Close this wall window?' }));
    expect(await beat(windows[1]!, 'second')).toMatchObject({ ok: true, value: { accepted: true } });

    // Exporting a clip asks where to save it on the window that asked; closing the dialog starts nothing.
    const stream = { accountId: 'demo', streamName: 'lobby' };
    const exportReply = ReplySchema.parse(
      await handler({ sender: windows[1]!.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'export.start', { stream, selector: 'PRODUCER_TIMESTAMP', start: 1_000, end: 61_000 }),
    );
    expect(exportReply).toEqual({ ok: true, value: { status: 'cancelled' } });
    expect(electron.dialog.showSaveDialog).toHaveBeenCalledWith(windows[1], expect.objectContaining({ title: 'Export clip', defaultPath: expect.stringMatching(/^\/home\/op\/Downloads\/lobby .+\.mp4$/) }));

    // A snapshot the page made (a PNG blob of the app's origin) gets a save dialog; any other download is cancelled.
    const download = (url: string, mimeType: string) => {
      const item = { getURL: () => url, getFilename: () => 'Lobby 14.03.07.png', getMimeType: () => mimeType, cancel: vi.fn(), setSaveDialogOptions: vi.fn() };
      electron.session.defaultSession.emit('will-download', {}, item, win!.webContents);
      return item;
    };
    const snapshot = download('blob:app://kvs-wall/3f1c2a9e-1111-4222-8333-444455556666', 'image/png');
    expect(snapshot.cancel).not.toHaveBeenCalled();
    expect(snapshot.setSaveDialogOptions).toHaveBeenCalledWith(expect.objectContaining({ defaultPath: '/home/op/Downloads/Lobby 14.03.07.png' }));
    expect(download('https://evil.example/payload.exe', 'application/octet-stream').cancel).toHaveBeenCalled();
    expect(download('blob:app://kvs-wall/3f1c2a9e-1111-4222-8333-444455556666', 'text/html').cancel).toHaveBeenCalled();

    // Waking from sleep reaches the session broker.
    expect(electron.powerMonitor.listenerCount('resume')).toBe(1);
    expect(() => electron.powerMonitor.emit('resume')).not.toThrow();

    // Closing the last window quits; quitting disposes the core first, then really quits.
    electron.app.emit('window-all-closed');
    expect(electron.app.quit).toHaveBeenCalled();
    electron.app.quit.mockClear();
    const quitEvent = navigationEvent('');
    electron.app.emit('will-quit', quitEvent);
    expect(quitEvent.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled());
    expect(electron.ipcMain.handlers.has(CALL_CHANNEL)).toBe(false);
    expect(tray!.destroyed).toBe(true);
    // The tray's Quit quits (through the same close confirmation as any quit).
    electron.app.quit.mockClear();
    tray!.menu!.template.find((i) => i.label === 'Quit KVS Wall')!.click!();
    expect(electron.app.quit).toHaveBeenCalledTimes(1);
  }, 30_000);

  it('restores each saved wall window on its display, falls back while a display is missing, and saves the layout at quit', async () => {
    const layout = {
      version: 1,
      data: {
        windows: [
          { wallId: 'lobby', displayId: 2, displayBounds: { x: 1920, y: 0, width: 2560, height: 1440 }, bounds: { x: 2000, y: 100, width: 1200, height: 800 }, fullscreen: true, kiosk: false },
          { wallId: 'dock', displayId: 9, displayBounds: { x: 4480, y: 0, width: 1920, height: 1080 }, bounds: { x: 4580, y: 50, width: 1000, height: 700 }, fullscreen: false, kiosk: false },
        ],
      },
    };
    const { electron, windows, userData, displays } = await launch([], true, { 'window-layout.json': JSON.stringify(layout) });
    await vi.waitFor(() => expect(windows).toHaveLength(2), { timeout: 10_000 });
    expect(windows[0]!.options).toMatchObject({ x: 2000, y: 100, width: 1200, height: 800, fullscreen: true });
    // Display 9 is not plugged in: the window waits on the primary, same place on it.
    expect(windows[1]!.options).toMatchObject({ x: 100, y: 50, width: 1000, height: 700, fullscreen: false });

    // Each window is told its own wall.
    const handler = electron.ipcMain.handlers.get(CALL_CHANNEL)!;
    const info = async (win: { webContents: FakeWebContents }) =>
      ReplySchema.parse(await handler({ sender: win.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'app.info', {}));
    expect(await info(windows[0]!)).toMatchObject({ ok: true, value: { windowWall: 'lobby' } });
    expect(await info(windows[1]!)).toMatchObject({ ok: true, value: { windowWall: 'dock' } });

    // The display comes back: the window goes home.
    displays.push({ id: 9, bounds: { x: 4480, y: 0, width: 1920, height: 1080 }, workArea: { x: 4480, y: 0, width: 1920, height: 1080 } });
    electron.screen.emit('display-added');
    expect(windows[1]!.bounds).toEqual({ x: 4580, y: 50, width: 1000, height: 700 });

    // View › Move Wall to Next Display, on the focused window (the first): display 2 → display 9.
    const move = electron.menu.template?.find((m) => m.label === 'View')?.submenu?.find((i) => i.label === 'Move Wall to Next Display');
    move!.click!();
    expect(windows[0]!.bounds).toMatchObject({ x: 4480 + 80, y: 100 });
    expect(windows[0]!.full).toBe(true);

    // Start at login, switched on in settings, is handed to the OS.
    await handler({ sender: windows[0]!.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'settings.update', { startAtLogin: true });
    expect(electron.app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: true, args: [] });

    // The first window switches wall; quitting saves where everything is.
    await handler({ sender: windows[0]!.webContents, senderFrame: { url: 'app://kvs-wall/index.html' } }, 'settings.update', { lastWallId: 'atrium' });
    const quitEvent = navigationEvent('');
    electron.app.emit('will-quit', quitEvent);
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled());
    const saved = JSON.parse(await readFile(join(userData, 'window-layout.json'), 'utf8')) as typeof layout;
    expect(saved.data.windows.map((w) => [w.wallId, w.displayId])).toEqual([
      ['atrium', 9],
      ['dock', 9],
    ]);
  }, 30_000);
});
