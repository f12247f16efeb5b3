/**
 * Logging for the main process. Every line passes through `redact` so session tokens, signatures
 * and secrets can't reach a log file even when an error message or URL carries them.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(SessionToken=)[^&\s"']+/gi, '$1[redacted]'],
  [/(X-Amz-Security-Token=)[^&\s"']+/gi, '$1[redacted]'],
  [/(X-Amz-Signature=)[^&\s"']+/gi, '$1[redacted]'],
  [/(Signature=)[0-9a-f]{64}/gi, '$1[redacted]'],
  [/("?(?:secretAccessKey|sessionToken|SecretAccessKey|SessionToken|password)"?\s*[:=]\s*)"[^"]*"/g, '$1"[redacted]"'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of SECRET_PATTERNS) out = out.replace(re, rep);
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
