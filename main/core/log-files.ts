import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { redact, type LogSink } from './logger';

/**
 * The log files in the user-data `logs/` folder: `<name>.log` is written, `<name>.1.log` … are older.
 *
 * - Size-capped: a line that would take the file past `maxBytes` first rotates it by renaming
 *   (`.log` → `.1.log` → `.2.log` …, the oldest deleted), so the folder holds at most
 *   `maxFiles × maxBytes` per name. A single line longer than the cap is cut to fit.
 * - Never throws: a full disk, a read-only folder or a file that can't be opened drops the line and
 *   counts it; the next try waits `retryAfterMs` (no retry storm on every line), and the first line
 *   that can be written again is preceded by one notice saying how many were lost and why.
 * - Synchronous writes on purpose: a line is on disk before `write` returns, so the line logged just
 *   before a crash handler exits the process is not lost in a stream buffer, and there is no stream
 *   whose `error` event could go unhandled. Log volume is a few lines a minute, so the cost is nil.
 * - Every line passes through `redact` again, whoever wrote it.
 *
 * One process writes one name (the Electron app holds a single-instance lock; the browser shell
 * writes its own name).
 */

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 5;
export const DEFAULT_LOG_RETRY_MS = 10_000;

/** The subset of `node:fs` the writer uses: injectable where a real failure can't be produced. */
export type LogFs = Pick<typeof nodeFs, 'mkdirSync' | 'openSync' | 'writeSync' | 'closeSync' | 'fstatSync' | 'renameSync' | 'rmSync'>;

export const LogFileOptionsSchema = z
  .object({
    dir: z.string().min(1, 'a logs folder'),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a file name of lower-case letters, digits and -'),
    maxBytes: z.number().int().min(1024, 'at least 1024 bytes per file').max(1024 ** 3, 'at most 1 GiB per file').default(DEFAULT_LOG_MAX_BYTES),
    maxFiles: z.number().int().min(1, 'at least one file').max(100, 'at most 100 files').default(DEFAULT_LOG_MAX_FILES),
    retryAfterMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_LOG_RETRY_MS),
  })
  .strict();
export type LogFileOptions = z.input<typeof LogFileOptionsSchema>;

export interface LogFileDeps {
  now?: () => number;
  fs?: LogFs;
  /** Told once per failure episode (the first dropped line), e.g. to say so on stderr. */
  onTrouble?: (message: string) => void;
}

export interface LogFileStats {
  /** Lines dropped since the last line that could be written. */
  dropped: number;
  /** Lines dropped since the file was opened. */
  droppedTotal: number;
  /** The error code of the last failure, while lines are being dropped. */
  failing?: string;
}

export interface LogFile extends LogSink {
  /** The file being written (`<dir>/<name>.log`). */
  readonly path: string;
  /** Every file of this name, newest first (`.log`, `.1.log`, …), whether or not it exists. */
  readonly paths: readonly string[];
  stats(): LogFileStats;
  close(): void;
}

const TRUNCATED = '…[truncated]\n';

/** `<name>.log` for index 0, `<name>.<i>.log` for older ones. */
export function logFileName(name: string, index: number): string {
  return index === 0 ? `${name}.log` : `${name}.${index}.log`;
}

export function openLogFile(options: LogFileOptions, deps: LogFileDeps = {}): LogFile {
  const parsed = LogFileOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Log file options: ${issue?.path.join('.') || 'options'} must be ${issue?.message ?? 'valid'}.`);
  }
  const { dir, name, maxBytes, maxFiles, retryAfterMs } = parsed.data;
  const fs = deps.fs ?? nodeFs;
  const now = deps.now ?? Date.now;
  const paths = Array.from({ length: maxFiles }, (_, i) => join(dir, logFileName(name, i)));
  const current = paths[0]!;

  let fd: number | undefined;
  let size = 0;
  let dropped = 0;
  let droppedTotal = 0;
  let failing: string | undefined;
  let retryAt = 0;
  /** A failed write may have left part of a line; the next write starts on a fresh line. */
  let midLine = false;

  const closeFd = () => {
    if (fd === undefined) return;
    const open = fd;
    fd = undefined;
    try {
      fs.closeSync(open);
    } catch {
      // Closing can report a deferred write error; the descriptor is gone either way.
    }
  };

  const ensureOpen = () => {
    if (fd !== undefined) return;
    fs.mkdirSync(dir, { recursive: true });
    const opened = fs.openSync(current, 'a');
    try {
      size = fs.fstatSync(opened).size;
    } catch (err) {
      fs.closeSync(opened);
      throw err;
    }
    fd = opened;
  };

  /** Renames `.log` → `.1.log` → … and drops the oldest; throws when a step fails, so the cap holds. */
  const rotate = () => {
    closeFd();
    fs.rmSync(paths[maxFiles - 1]!, { force: true });
    for (let i = maxFiles - 1; i >= 1; i--) {
      try {
        fs.renameSync(paths[i - 1]!, paths[i]!);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    size = 0;
  };

  const writeBytes = (bytes: Buffer) => {
    ensureOpen();
    if (size > 0 && size + bytes.length > maxBytes) {
      rotate();
      ensureOpen();
    }
    let offset = 0;
    try {
      while (offset < bytes.length) offset += fs.writeSync(fd!, bytes, offset, bytes.length - offset);
    } finally {
      size += offset;
      if (offset > 0 && offset < bytes.length) midLine = true;
    }
  };

  const fit = (text: string): Buffer => {
    const bytes = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
    if (bytes.length <= maxBytes) return bytes;
    const room = maxBytes - Buffer.byteLength(TRUNCATED);
    // Cutting bytes can split a character; decoding drops the broken tail.
    const head = bytes.subarray(0, room).toString('utf8').replace(/\uFFFD+$/, '');
    return Buffer.from(head + TRUNCATED, 'utf8');
  };

  const notice = (count: number, reason: string): string =>
    `${JSON.stringify({ t: new Date(now()).toISOString(), level: 'warn', scope: 'log', msg: `${count} log line${count === 1 ? ' was' : 's were'} dropped: the log file could not be written (${reason})` })}\n`;

  return {
    path: current,
    paths,
    write(line: string) {
      if (dropped > 0 && now() < retryAt) {
        dropped++;
        droppedTotal++;
        return;
      }
      const bytes = fit(redact(line));
      try {
        const prefix = midLine ? '\n' : '';
        if (dropped > 0) writeBytes(Buffer.from(prefix + notice(dropped, failing ?? 'unknown error'), 'utf8'));
        else if (prefix) writeBytes(Buffer.from(prefix));
        midLine = false;
        dropped = 0;
        failing = undefined;
        writeBytes(bytes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.name : 'unknown error');
        if (dropped === 0) deps.onTrouble?.(`KVS Wall: log lines are being dropped: ${current} could not be written (${code}). Writing is retried every ${Math.round(retryAfterMs / 1000)} s.`);
        dropped++;
        droppedTotal++;
        failing = code;
        retryAt = now() + retryAfterMs;
        // The file may have been replaced or its disk remounted: open it afresh next time.
        closeFd();
      }
    },
    stats: () => ({ dropped, droppedTotal, ...(failing ? { failing } : {}) }),
    close: closeFd,
  };
}
