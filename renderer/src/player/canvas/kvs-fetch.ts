import { failureOfAnswer, type Failure } from '../failure';
import type { KvsRequestKind, UsageMeter } from '../usage-meter';

/** Where a player's KVS requests are counted per session (the tile's usage meter), for the page's heartbeat. */
export type RequestCounter = Pick<UsageMeter, 'request' | 'answered' | 'throttled'>;

/** A KVS GET that failed, with what it means for the tile. */
export class KvsFetchError extends Error {
  constructor(readonly failure: Failure, message: string) {
    super(message);
    this.name = 'KvsFetchError';
  }
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
export async function kvsGet(url: string, kind: KvsRequestKind, options: KvsGetOptions): Promise<Uint8Array> {
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
  const failure = failureOfAnswer(response.status, Object.fromEntries(response.headers), body) ?? { kind: 'other', code: response.status };
  if (failure.kind === 'throttled') {
    if (counter.throttled(sessionId)) options.onThrottled?.(failure);
  } else {
    counter.answered(sessionId);
  }
  throw new KvsFetchError(failure, `${kind}: HTTP ${response.status}`);
}
