import { BrowserWindow, type Rectangle } from 'electron';
import { APP_ENTRY_URL } from './policy/app-origin';
import { secureWebPreferences } from './policy/web-preferences';

export interface WallWindowOptions {
  preloadPath: string;
  /** Work area of the display to open on (kiosk `--display N`); the primary display when absent. */
  bounds?: Rectangle;
  fullscreen: boolean;
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
    autoHideMenuBar: options.fullscreen,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}
