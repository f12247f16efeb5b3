/** Options of `npm run start:browser -- --port <p> --user-data-dir <dir>`. */
export interface CliOptions {
  port: number;
  userDataDir?: string;
  /** Serve renderer/dist as it is, even if the sources are newer (for packaged or read-only trees). */
  noBuild: boolean;
  help: boolean;
}

export type CliParse = { ok: true; options: CliOptions } | { ok: false; message: string };

export const CLI_USAGE = `Usage: npm run start:browser -- [--port <0-65535>] [--user-data-dir <folder>] [--no-build]
  --port           port on 127.0.0.1 to serve on (default 0: any free port)
  --user-data-dir  where settings, walls and caches live (default: the desktop app's folder)
  --no-build       don't rebuild renderer/dist when the renderer sources are newer`;

/** Strict: an unknown or incomplete flag is an error with a reason, never silently ignored. */
export function parseCliArgs(argv: readonly string[]): CliParse {
  const options: CliOptions = { port: 0, noBuild: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) return undefined;
      i++;
      return next;
    };
    switch (flag) {
      case '--port': {
        const raw = value();
        if (raw === undefined) return { ok: false, message: '--port needs a number, e.g. --port 8080' };
        if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) return { ok: false, message: `--port must be a whole number from 0 to 65535, not "${raw}"` };
        options.port = Number(raw);
        break;
      }
      case '--user-data-dir': {
        const raw = value();
        if (raw === undefined || raw.trim() === '') return { ok: false, message: '--user-data-dir needs a folder path' };
        options.userDataDir = raw;
        break;
      }
      case '--no-build':
        options.noBuild = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        return { ok: false, message: `unknown option "${arg}"` };
    }
  }
  return { ok: true, options };
}
