import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KinesisVideoClient, ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../emulator/cli-args';
import { DEFAULT_ACCESS_KEY_ID } from '../../../emulator/index';

const root = join(import.meta.dirname, '..', '..', '..');

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exitOf(child: ReturnType<typeof runCli>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('emulator CLI arguments', () => {
  it('parses ports, keys, region, cameras and flags', () => {
    const result = parseCliArgs(['--port', '0', '--region=eu-west-1', '--camera', 'dock=/tmp/a.mp4', '--camera=gate=/tmp/b.mp4', '--test-controls', '--access-key-id', 'AKIAEXAMPLE000000001'], {
      KVS_EMULATOR_SECRET_ACCESS_KEY: 'from-the-environment',
    });
    expect(result).toEqual({
      kind: 'run',
      options: {
        port: 0,
        region: 'eu-west-1',
        testControls: true,
        accessKeyId: 'AKIAEXAMPLE000000001',
        secretAccessKey: 'from-the-environment',
        cameras: [
          { name: 'dock', file: '/tmp/a.mp4' },
          { name: 'gate', file: '/tmp/b.mp4' },
        ],
      },
    });
    expect(parseCliArgs([], {})).toEqual({ kind: 'run', options: { port: 4567, codecCameras: true, subStreams: true } });
    expect(parseCliArgs(['--no-codec-cameras'], {})).toEqual({ kind: 'run', options: { port: 4567, codecCameras: false, subStreams: true } });
    expect(parseCliArgs(['--no-sub-streams'], {})).toEqual({ kind: 'run', options: { port: 4567, codecCameras: true, subStreams: false } });
    expect(parseCliArgs(['--cameras', '4', '--no-sub-streams'], {})).toEqual({ kind: 'error', message: '--no-sub-streams applies to the demo cameras, not to --cameras' });
    expect(parseCliArgs(['--cameras', '64'], {})).toEqual({ kind: 'run', options: { port: 4567, cameras: 64 } });
    expect(parseCliArgs(['--cameras=8', '--camera-cache', '/tmp/cams'], {})).toEqual({ kind: 'run', options: { port: 4567, cameras: 8, cameraCacheDir: '/tmp/cams' } });
    expect(parseCliArgs(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--port', '1', '--help'], {})).toEqual({ kind: 'help' });
  });

  it('takes the quota model, the archive length and the keys from flags over the environment', () => {
    expect(parseCliArgs(['--quota-model', 'points', '--archive-seconds=120'], { KVS_EMULATOR_ACCESS_KEY_ID: 'AKIAFROMENV000000001' })).toEqual({
      kind: 'run',
      options: { port: 4567, quotaModel: 'points', archiveSeconds: 120, accessKeyId: 'AKIAFROMENV000000001', codecCameras: true, subStreams: true },
    });
    expect(parseCliArgs(['--quota-model=sessions'], {})).toEqual({ kind: 'run', options: { port: 4567, quotaModel: 'sessions', codecCameras: true, subStreams: true } });
    const flagWins = parseCliArgs(['--secret-access-key', 'from-flag'], { KVS_EMULATOR_SECRET_ACCESS_KEY: 'from-env' });
    expect(flagWins.kind === 'run' && flagWins.options.secretAccessKey).toBe('from-flag');
  });

  it('explains each bad argument', () => {
    const message = (argv: string[]) => {
      const r = parseCliArgs(argv, {});
      return r.kind === 'error' ? r.message : `no error for ${argv.join(' ')}`;
    };
    expect(message(['--port', 'abc'])).toMatch(/--port needs a whole number, not 'abc'/);
    expect(message(['--port', '70000'])).toMatch(/between 0 and 65535/);
    expect(message(['--port'])).toMatch(/--port needs a value/);
    expect(message(['--region', 'mars'])).toMatch(/--region/);
    expect(message(['--camera', 'no-file'])).toMatch(/NAME=FILE/);
    expect(message(['--camera', 'bad name=/x.mp4'])).toMatch(/camera name/);
    expect(message(['--camera', 'a=/x.mp4', '--camera', 'a=/y.mp4'])).toMatch(/twice/);
    expect(message(['--frobnicate'])).toMatch(/unknown argument '--frobnicate'/);
    expect(message(['--frobnicate=3'])).toMatch(/unknown argument '--frobnicate=3'/);
    expect(message(['-x'])).toMatch(/unknown argument '-x'/);
    expect(message(['stray'])).toMatch(/unknown argument 'stray'/);
    expect(message(['--', '--port', '1'])).toMatch(/unknown argument '--'/);
    expect(message(['--camera'])).toMatch(/--camera needs NAME=FILE.mp4, not ''/);
    expect(message(['--archive-seconds', '-5'])).toMatch(/--archive-seconds needs a whole number, not '-5'/);
    expect(message(['--archive-seconds', '9999999'])).toMatch(/--archive-seconds must be between 0 and 604800/);
    expect(message(['--access-key-id'])).toMatch(/--access-key-id needs a value/);
    expect(message(['--test-controls=yes'])).toMatch(/--test-controls takes no value, not 'yes'/);
    expect(message(['--quota-model', 'tokens'])).toMatch(/--quota-model must be sessions or points, not 'tokens'/);
    expect(message(['--quota-model'])).toMatch(/--quota-model needs a value/);
    expect(message(['--no-codec-cameras=1'])).toMatch(/--no-codec-cameras takes no value/);
    expect(message(['--cameras', '0'])).toMatch(/--cameras must be between 1 and 256, not 0/);
    expect(message(['--cameras', '300'])).toMatch(/--cameras must be between 1 and 256/);
    expect(message(['--cameras', 'many'])).toMatch(/--cameras needs a whole number, not 'many'/);
    expect(message(['--cameras', '4', '--camera', 'a=/x.mp4'])).toMatch(/--cameras N and --camera NAME=FILE.mp4 can't be used together/);
    expect(message(['--camera-cache', '/tmp/x'])).toMatch(/--camera-cache applies to --cameras N only/);
    expect(message(['--cameras', '4', '--no-codec-cameras'])).toMatch(/--no-codec-cameras applies to the demo cameras, not to --cameras/);
    expect(message(['--no-codec-cameras', '--camera', 'a=/x.mp4'])).toMatch(/--no-codec-cameras applies to the demo cameras/);
  });
});

describe('emulator CLI process', () => {
  it('exits 2 with a clear message on a bad port', async () => {
    const { code, stderr } = await exitOf(runCli(['--port', 'abc']));
    expect(code).toBe(2);
    expect(stderr).toContain("--port needs a whole number, not 'abc'");
    expect(stderr).toContain('--quota-model M');
  });

  it('prints the usage for --help and exits 0', async () => {
    const { code, stdout } = await exitOf(runCli(['--help']));
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run emulator -- [options]');
    expect(stdout).toContain('--quota-model M');
  });

  it('prints how to connect, serves the SDK, and stops cleanly on SIGTERM', async () => {
    const child = runCli(['--port', '0', '--quota-model', 'points'], { KVS_EMULATOR_SECRET_ACCESS_KEY: 'secret-from-env-for-cli-test' });
    const exit = exitOf(child);
    const banner = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('Press Ctrl-C')) resolve(text);
      });
      child.on('exit', () => reject(new Error(`exited early: ${text}`)));
    });
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? '';
    expect(url).not.toBe('');
    expect(banner).toContain(DEFAULT_ACCESS_KEY_ID);
    expect(banner).toContain('secret-from-env-for-cli-test');
    expect(banner).toContain(`aws kinesisvideo list-streams --endpoint-url ${url}`);
    expect(banner).toMatch(/quota model\s+points/);

    const client = new KinesisVideoClient({ endpoint: url, region: 'us-west-2', credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: 'secret-from-env-for-cli-test' } });
    const out = await client.send(new ListStreamsCommand({}));
    // The command line serves the codec cameras too.
    expect(out.StreamInfoList?.map((s) => s.StreamName)).toEqual(expect.arrayContaining(['lobby', 'rooftop', 'reception', 'intercom']));
    expect(out.StreamInfoList?.find((s) => s.StreamName === 'intercom')?.MediaType).toBe('video/h264,audio/alaw');

    child.kill('SIGTERM');
    const { code, stdout } = await exit;
    expect(code).toBe(0);
    expect(stdout).toContain('SIGTERM, stopping');
  });
});
