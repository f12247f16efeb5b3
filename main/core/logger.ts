/**
 * Logging for the main process. Every line passes through `redact` so session tokens, signatures
 * and secrets can't reach a log file even when an error message or URL carries them.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Every rule that hides a secret, in one place. `redact` is the project's only redaction: the log
 * files, the crash handlers and the diagnostics export all go through it. What counts as secret:
 * - bearer credentials in URLs and headers: KVS `SessionToken`, SigV4 query parameters
 *   (`X-Amz-Security-Token`, `X-Amz-Signature`, `X-Amz-Credential`), the SigV4 header `Signature=`,
 *   `Bearer …` and `Authorization: Basic …`, the browser shell's launch `token` and its cookie;
 * - named secrets in any notation a message can carry them — JSON (also JSON escaped inside another
 *   JSON string), `util.inspect`, `key=value`, INI and environment files: secret access keys,
 *   session tokens, passwords;
 * - AWS access key ids (`AKIA…`, `ASIA…`) are masked to their kind and last four characters. AWS
 *   doesn't count a key id as secret, but it names an account's credential, secret scanners flag it,
 *   and support never needs more than "which key" — the form the AWS console shows.
 */
const NAMED_SECRET = String.raw`(?:aws_)?secret_?access_?key|(?:aws_)?session_?token|password|passphrase`;
const SECRET_VALUE = String.raw`\\"(?:[^"\\]|\\(?!"))*\\"|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&}\]"'\\]+`;
const NAMED_SECRET_RE = new RegExp(String.raw`(?<![A-Za-z0-9_])(${NAMED_SECRET})(?![A-Za-z0-9_])(\\?["']?)(\s*[:=]\s*)(${SECRET_VALUE})`, 'gi');

function quoteOf(value: string): string {
  if (value.startsWith('\\"')) return '\\"';
  if (value.startsWith('"') || value.startsWith("'")) return value[0]!;
  return '';
}

/** `"password":false` names no secret (replacing it would also break the JSON line); `[redacted` is our own mark. */
const NOT_A_SECRET = /^(?:true|false|null|undefined|-?\d+(?:\.\d+)?|\[redacted)$/;

function hideNamedSecret(match: string, key: string, close: string, sep: string, value: string): string {
  if (NOT_A_SECRET.test(value)) return match;
  const quote = quoteOf(value);
  return `${key}${close}${sep}${quote}[redacted]${quote}`;
}

const SECRET_PATTERNS: Array<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  [NAMED_SECRET_RE, hideNamedSecret as (match: string, ...groups: string[]) => string],
  [/(?<![A-Za-z0-9_-])(X-Amz-Security-Token|X-Amz-Signature|X-Amz-Credential)=[^&\s"'\\,;]+/gi, '$1=[redacted]'],
  [/(Signature=)[0-9a-f]{64}/gi, '$1[redacted]'],
  [/\b(Bearer)\s+[A-Za-z0-9._~+\/=-]{8,}/gi, '$1 [redacted]'],
  [/(Authorization["']?\s*[:=]\s*["']?Basic)\s+[A-Za-z0-9+\/=]{8,}/gi, '$1 [redacted]'],
  [/([?&]token=)[^&\s"'#\\]+/g, '$1[redacted]'],
  [/\b(kvs_wall_\d+=)[^;\s"'\\]+/g, '$1[redacted]'],
  [/\b(AKIA|ASIA)[A-Z0-9]{8,120}([A-Z0-9]{4})\b/g, '$1…$2'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of SECRET_PATTERNS) out = out.replace(re, rep as (substring: string, ...args: string[]) => string);
  return out;
}

/** Redacts every string inside a value before serialisation, where quotes are still unescaped. */
function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}

export interface LogSink {
  write(line: string): void;
}

export function createLogger(sink: LogSink, scope = 'main'): Logger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const record = { t: new Date().toISOString(), level, scope, msg: redact(msg), ...(redactDeep(fields ?? {}) as Record<string, unknown>) };
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ t: record.t, level, scope, msg });
    }
    sink.write(redact(line) + '\n');
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
