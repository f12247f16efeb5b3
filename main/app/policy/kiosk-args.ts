import { parseArgs } from 'node:util';

/** Start-up options for an unattended wall: which wall, on which display, fullscreen or locked kiosk. */
export interface KioskOptions {
  wall?: string;
  display?: number;
  fullscreen: boolean;
  /** Electron's kiosk mode: fullscreen with no way out but the app's own (implies `fullscreen`). */
  kiosk: boolean;
}

export type KioskParse = { ok: true; options: KioskOptions } | { ok: false; message: string };

export const KIOSK_USAGE = 'KVS Wall options: --wall NAME  --display N (0 = first display)  --fullscreen  --kiosk';

const OPTIONS = {
  wall: { type: 'string' },
  display: { type: 'string' },
  fullscreen: { type: 'boolean' },
  kiosk: { type: 'boolean' },
} as const;

type Known = keyof typeof OPTIONS;
const isKnown = (name: string): name is Known => Object.hasOwn(OPTIONS, name);

/**
 * Reads `--wall NAME`, `--display N`, `--fullscreen` and `--kiosk` (also `--wall=NAME`, `--display=N`)
 * from the command line. Not strict: Electron and Chromium put their own switches and the app path in
 * argv, and those are left alone. Each of ours is checked with a message that names it.
 */
export function parseKioskArgs(argv: readonly string[]): KioskParse {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const options: KioskOptions = { fullscreen: false, kiosk: false };
  const seen = new Set<Known>();
  for (const token of tokens) {
    if (token.kind !== 'option' || !isKnown(token.name)) continue;
    const name = token.name;
    if (seen.has(name)) return { ok: false, message: `--${name} is given twice; give it once. ${KIOSK_USAGE}` };
    seen.add(name);
    const value = token.value;
    switch (name) {
      case 'fullscreen':
      case 'kiosk':
        if (value !== undefined) return { ok: false, message: `--${name} takes no value (found "--${name}=${value}"). ${KIOSK_USAGE}` };
        options[name] = true;
        break;
      case 'wall': {
        // Not strict, so "--wall --fullscreen" reads the next flag as the value: that is a missing name.
        if (value === undefined || value.trim() === '' || value.startsWith('--')) return { ok: false, message: `--wall needs a wall name, e.g. --wall "Lobby". ${KIOSK_USAGE}` };
        if (value.length > 100) return { ok: false, message: `A wall name is at most 100 characters (--wall has ${value.length}).` };
        options.wall = value.trim();
        break;
      }
      case 'display': {
        if (value === undefined || !/^\d{1,2}$/.test(value)) {
          const found = value === undefined ? 'nothing' : `"${value}"`;
          return { ok: false, message: `--display needs a display number such as 0 or 1 (found ${found}). ${KIOSK_USAGE}` };
        }
        options.display = Number(value);
        break;
      }
    }
  }
  if (options.kiosk) options.fullscreen = true;
  return { ok: true, options };
}

/** The display to open on: the requested one when it exists, else the primary, with a reason. */
export function chooseDisplay<D>(displays: readonly D[], primary: D, requested: number | undefined): { display: D; warning?: string } {
  if (requested === undefined) return { display: primary };
  const found = displays[requested];
  if (found !== undefined) return { display: found };
  return { display: primary, warning: `Display ${requested} does not exist (${displays.length} found); using the primary display.` };
}
