/** Shaka error codes the tile reacts to (shaka.util.Error.Code). */
const BAD_HTTP_STATUS = 1001;
const HTTP_ERROR = 1002;
const TIMEOUT = 1003;
const CONTENT_UNSUPPORTED_BY_BROWSER = 4032;
const NO_VARIANTS_COMPATIBLE = 4012;
const MEDIA_SOURCE_OPERATION_FAILED = 3014;
const VIDEO_ERROR = 3016;
const LOAD_INTERRUPTED = 7000;

/** What a player failure means for the tile, in the terms the tile acts on. */
export type Failure =
  /** The session was refused (expired, or evicted by another viewer): needs a new session. */
  | { kind: 'session-refused'; status: number }
  /** The stream has no fragments (camera stopped, or none arrived lately). */
  | { kind: 'no-fragments'; status: number }
  /** Throttled by the service; `errorType` as KVS named it, when the answer said. */
  | { kind: 'throttled'; status: number; errorType?: string }
  /** The service answered with a 5xx. */
  | { kind: 'server'; status: number }
  /** Nothing answered: the network or the endpoint is unreachable. */
  | { kind: 'network' }
  /** This machine cannot decode the stream. */
  | { kind: 'unsupported' }
  | { kind: 'decode'; code: number }
  | { kind: 'interrupted' }
  | { kind: 'other'; code: number };

interface ShakaErrorLike {
  code: number;
  data: unknown[];
}

function isShakaErrorLike(value: unknown): value is ShakaErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && Array.isArray((value as { data?: unknown }).data);
}

/** Maps a Shaka error (from `load()`, the 'error' event, or the streaming failure callback) to a Failure. */
export function classifyFailure(error: unknown): Failure {
  if (!isShakaErrorLike(error)) return { kind: 'other', code: 0 };
  switch (error.code) {
    case BAD_HTTP_STATUS:
      // data: [uri, status, responseText, headers, requestType, finalUri] (shaka.util.Error.Code docs)
      return failureOfAnswer(typeof error.data[1] === 'number' ? error.data[1] : 0, error.data[3], error.data[2]) ?? { kind: 'other', code: error.code };
    case HTTP_ERROR:
    case TIMEOUT:
      return { kind: 'network' };
    case CONTENT_UNSUPPORTED_BY_BROWSER:
    case NO_VARIANTS_COMPATIBLE:
      return { kind: 'unsupported' };
    case MEDIA_SOURCE_OPERATION_FAILED:
    case VIDEO_ERROR:
      return { kind: 'decode', code: error.code };
    case LOAD_INTERRUPTED:
      return { kind: 'interrupted' };
    default:
      return { kind: 'other', code: error.code };
  }
}

/**
 * What a KVS answer other than 200 means for the tile, from its status, headers (a plain object, names
 * in any case) and body; undefined for a status that means none of these. Shaka's failures and the canvas
 * player's own fetches read answers the same way.
 */
export function failureOfAnswer(status: number, headers: unknown, body: unknown): Failure | undefined {
  if (status === 401 || status === 403) return { kind: 'session-refused', status };
  if (status === 404) return { kind: 'no-fragments', status };
  const errorType = errorTypeOf(headers, body);
  if (status === 429 || (status === 400 && (errorType === THROTTLE || (errorType === undefined && mentionsLimit(body))))) {
    return errorType === undefined ? { kind: 'throttled', status } : { kind: 'throttled', status, errorType };
  }
  if (status >= 500) return { kind: 'server', status };
  return undefined;
}

const THROTTLE = 'ClientLimitExceededException';
/** What the contract accepts as an error type (`session.reportFailure.errorType`). */
const ERROR_TYPE = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * The error type of a failed KVS answer: the `x-amzn-ErrorType` header (AWS may append `:<doc url>`;
 * KVS's docs spell it `x-amz-ErrorType`), else the JSON body's `__type` (possibly namespaced with `#`).
 * Headers reach Shaka lower-cased and only when the server exposes them to the page (CORS), so the
 * body is the fallback. Undefined when neither says, or what they say is not a plain name.
 */
export function errorTypeOf(headers: unknown, body: unknown): string | undefined {
  let raw: unknown;
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (/^x-amzn?-errortype$/i.test(name)) raw = value;
    }
  }
  if (typeof raw !== 'string' && typeof body === 'string' && body.trimStart().startsWith('{')) {
    try {
      const json = JSON.parse(body) as { __type?: unknown; code?: unknown };
      raw = json.__type ?? json.code;
    } catch {
      raw = undefined;
    }
  }
  if (typeof raw !== 'string') return undefined;
  const name = raw.split(':')[0]!.split('#').pop()!.trim();
  return ERROR_TYPE.test(name) ? name : undefined;
}

function mentionsLimit(body: unknown): boolean {
  return typeof body === 'string' && /ClientLimitExceeded|Throttl|Limit/i.test(body);
}

/** A sentence for the tile's badge. */
export function describeFailure(failure: Failure): string {
  switch (failure.kind) {
    case 'session-refused':
      return `Session refused (HTTP ${failure.status})`;
    case 'no-fragments':
      return 'No video from the camera';
    case 'throttled':
      return 'Throttled by the service';
    case 'server':
      return `Service error (HTTP ${failure.status})`;
    case 'network':
      return 'Network unreachable';
    case 'unsupported':
      return 'This machine cannot decode the stream';
    case 'decode':
      return `Decoder failure (Shaka ${failure.code})`;
    case 'interrupted':
      return 'Load interrupted';
    case 'other':
      return `Player error (Shaka ${failure.code})`;
  }
}
