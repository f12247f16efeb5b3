import { KinesisVideoClient, GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient, GetDASHStreamingSessionURLCommand, type GetDASHStreamingSessionURLCommandInput } from '@aws-sdk/client-kinesis-video-archived-media';
import { STSClient } from '@aws-sdk/client-sts';
import type { MiddlewareStack } from '@smithy/types';
import { Readable } from 'node:stream';
import { startEmulator, type EmulatorOptions } from '../../../emulator/index';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** How far each test emulator's clock is ahead, so clients sign with its time as a synced client would. */
const emulatorClockOffsets = new WeakMap<Emulator, () => number>();
const clockOffsetOf = (emulator: Emulator): number => emulatorClockOffsets.get(emulator)?.() ?? 0;

export interface TestClock {
  now: () => number;
  /** Moves the emulator's time forward. */
  advance: (ms: number) => void;
  /** Stops the emulator's time (until `unfreeze`), so a burst of requests lands in one instant. */
  freeze: () => void;
  unfreeze: () => void;
}

/**
 * An emulator on its own clock: `advance(ms)` moves time forward so tests of expiry, freshness and
 * rate limits run in milliseconds instead of minutes. Everything else is real: HTTP, SigV4, SDK.
 */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<{ emulator: Emulator } & TestClock> {
  let offsetMs = 0;
  let frozenAt: number | undefined;
  const now = () => (frozenAt ?? Date.now()) + offsetMs;
  const emulator = await startEmulator({ testControls: true, now, ...options });
  emulatorClockOffsets.set(emulator, () => now() - Date.now());
  return {
    emulator,
    now,
    advance: (ms) => (offsetMs += ms),
    freeze: () => (frozenAt = Date.now()),
    unfreeze: () => {
      // Resume from the frozen instant rather than jumping over the time spent frozen.
      if (frozenAt !== undefined) offsetMs -= Date.now() - frozenAt;
      frozenAt = undefined;
    },
  };
}

export function controlPlane(emulator: Emulator, overrides: Partial<ConstructorParameters<typeof KinesisVideoClient>[0]> = {}): KinesisVideoClient {
  return new KinesisVideoClient({ endpoint: emulator.url, region: emulator.region, credentials: emulator.credentials, maxAttempts: 1, systemClockOffset: clockOffsetOf(emulator), ...overrides });
}

export function archivedMedia(emulator: Emulator, overrides: Partial<ConstructorParameters<typeof KinesisVideoArchivedMediaClient>[0]> = {}): KinesisVideoArchivedMediaClient {
  return new KinesisVideoArchivedMediaClient({ endpoint: emulator.url, region: emulator.region, credentials: emulator.credentials, maxAttempts: 1, systemClockOffset: clockOffsetOf(emulator), ...overrides });
}

/** STS on the emulator's origin (the app points its STS client at the same endpoint). */
export function sts(emulator: Emulator, overrides: Partial<ConstructorParameters<typeof STSClient>[0]> = {}): STSClient {
  return new STSClient({ endpoint: emulator.url, region: emulator.region, credentials: emulator.credentials, maxAttempts: 1, systemClockOffset: clockOffsetOf(emulator), ...overrides });
}

/** The app's real path: GetDataEndpoint, then GetDASHStreamingSessionURL on that endpoint. */
export async function sessionUrl(emulator: Emulator, input: GetDASHStreamingSessionURLCommandInput): Promise<string> {
  const kv = controlPlane(emulator);
  const { DataEndpoint } = await kv.send(new GetDataEndpointCommand({ StreamName: input.StreamName, APIName: 'GET_DASH_STREAMING_SESSION_URL' }));
  const am = archivedMedia(emulator, { endpoint: DataEndpoint });
  const out = await am.send(new GetDASHStreamingSessionURLCommand(input));
  if (!out.DASHStreamingSessionURL) throw new Error('no session URL');
  return out.DASHStreamingSessionURL;
}

/** The error a promise rejects with, or a failure when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * Replaces the body of every request this client sends *before* it is signed, so a malformed body
 * still carries a valid SigV4 signature and reaches the emulator's parser.
 */
export function withRawBody<C extends KinesisVideoClient | KinesisVideoArchivedMediaClient | STSClient>(client: C, body: string): C {
  const stack = client.middlewareStack as unknown as MiddlewareStack<object, object>;
  stack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown; headers?: Record<string, string> };
      request.body = body;
      if (request.headers) request.headers['content-length'] = String(Buffer.byteLength(body));
      return next(args);
    },
    { step: 'build', name: 'replaceBodyForTest' },
  );
  return client;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Records the raw HTTP answers this client receives (status, headers, body text) before the SDK
 * parses them, so a test can check the wire shape as well as what the SDK made of it.
 */
export function recordResponses<C extends KinesisVideoClient | KinesisVideoArchivedMediaClient | STSClient>(client: C): { client: C; responses: RawResponse[] } {
  const responses: RawResponse[] = [];
  const stack = client.middlewareStack as unknown as MiddlewareStack<object, object>;
  stack.add(
    (next) => async (args) => {
      const out = await next(args);
      const response = out.response as { statusCode: number; headers: Record<string, string>; body: AsyncIterable<Uint8Array> | undefined };
      const chunks: Uint8Array[] = [];
      if (response.body) for await (const chunk of response.body) chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      responses.push({ status: response.statusCode, headers: response.headers, body: bytes.toString('utf8') });
      response.body = Readable.from([bytes]);
      return out;
    },
    { step: 'deserialize', name: 'recordRawResponseForTest', priority: 'low' },
  );
  return { client, responses };
}

/** Demo clip used to make test cameras from a file, exercising the `{ name, file }` path. */
export const CLIP_FILE = new URL('../../../emulator/clips/lobby.mp4', import.meta.url).pathname;

export function cameras(...names: string[]): Array<{ name: string; file: string }> {
  return names.map((name) => ({ name, file: CLIP_FILE }));
}

/** Fails the test with the error body when a GET did not succeed. */
export async function getOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status} ${await res.text()}`);
  return res;
}

export async function errorOf(res: Response): Promise<{ status: number; type: string | null; body: { __type?: string; message?: string } }> {
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as { __type?: string; message?: string } };
}

/** Does `bytes` contain the four-character box type `type`? */
export function hasBox(bytes: Uint8Array, type: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(type, 'latin1'));
}

/** The session sequence number ($Number$) a media URL asks for. */
export function sequenceNumber(mediaUrl: string | undefined): number {
  return Number(new URL(mediaUrl ?? 'http://invalid/').searchParams.get('FragmentSequenceNumber') ?? Number.NaN);
}
