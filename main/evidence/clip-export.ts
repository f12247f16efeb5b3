import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { appError, type AppError } from '../../shared/errors';
import type { ExportFile, ExportProgress, Fragment, StreamRef } from '../../shared/model';
import { AppFailure, isAppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallContext } from '../ipc/services';
import type { FragmentLister, TimestampSelector } from '../kvs/session-issuer';
import type { ArchiveCalls } from './archive-calls';
import { fragmentsCovered, PART_LIMITS, partOf, planClipParts, type ClipPart, type PartLimits } from './clip-plan';
import { mergeCoverage } from './coverage';
import { numberedPartPath, partialPathFor, suggestedClipName, withMp4Extension } from './export-names';
import { Mp4Error } from './mp4/boxes';
import { durationMs, joinMp4Files, readMp4File, type Mp4File } from './mp4/mp4-file';

/** A day of 1-s fragments: the most an export lists (its range is at most a day). */
const MAX_EXPORT_FRAGMENTS = 86_400 + 100;
/** A throttled part is tried this many times in all, each after the stream's backoff. */
const PART_ATTEMPTS = 3;
/** Progress events at most this often while bytes flow. */
const PROGRESS_EVERY_MS = 250;
/** Finished exports listed by `export.list`. */
const KEEP_FINISHED = 20;

/** Where an export's file goes and how the person gets it: a save dialog (desktop) or a download (browser shell). */
export interface ExportDestination {
  /** The path to write (it will be given `.mp4` when it has no extension), or undefined when the person declined. */
  choose(suggestedName: string, ctx: CallContext): Promise<string | undefined>;
  /** The files are complete where they were written: how they reach the person. */
  deliver(paths: readonly string[]): Promise<ExportFile[]>;
}

export interface ExportRequest {
  stream: StreamRef;
  selector: TimestampSelector;
  start: number;
  end: number;
}

export interface ClipExportDeps {
  fragments: Pick<FragmentLister, 'fragmentsIn'>;
  calls: Pick<ArchiveCalls, 'getClip'>;
  destination: ExportDestination;
  /** Where parts are downloaded before they are joined; emptied at start (a previous run's leftovers). */
  workDir: string;
  clock: Clock;
  logger: Logger;
  emit: (progress: ExportProgress) => void;
  /** Test-only: smaller parts than GetClip's limits. */
  partLimits?: PartLimits;
}

export interface ClipExports {
  start(request: ExportRequest, ctx: CallContext): Promise<{ status: 'started'; exportId: string } | { status: 'cancelled' }>;
  cancel(exportId: string): boolean;
  list(): ExportProgress[];
  /** Stops every export and removes what they wrote. */
  dispose(): Promise<void>;
}

interface Job {
  progress: ExportProgress;
  abort: AbortController;
  done: Promise<void>;
  lastEmit: number;
}

class Cancelled extends Error {}

function failureOf(err: unknown): AppError {
  if (isAppFailure(err)) return err.appError;
  if (err instanceof Mp4Error) return appError('ClipUnreadable', `KVS answered GetClip with a file KVS Wall could not read (${err.message}).`, { retryable: true });
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ENOSPC') return appError('ExportWriteFailed', 'The disk is full, so the clip could not be saved.');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return appError('ExportWriteFailed', 'KVS Wall may not write to the folder chosen for the clip.');
  if (code === 'ENOENT') return appError('ExportWriteFailed', 'The folder chosen for the clip is gone.');
  return appError('ExportWriteFailed', 'The clip could not be saved.', { retryable: true });
}

/**
 * Clip export: a range of one camera → GetClip → an MP4 file. The range's fragments are listed
 * first (ListFragments, sorted) to plan parts under GetClip's 200-fragment / 100 MB cut, each part
 * is downloaded to a work folder (priced, one attempt at a time, throttling waited out), then the
 * parts are joined into one MP4 written under a hidden name beside the destination and renamed when
 * complete — or, when they can't be joined soundly, kept as numbered parts. Cancelling or failing
 * removes every file the export wrote.
 */
export function createClipExports(deps: ClipExportDeps): ClipExports {
  const jobs = new Map<string, Job>();
  const limits = deps.partLimits ?? PART_LIMITS;
  const ready = (async () => {
    await rm(deps.workDir, { recursive: true, force: true });
    await mkdir(deps.workDir, { recursive: true });
  })().catch((err: unknown) => deps.logger.warn('could not empty the export work folder', { error: String(err) }));

  function emit(job: Job, patch: Partial<ExportProgress>, force = true): void {
    Object.assign(job.progress, patch);
    const now = deps.clock.now();
    if (!force && now - job.lastEmit < PROGRESS_EVERY_MS) return;
    job.lastEmit = now;
    deps.emit({ ...job.progress });
  }

  function forget(): void {
    const finished = [...jobs.entries()].filter(([, j]) => ['done', 'failed', 'cancelled'].includes(j.progress.state));
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) jobs.delete(id);
  }

  /** Downloads one part to `path`; returns the file read back, or throws. */
  async function download(job: Job, request: ExportRequest, part: ClipPart, path: string, counted: { bytes: number }): Promise<Mp4File> {
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await deps.calls.getClip(request.stream, request.selector, part.start, part.end, part.fragments.length, job.abort.signal);
        let here = 0;
        const before = counted.bytes;
        async function* counting(): AsyncGenerator<Uint8Array> {
          for await (const chunk of body.chunks) {
            here += chunk.length;
            counted.bytes = before + here;
            emit(job, { bytes: counted.bytes }, false);
            yield chunk;
          }
        }
        await pipeline(counting, createWriteStream(path), { signal: job.abort.signal });
        return await readMp4File(path);
      } catch (err) {
        if (job.abort.signal.aborted) throw new Cancelled();
        const throttled = isAppFailure(err) && err.appError.code === 'ClientLimitExceededException';
        if (!throttled || attempt >= PART_ATTEMPTS) throw err;
        deps.logger.info('GetClip throttled; trying the part again after the stream backs off', { stream: request.stream.streamName, attempt });
      }
    }
  }

  async function run(job: Job, request: ExportRequest, destination: string): Promise<void> {
    const written: string[] = [];
    let outputs: string[] = [];
    const id = job.progress.exportId;
    const partial = partialPathFor(destination, id);
    try {
      await ready;
      const listed = await deps.fragments.fragmentsIn(request.stream, request.start, request.end, request.selector, MAX_EXPORT_FRAGMENTS);
      if (job.abort.signal.aborted) throw new Cancelled();
      if (listed.fragments.length === 0) {
        throw new AppFailure(appError('NothingRecorded', 'The camera recorded nothing in that range, so there is no clip to export.'));
      }
      const gaps = mergeCoverage(listed.fragments, request.selector).length - 1;
      const queue = planClipParts(listed.fragments, request.selector, limits);
      const totalBytes = listed.fragments.reduce((sum, f) => sum + (f.sizeBytes ?? 0), 0);
      emit(job, { state: 'downloading', parts: queue.length, part: 0, bytes: 0, ...(totalBytes > 0 ? { totalBytes } : {}) });

      const files: Mp4File[] = [];
      const counted = { bytes: 0 };
      while (queue.length > 0) {
        const part = queue.shift() as ClipPart;
        const path = join(deps.workDir, `${id}-${files.length + 1}.mp4`);
        written.push(path);
        emit(job, { part: files.length + 1, parts: files.length + 1 + queue.length });
        let file: Mp4File;
        try {
          file = await download(job, request, part, path, counted);
        } catch (err) {
          // The camera's codec settings changed inside this part: fetch its halves apart.
          if (isAppFailure(err) && err.appError.code === 'InvalidCodecPrivateDataException' && part.fragments.length > 1) {
            const half = Math.ceil(part.fragments.length / 2);
            queue.unshift(partOf(part.fragments.slice(0, half), request.selector), partOf(part.fragments.slice(half), request.selector));
            await unlink(path).catch(() => undefined);
            written.pop();
            continue;
          }
          throw err;
        }
        // GetClip cuts at 200 fragments or 100 MB without saying so: what it left out goes first in the next part.
        const covered = fragmentsCovered(part.fragments, durationMs(file.movie));
        if (covered === 0) throw new AppFailure(appError('ClipUnreadable', 'KVS answered GetClip with a clip shorter than one fragment.', { retryable: true }));
        if (covered < part.fragments.length) {
          const rest: Fragment[] = part.fragments.slice(covered);
          deps.logger.info('GetClip cut a part short; the rest goes in the next part', { stream: request.stream.streamName, covered, planned: part.fragments.length });
          if (queue[0] && rest.length + queue[0].fragments.length <= limits.maxFragments) queue[0] = partOf([...rest, ...queue[0].fragments], request.selector);
          else queue.unshift(partOf(rest, request.selector));
        }
        files.push(file);
      }

      let note = gaps > 0 ? `The recording has ${gaps} gap${gaps === 1 ? '' : 's'} in this range; the clip goes straight across ${gaps === 1 ? 'it' : 'them'}.` : undefined;
      if (files.length === 1) {
        await moveInto((files[0] as Mp4File).path, partial, destination);
        outputs = [destination];
      } else {
        emit(job, { state: 'joining', bytes: 0, totalBytes: files.reduce((sum, f) => sum + f.span.end - f.span.start, 0) });
        written.push(partial);
        const joined = await joinMp4Files(files, partial, { signal: job.abort.signal, onProgress: (copied) => emit(job, { bytes: copied }, false) });
        if (joined.joined) {
          await rename(partial, destination);
          outputs = [destination];
        } else {
          outputs = files.map((_, i) => numberedPartPath(destination, i + 1, files.length));
          for (const [i, file] of files.entries()) {
            const target = outputs[i] as string;
            written.push(target);
            await moveInto(file.path, partialPathFor(target, id), target);
          }
          note = `Saved as ${files.length} numbered parts: they could not be joined into one file (${joined.reason}).${note ? ` ${note}` : ''}`;
        }
      }
      if (job.abort.signal.aborted) throw new Cancelled();
      const delivered = await deps.destination.deliver(outputs);
      emit(job, { state: 'done', files: delivered, ...(note ? { note } : {}) });
      deps.logger.info('clip exported', { stream: request.stream.streamName, parts: files.length, files: outputs.length });
    } catch (err) {
      const cancelled = err instanceof Cancelled || job.abort.signal.aborted;
      for (const path of [...written, partial, ...outputs]) await rm(path, { force: true }).catch(() => undefined);
      if (cancelled) {
        emit(job, { state: 'cancelled' });
      } else {
        const error = failureOf(err);
        if (!isAppFailure(err)) deps.logger.warn('clip export failed', { stream: request.stream.streamName, error: String(err) });
        emit(job, { state: 'failed', error });
      }
    } finally {
      for (const path of written.filter((p) => p.startsWith(deps.workDir))) await rm(path, { force: true }).catch(() => undefined);
      forget();
    }
  }

  return {
    async start(request, ctx) {
      const chosen = await deps.destination.choose(suggestedClipName(request.stream.streamName, request.start, request.end), ctx);
      if (chosen === undefined) return { status: 'cancelled' };
      const destination = withMp4Extension(chosen);
      const exportId = `x${randomBytes(9).toString('base64url')}`;
      const job: Job = {
        progress: { exportId, stream: { ...request.stream }, start: request.start, end: request.end, state: 'listing', bytes: 0, part: 0, parts: 0 },
        abort: new AbortController(),
        done: Promise.resolve(),
        lastEmit: 0,
      };
      jobs.set(exportId, job);
      emit(job, {});
      job.done = run(job, request, destination);
      return { status: 'started', exportId };
    },
    cancel(exportId) {
      const job = jobs.get(exportId);
      if (!job || !['listing', 'downloading', 'joining'].includes(job.progress.state)) return false;
      job.abort.abort();
      return true;
    },
    list() {
      return [...jobs.values()].map((j) => ({ ...j.progress })).reverse();
    },
    async dispose() {
      for (const job of jobs.values()) job.abort.abort();
      await Promise.all([...jobs.values()].map((j) => j.done));
    },
  };
}

/** Moves a finished file to `target` through a hidden name beside it, so `target` only ever appears complete. */
async function moveInto(source: string, partial: string, target: string): Promise<void> {
  try {
    await rename(source, partial);
  } catch (err) {
    // Another disk: copy, then the rename below is on the target's own disk.
    if ((err as { code?: unknown }).code !== 'EXDEV') throw err;
    await copyFile(source, partial);
    await unlink(source);
  }
  await rename(partial, target);
}
