import type { CameraSpec, EmulatorOptions } from './options';

export const USAGE = `Usage: npm run emulator -- [options]

  --port N                 port on 127.0.0.1 (default 4567; 0 = any free port)
  --region R               AWS region the emulator answers as (default us-west-2)
  --access-key-id X        access key id clients must sign with (env KVS_EMULATOR_ACCESS_KEY_ID)
  --secret-access-key Y    its secret (env KVS_EMULATOR_SECRET_ACCESS_KEY)
  --camera NAME=FILE.mp4   serve an MP4 as stream NAME (repeatable; replaces the demo cameras)
  --archive-seconds N      how much archive exists at start (default 600)
  --test-controls          enable /_control/ fault injection and short session lifetimes
  --help                   show this text`;

export const DEFAULT_CLI_PORT = 4567;

export type CliResult = { kind: 'run'; options: EmulatorOptions } | { kind: 'help' } | { kind: 'error'; message: string };

function integer(flag: string, value: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(value)) return `${flag} needs a whole number, not '${value}'`;
  const n = Number(value);
  return n >= min && n <= max ? n : `${flag} must be between ${min} and ${max}, not ${value}`;
}

/** Parses CLI flags (and the two key environment variables) into emulator options, or says what is wrong. */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliResult {
  const options: EmulatorOptions = { port: DEFAULT_CLI_PORT };
  const cameras: CameraSpec[] = [];
  if (env.KVS_EMULATOR_ACCESS_KEY_ID) options.accessKeyId = env.KVS_EMULATOR_ACCESS_KEY_ID;
  if (env.KVS_EMULATOR_SECRET_ACCESS_KEY) options.secretAccessKey = env.KVS_EMULATOR_SECRET_ACCESS_KEY;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string | undefined => (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help' };
      case '--test-controls':
        options.testControls = true;
        break;
      case '--port':
      case '--archive-seconds': {
        const value = takeValue();
        if (value === undefined) return { kind: 'error', message: `${flag} needs a value` };
        const n = flag === '--port' ? integer(flag, value, 0, 65535) : integer(flag, value, 0, 7 * 24 * 3600);
        if (typeof n === 'string') return { kind: 'error', message: n };
        if (flag === '--port') options.port = n;
        else options.archiveSeconds = n;
        break;
      }
      case '--region': {
        const value = takeValue();
        if (!value || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) return { kind: 'error', message: `--region needs an AWS region such as us-west-2, not '${value ?? ''}'` };
        options.region = value;
        break;
      }
      case '--access-key-id':
      case '--secret-access-key': {
        const value = takeValue();
        if (!value) return { kind: 'error', message: `${flag} needs a value` };
        if (flag === '--access-key-id') options.accessKeyId = value;
        else options.secretAccessKey = value;
        break;
      }
      case '--camera': {
        const value = takeValue() ?? '';
        const sep = value.indexOf('=');
        const name = value.slice(0, sep);
        const file = value.slice(sep + 1);
        if (sep <= 0 || !file) return { kind: 'error', message: `--camera needs NAME=FILE.mp4, not '${value}'` };
        if (!/^[a-zA-Z0-9_.-]{1,256}$/.test(name)) return { kind: 'error', message: `camera name '${name}' may only use letters, digits, _ . -` };
        if (cameras.some((c) => c.name === name)) return { kind: 'error', message: `camera name '${name}' is given twice` };
        cameras.push({ name, file });
        break;
      }
      default:
        return { kind: 'error', message: `unknown argument '${arg}'` };
    }
  }
  if (cameras.length > 0) options.cameras = cameras;
  return { kind: 'run', options };
}
