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

export interface LogSink {
  write(line: string): void;
}

export function createLogger(sink: LogSink, scope = 'main'): Logger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const record = { t: new Date().toISOString(), level, scope, msg, ...(fields ?? {}) };
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
