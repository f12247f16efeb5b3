import type { Failure } from '../failure';

/** The KVS GET a request is, by what KVS prices: manifests (metadata points), inits, fragments (media points). */
export type KvsGetKind = 'manifests' | 'inits' | 'fragments';

/**
 * Where a player's KVS requests are counted (per session), so the page can report every GET it makes
 * under the `points` quota model. The tile's usage meter has this shape.
 */
export interface RequestCounter {
  /** One request sent; each attempt counts. */
  request(sessionId: string, kind: KvsGetKind): void;
  /** An answer that was not a throttle. */
  answered(sessionId: string): void;
  /** A throttled answer; true when it starts a burst (worth reporting). */
  throttled(sessionId: string): boolean;
}

/** A KVS GET that failed, with what it means for the tile. */
export class KvsFetchError extends Error {
  constructor(readonly failure: Failure, message: string) {
    super(message);
    this.name = 'KvsFetchError';
  }
}

const THROTTLE = 'ClientLimitExceededException';

/** The KVS error name of a failed answer: `x-amzn-ErrorType` / `x-amz-ErrorType`, else the JSON body's `__type`. */
function errorTypeOf(headers: Headers, body: string): string | undefined {
  let raw = headers.get('x-amzn-errortype') ?? headers.get('x-amz-errortype') ?? undefined;
  if (raw === undefined && body.trimStart().startsWith('{')) {
    try {
      const json = JSON.parse(body) as { __type?: unknown };
      if (typeof json.__type === 'string') raw = json.__type;
    } catch {
      raw = undefined;
    }
  }
  const name = raw?.split(':')[0]?.split('#').pop()?.trim();
  return name && /^[A-Za-z0-9_.:-]{1,100}$/.test(name) ? name : undefined;
}

/** What an HTTP answer other than 200 means for the tile (the same reading as the Shaka player's). */
export function failureOfAnswer(status: number, headers: Headers, body: string): Failure {
  if (status === 401 || status === 403) return { kind: 'session-refused', status };
  if (status === 404) return { kind: 'no-fragments', status };
  const errorType = errorTypeOf(headers, body);
  if (status === 429 || (status === 400 && (errorType === THROTTLE || (errorType === undefined && /ClientLimitExceeded|Throttl|Limit/i.test(body))))) {
    return errorType === undefined ? { kind: 'throttled', status } : { kind: 'throttled', status, errorType };
  }
  if (status >= 500) return { kind: 'server', status };
  return { kind: 'other', code: status };
}

export interface KvsGetOptions {
  sessionId: string;
  counter: RequestCounter;
  signal: AbortSignal;
  /** Gives up (as a network failure) after this long. */
  timeoutMs: number;
  /** Called once per throttle that starts a burst. */
  onThrottled?: (failure: Extract<Failure, { kind: 'throttled' }>) => void;
}

/**
 * One counted GET of a KVS playback URL: the body on 200, else a `KvsFetchError` saying what the
 * answer means (an abort rejects with the signal's reason). The URL carries the session token: it is
 * never put in an error message.
 */
export async function kvsGet(url: string, kind: KvsGetKind, options: KvsGetOptions): Promise<Uint8Array> {
  const { sessionId, counter, signal } = options;
  counter.request(sessionId, kind);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  let response: Response;
  try {
    response = await fetch(url, { signal: combined, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new KvsFetchError({ kind: 'network' }, `${kind}: ${timeout.aborted ? 'no answer in time' : error instanceof Error ? error.message : 'network error'}`);
  }
  if (response.ok) {
    counter.answered(sessionId);
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new KvsFetchError({ kind: 'network' }, `${kind}: the answer was cut off`);
    }
  }
  const body = await response.text().catch(() => '');
  const failure = failureOfAnswer(response.status, response.headers, body);
  if (failure.kind === 'throttled') {
    if (counter.throttled(sessionId)) options.onThrottled?.(failure);
  } else {
    counter.answered(sessionId);
  }
  throw new KvsFetchError(failure, `${kind}: HTTP ${response.status}`);
}
