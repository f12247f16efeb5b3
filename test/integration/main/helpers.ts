import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../../main/core/logger';
import { startEmulator, type EmulatorOptions } from '../../../emulator/index';

export const inKeychainSession = process.env.KVS_WALL_TEST_SESSION === '1';
export const CLIPS = join(import.meta.dirname, '..', '..', '..', 'emulator', 'clips');

export type TestEmulator = Awaited<ReturnType<typeof startEmulator>>;

export function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  return startEmulator({ testControls: true, ...options });
}

/** A logger that keeps every line it wrote (after redaction), as the app's log file would. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ write: (line) => lines.push(line) }, 'test'), lines };
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `kvs-wall-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every file under `dir` whose bytes contain any of `needles`, with the needle found. */
export async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const text = await readFile(path, 'latin1');
    for (const needle of needles) if (needle && text.includes(needle)) hits.push(`${name}: ${needle.slice(0, 6)}…`);
  }
  return hits;
}

export function accountInputFor(emulator: TestEmulator, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Emulator',
    region: emulator.region,
    accessKeyId: emulator.credentials.accessKeyId,
    secretAccessKey: emulator.credentials.secretAccessKey,
    endpoint: emulator.url,
    ...overrides,
  };
}

/**
 * An endpoint in front of the emulator that refuses some operations with AccessDeniedException, as AWS
 * does when the caller's IAM policy lacks their action (the emulator itself has no IAM policies).
 * Everything else is passed through untouched, so SigV4 still verifies at the emulator.
 */
export async function denyingProxy(target: string, deniedPaths: readonly string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const { createServer, request } = await import('node:http');
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (deniedPaths.includes(path)) {
      req.resume();
      const body = JSON.stringify({ __type: 'AccessDeniedException', message: `User: arn:aws:iam::123456789012:user/kvs-wall-demo is not authorized to perform: kinesisvideo:${path.slice(1)}` });
      res.writeHead(403, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'AccessDeniedException', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
