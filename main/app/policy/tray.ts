import type { CameraCounts } from '../../pages/camera-tally';

/** What the tray icon's tooltip says: every window's cameras, playing out of shown. */
export function trayTooltip(counts: CameraCounts): string {
  if (counts.total === 0) return 'KVS Wall — no cameras on a wall';
  return `KVS Wall — ${counts.live} of ${counts.total} ${counts.total === 1 ? 'camera' : 'cameras'} live`;
}

/** The short text beside the icon in the macOS menu bar (other platforms show only the tooltip). */
export function trayTitle(counts: CameraCounts): string {
  return counts.total === 0 ? '' : `${counts.live}/${counts.total}`;
}

export const TRAY_COMMANDS = ['tray.showWalls', 'tray.quit'] as const;
export type TrayCommand = (typeof TRAY_COMMANDS)[number];

/** The tray icon's context menu, each item calling `run` (Electron's template shape, no Electron import). */
export function trayMenuTemplate(run: (command: TrayCommand) => void): Array<{ label: string; click: () => void }> {
  return [
    { label: 'Show Walls', click: () => run('tray.showWalls') },
    { label: 'Quit KVS Wall', click: () => run('tray.quit') },
  ];
}
