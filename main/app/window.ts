import { BrowserWindow, type Rectangle } from 'electron';
import { APP_ENTRY_URL } from './policy/app-origin';
import type { RendererRecovery } from './policy/renderer-recovery';
import { secureWebPreferences } from './policy/web-preferences';

export interface WallWindowOptions {
  preloadPath: string;
  /** Work area of the display to open on (kiosk `--display N`); the primary display when absent. */
  bounds?: Rectangle;
  fullscreen: boolean;
  /** Electron's kiosk mode (`--kiosk`): fullscreen that the operator can't leave by accident. */
  kiosk?: boolean;
}

/** One wall window: hardened preferences, the app's own page, shown once it has painted. */
export function createWallWindow(options: WallWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: 'KVS Wall',
    width: 1600,
    height: 900,
    ...(options.bounds ?? {}),
    backgroundColor: '#111318',
    show: false,
    fullscreen: options.fullscreen,
    kiosk: options.kiosk ?? false,
    autoHideMenuBar: options.fullscreen,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

/** Electron's events about a window's renderer, passed to the recovery policy (./policy/renderer-recovery). */
export function wireRendererRecovery(win: BrowserWindow, recovery: RendererRecovery): void {
  win.webContents.on('render-process-gone', (_event, details) => recovery.processGone(details.reason));
  win.webContents.on('did-finish-load', () => recovery.loaded());
  win.on('unresponsive', () => recovery.unresponsive());
  win.on('responsive', () => recovery.responsive());
  win.on('closed', () => recovery.dispose());
}
