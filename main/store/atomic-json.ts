import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import { systemClock, type Clock } from '../core/clock';
import { silentLogger, type Logger } from '../core/logger';
import type { NoticeSink, StoreNotice } from './notices';
import { runSerially } from './serial-queue';

/**
 * One JSON document in the user-data folder, stored as `{ "version": N, "data": … }`.
 *
 * Writes go to a temp file that is fsynced and renamed over the target, so a crash leaves either
 * the old or the new file, never half of one. A file that fails to parse or validate, or was written
 * by a newer format, is renamed aside (never overwritten) and reported; the caller gets defaults.
 */
export interface JsonFileOptions<T> {
  /** The user-data folder. */
  dir: string;
  /** Path relative to `dir`, e.g. `walls.json` or `cache/streams-abc.json`. */
  name: string;
  /** The format version this build writes; files with a higher one are set aside, not guessed at. */
  version: number;
  schema: z.ZodType<T>;
  defaults: () => T;
  /** Upgrades `data` written by an older format version; without it older files count as corrupt. */
  migrate?: (fromVersion: number, data: unknown) => unknown;
  /** Files larger than this are treated as corrupt rather than parsed into memory. */
  maxBytes?: number;
  clock?: Clock;
  notices?: NoticeSink;
  logger?: Logger;
}

export interface ReadResult<T> {
  value: T;
  /** 'file' when the document was read; 'defaults' when it was missing or set aside. */
  source: 'file' | 'defaults';
  notice?: StoreNotice;
}

export interface JsonFile<T> {
  /** Absolute path of the document. */
  readonly path: string;
  read(): Promise<ReadResult<T>>;
  write(value: T): Promise<void>;
  /** Read, change and write as one step; concurrent updates of the same file never interleave. */
  update(change: (current: T) => T | Promise<T>): Promise<T>;
  /** Deletes the document (missing is fine). */
  remove(): Promise<void>;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;
const EnvelopeSchema = z.object({ version: z.number().int().positive(), data: z.unknown() });

let tempCounter = 0;

class UnusableFile extends Error {
  constructor(
    readonly reason: StoreNotice['reason'],
    readonly detail: string,
  ) {
    super(detail);
  }
}

export function openJsonFile<T>(options: JsonFileOptions<T>): JsonFile<T> {
  if (!SAFE_NAME.test(options.name)) throw new Error(`store file name must stay inside the user-data folder: ${options.name}`);
  const path = join(options.dir, options.name);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let leftoversCleaned = false;

  async function readUnqueued(): Promise<ReadResult<T>> {
    if (!leftoversCleaned) {
      leftoversCleaned = true;
      await removeStaleTempFiles(path, logger);
    }
    let text: string;
    try {
      const info = await stat(path);
      if (info.size > maxBytes) return await setAside(new UnusableFile('corrupt', `it is ${info.size} bytes, more than the ${maxBytes} bytes this file may hold`));
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return { value: options.defaults(), source: 'defaults' };
      throw new AppFailure(
        appError('StoreCorrupt', `KVS Wall cannot read ${options.name} in its data folder (${errnoOf(err) ?? 'unknown error'}). Check the folder's permissions.`),
        { cause: err },
      );
    }
    try {
      return { value: decode(text), source: 'file' };
    } catch (err) {
      if (err instanceof UnusableFile) return await setAside(err);
      throw err;
    }
  }

  function decode(text: string): T {
    let raw: unknown;
    try {
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new UnusableFile('corrupt', `it is not valid JSON (${err instanceof Error ? err.message : 'parse error'})`);
    }
    const envelope = EnvelopeSchema.safeParse(raw);
    if (!envelope.success) throw new UnusableFile('corrupt', 'it has no valid "version" and "data" fields');
    const { version, data } = envelope.data;
    if (version > options.version) {
      throw new UnusableFile('future-version', `it was written by a newer KVS Wall (format ${version}; this version reads up to ${options.version})`);
    }
    let current = data;
    if (version < options.version) {
      if (!options.migrate) throw new UnusableFile('corrupt', `its format ${version} is older than this version can read`);
      current = options.migrate(version, data);
    }
    const parsed = options.schema.safeParse(current);
    if (!parsed.success) throw new UnusableFile('corrupt', `its contents are invalid (${describeIssues(parsed.error)})`);
    return parsed.data;
  }

  async function setAside(problem: UnusableFile): Promise<ReadResult<T>> {
    const at = clock.now();
    const suffix = problem.reason === 'future-version' ? 'future' : 'corrupt';
    const target = await freeName(`${path}.${suffix}-${stamp(at)}`);
    await rename(path, target);
    const movedTo = join(dirname(options.name), basename(target)).replace(/^\.\//, '');
    const notice: StoreNotice = {
      file: options.name,
      movedTo,
      reason: problem.reason,
      message: `${options.name} could not be used because ${problem.detail}. It was moved to ${movedTo} and KVS Wall started with defaults; nothing was deleted.`,
      at,
    };
    logger.warn('store file set aside', { file: options.name, movedTo, reason: problem.reason });
    options.notices?.report(notice);
    return { value: options.defaults(), source: 'defaults', notice };
  }

  async function writeUnqueued(value: T): Promise<void> {
    const checked = options.schema.safeParse(value);
    if (!checked.success) {
      // A bug upstream, not user input: refuse rather than persist something we could not read back.
      throw new AppFailure(appError('Internal', `KVS Wall refused to save ${options.name}: ${describeIssues(checked.error)}.`));
    }
    const text = JSON.stringify({ version: options.version, data: checked.data }, null, 2) + '\n';
    try {
      await writeAtomically(path, text);
    } catch (err) {
      throw new AppFailure(
        appError('Internal', `KVS Wall could not save ${options.name} (${errnoOf(err) ?? 'unknown error'}); the previous copy is unchanged.`, { retryable: true }),
        { cause: err },
      );
    }
  }

  return {
    path,
    read: () => runSerially(path, readUnqueued),
    write: (value) => runSerially(path, () => writeUnqueued(value)),
    update: (change) =>
      runSerially(path, async () => {
        const { value } = await readUnqueued();
        const next = await change(value);
        await writeUnqueued(next);
        return next;
      }),
    remove: () => runSerially(path, () => rm(path, { force: true })),
  };
}

/** Writes `text` to `path` through a synced temp file and a rename: a crash leaves the old file or the new one. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${++tempCounter}-${randomBytes(3).toString('hex')}`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable; not possible on every platform (Windows), hence best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // A directory handle can't be opened or synced here; the file itself is already synced.
  }
}

/** Temp files of an earlier process that crashed between write and rename. */
async function removeStaleTempFiles(path: string, logger: Logger): Promise<void> {
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || name.startsWith(`${prefix}${process.pid}-`)) continue;
    await unlink(join(dirname(path), name)).catch(() => undefined);
    logger.info('removed an unfinished store write', { file: name });
  }
}

async function freeName(candidate: string): Promise<string> {
  for (let n = 0; ; n++) {
    const name = n === 0 ? candidate : `${candidate}-${n}`;
    try {
      await stat(name);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return name;
      throw err;
    }
  }
}

/** `20251124T214700123Z`: sortable and valid in file names on every platform. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'the document'}: ${issue.message}`)
    .join('; ');
}

export function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}
