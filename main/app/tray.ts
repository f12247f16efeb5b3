import { Menu, nativeImage, Tray } from 'electron';
import type { Logger } from '../core/logger';
import type { CameraTally } from '../pages/camera-tally';
import { trayMenuTemplate, trayTitle, trayTooltip, type TrayCommand } from './policy/tray';

export interface TrayOptions {
  /** tray.png (16 px) with tray@2x.png beside it for high-density screens. */
  iconPath: string;
  platform: NodeJS.Platform;
  cameras: CameraTally;
  run: (command: TrayCommand) => void;
  logger: Logger;
}

/**
 * The tray icon, saying how many cameras play over every window. Where the desktop has no tray
 * (some Linux desktops) the icon simply doesn't appear; an error creating it is logged, not fatal.
 */
export function openTray(options: TrayOptions): { dispose(): void } | undefined {
  let tray: Tray;
  try {
    tray = new Tray(nativeImage.createFromPath(options.iconPath));
  } catch (err) {
    options.logger.warn('no tray icon on this desktop', { error: String(err) });
    return undefined;
  }
  const show = (counts: ReturnType<CameraTally['sum']>) => {
    tray.setToolTip(trayTooltip(counts));
    if (options.platform === 'darwin') tray.setTitle(trayTitle(counts));
  };
  show(options.cameras.sum());
  tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(options.run)));
  const off = options.cameras.onChange(show);
  return {
    dispose() {
      off();
      tray.destroy();
    },
  };
}
