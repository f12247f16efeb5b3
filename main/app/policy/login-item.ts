import type { KioskOptions } from './kiosk-args';

/**
 * What to hand the OS for "start at login": on or off, and the kiosk arguments this run was started
 * with, so a wall PC that reboots comes back on the same wall and display.
 */
export function loginItemFor(startAtLogin: boolean, kiosk: KioskOptions): { openAtLogin: boolean; args: string[] } {
  const args = [
    ...(kiosk.wall !== undefined ? ['--wall', kiosk.wall] : []),
    ...(kiosk.display !== undefined ? ['--display', String(kiosk.display)] : []),
    ...(kiosk.kiosk ? ['--kiosk'] : kiosk.fullscreen ? ['--fullscreen'] : []),
  ];
  return { openAtLogin: startAtLogin, args };
}
