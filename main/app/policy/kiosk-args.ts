/** Start-up options for an unattended wall: which wall, on which display, fullscreen or not. */
export interface KioskOptions {
  wall?: string;
  display?: number;
  fullscreen: boolean;
}

export type KioskParse = { ok: true; options: KioskOptions } | { ok: false; message: string };

export const KIOSK_USAGE = 'KVS Wall options: --wall NAME  --display N (0 = first display)  --fullscreen';

/**
 * Reads `--wall NAME`, `--display N` and `--fullscreen` (also `--wall=NAME`, `--display=N`) from
 * the command line. Everything else is left alone: Electron and Chromium put their own switches
 * and the app path in argv.
 */
export function parseKioskArgs(argv: readonly string[]): KioskParse {
  const options: KioskOptions = { fullscreen: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--fullscreen':
        if (inline !== undefined) return { ok: false, message: `--fullscreen takes no value. ${KIOSK_USAGE}` };
        options.fullscreen = true;
        break;
      case '--wall': {
        const name = value();
        if (name === undefined || name.trim() === '' || name.startsWith('--')) return { ok: false, message: `--wall needs a wall name. ${KIOSK_USAGE}` };
        if (name.length > 100) return { ok: false, message: 'A wall name is at most 100 characters.' };
        options.wall = name.trim();
        break;
      }
      case '--display': {
        const raw = value();
        if (raw === undefined || !/^\d{1,2}$/.test(raw)) return { ok: false, message: `--display needs a display number such as 0 or 1. ${KIOSK_USAGE}` };
        options.display = Number(raw);
        break;
      }
      default:
        break;
    }
  }
  return { ok: true, options };
}

/** The display to open on: the requested one when it exists, else the primary, with a reason. */
export function chooseDisplay<D>(displays: readonly D[], primary: D, requested: number | undefined): { display: D; warning?: string } {
  if (requested === undefined) return { display: primary };
  const found = displays[requested];
  if (found !== undefined) return { display: found };
  return { display: primary, warning: `Display ${requested} does not exist (${displays.length} found); using the primary display.` };
}
