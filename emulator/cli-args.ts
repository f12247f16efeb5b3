import { parseArgs } from 'node:util';
import { MAX_DISTINCT_CAMERAS, type CameraSpec, type EmulatorOptions } from './options';
import { QUOTA_MODEL_NAMES, type QuotaModelName } from './quotas/quota-models';

export const USAGE = `Usage: npm run emulator -- [options]

  --port N                 port on 127.0.0.1 (default 4567; 0 = any free port)
  --region R               AWS region the emulator answers as (default us-west-2)
  --access-key-id X        access key id clients must sign with (env KVS_EMULATOR_ACCESS_KEY_ID)
  --secret-access-key Y    its secret (env KVS_EMULATOR_SECRET_ACCESS_KEY)
  --camera NAME=FILE.mp4   serve an MP4 as stream NAME (repeatable; replaces the demo cameras)
  --no-codec-cameras       leave out the codec demo cameras (rooftop H.265, reception H.264+AAC,
                           intercom H.264+G.711), serving the six H.264 ones only
  --no-sub-streams         leave out the demo cameras' 320×180 sub-streams (lobby-sub, …), named
                           by their cameras' kvs-wall:sub-stream tag
  --cameras N              serve N distinct cameras cam-01…cam-N (1–${MAX_DISTINCT_CAMERAS}) made from the demo clips,
                           each with its own name in the picture; encoded once with ffmpeg, then cached
  --camera-cache DIR       where --cameras keeps its encodes (default ~/.cache/kvs-wall/emulator-cameras)
  --archive-seconds N      how much archive exists at start (default 600)
  --quota-model M          sessions (default: 10 sessions per stream, the oldest revoked) or
                           points (AWS's current quotas: per-stream point budgets, no session cap)
  --test-controls          enable /_control/ fault injection and short session lifetimes
  --help, -h               show this text`;

export const DEFAULT_CLI_PORT = 4567;

export type CliResult = { kind: 'run'; options: EmulatorOptions } | { kind: 'help' } | { kind: 'error'; message: string };

/** The flags `parseArgs` recognises; values are checked below, with messages naming the flag. */
const FLAGS = {
  port: { type: 'string' },
  region: { type: 'string' },
  'access-key-id': { type: 'string' },
  'secret-access-key': { type: 'string' },
  camera: { type: 'string', multiple: true },
  'no-codec-cameras': { type: 'boolean' },
  'no-sub-streams': { type: 'boolean' },
  cameras: { type: 'string' },
  'camera-cache': { type: 'string' },
  'archive-seconds': { type: 'string' },
  'quota-model': { type: 'string' },
  'test-controls': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flag = keyof typeof FLAGS;

const isFlag = (name: string): name is Flag => Object.hasOwn(FLAGS, name);

class CliError extends Error {}

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} needs a whole number, not '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new CliError(`${flag} must be between ${min} and ${max}, not ${value}`);
  return n;
}

function camera(value: string, cameras: readonly CameraSpec[]): CameraSpec {
  const sep = value.indexOf('=');
  const name = value.slice(0, sep);
  const file = value.slice(sep + 1);
  if (sep <= 0 || !file) throw new CliError(`--camera needs NAME=FILE.mp4, not '${value}'`);
  if (!/^[a-zA-Z0-9_.-]{1,256}$/.test(name)) throw new CliError(`camera name '${name}' may only use letters, digits, _ . -`);
  if (cameras.some((c) => c.name === name)) throw new CliError(`camera name '${name}' is given twice`);
  return { name, file };
}

function applyFlag(flag: Flag, raw: string, value: string | undefined, options: EmulatorOptions, cameras: CameraSpec[]): void {
  const type = FLAGS[flag].type;
  if (type === 'boolean') {
    if (value !== undefined) throw new CliError(`${raw} takes no value, not '${value}'`);
    if (flag === 'test-controls') options.testControls = true;
    if (flag === 'no-codec-cameras') options.codecCameras = false;
    if (flag === 'no-sub-streams') options.subStreams = false;
    return;
  }
  if (value === undefined && flag !== 'camera') throw new CliError(`${raw} needs a value`);
  const text = value ?? '';
  switch (flag) {
    case 'port':
      options.port = integer(raw, text, 0, 65535);
      return;
    case 'archive-seconds':
      options.archiveSeconds = integer(raw, text, 0, 7 * 24 * 3600);
      return;
    case 'region':
      if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(text)) throw new CliError(`--region needs an AWS region such as us-west-2, not '${text}'`);
      options.region = text;
      return;
    case 'access-key-id':
    case 'secret-access-key':
      if (text === '') throw new CliError(`${raw} needs a value`);
      if (flag === 'access-key-id') options.accessKeyId = text;
      else options.secretAccessKey = text;
      return;
    case 'quota-model':
      if (!(QUOTA_MODEL_NAMES as readonly string[]).includes(text)) throw new CliError(`--quota-model must be ${QUOTA_MODEL_NAMES.join(' or ')}, not '${text}'`);
      options.quotaModel = text as QuotaModelName;
      return;
    case 'camera':
      cameras.push(camera(text, cameras));
      return;
    case 'cameras':
      options.cameras = integer(raw, text, 1, MAX_DISTINCT_CAMERAS);
      return;
    case 'camera-cache':
      if (text === '') throw new CliError(`${raw} needs a directory`);
      options.cameraCacheDir = text;
      return;
  }
}

/**
 * Parses CLI flags (and the two key environment variables) into emulator options, or says what is
 * wrong. `node:util` parseArgs splits the arguments (`--flag value`, `--flag=value`, `-h`); it runs
 * non-strict with tokens so every mistake gets a message that names the flag, in the order given.
 */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliResult {
  const { tokens } = parseArgs({ args: [...argv], options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { kind: 'help' };

  const options: EmulatorOptions = { port: DEFAULT_CLI_PORT };
  const cameras: CameraSpec[] = [];
  if (env.KVS_EMULATOR_ACCESS_KEY_ID) options.accessKeyId = env.KVS_EMULATOR_ACCESS_KEY_ID;
  if (env.KVS_EMULATOR_SECRET_ACCESS_KEY) options.secretAccessKey = env.KVS_EMULATOR_SECRET_ACCESS_KEY;
  try {
    for (const token of tokens) {
      if (token.kind === 'positional') throw new CliError(`unknown argument '${token.value}'`);
      if (token.kind === 'option-terminator') throw new CliError("unknown argument '--'");
      if (!isFlag(token.name)) throw new CliError(`unknown argument '${argv[token.index] ?? token.rawName}'`);
      applyFlag(token.name, token.rawName, token.value, options, cameras);
    }
  } catch (error) {
    if (error instanceof CliError) return { kind: 'error', message: error.message };
    throw error;
  }
  const count = typeof options.cameras === 'number';
  if (cameras.length > 0 && count) return { kind: 'error', message: '--cameras N and --camera NAME=FILE.mp4 can\'t be used together' };
  if (options.cameraCacheDir !== undefined && !count) return { kind: 'error', message: '--camera-cache applies to --cameras N only' };
  if (cameras.length > 0 || count) {
    if (options.codecCameras === false) return { kind: 'error', message: `--no-codec-cameras applies to the demo cameras, not to ${count ? '--cameras' : '--camera'}` };
    if (options.subStreams === false) return { kind: 'error', message: `--no-sub-streams applies to the demo cameras, not to ${count ? '--cameras' : '--camera'}` };
    if (cameras.length > 0) options.cameras = cameras;
  } else {
    // The command line shows every demo camera unless told not to.
    options.codecCameras ??= true;
    options.subStreams ??= true;
  }
  return { kind: 'run', options };
}
