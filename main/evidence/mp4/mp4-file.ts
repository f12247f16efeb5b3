import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { boxHeader, Mp4Error } from './boxes';
import { dataSpan, planJoin } from './join';
import { mediaDuration, readMovie, type Movie } from './movie';

/** The `moov` is read whole; anything larger than this is not a clip's. */
const MAX_MOOV_BYTES = 256 * 1024 * 1024;

export interface Mp4File {
  path: string;
  size: number;
  ftyp: Uint8Array;
  movie: Movie;
  /** Where the media data lies: from the first chunk to the end of the last. */
  span: { start: number; end: number };
  /** Whether the file holds movie fragments (moof) after its moov. */
  fragmented: boolean;
}

/** Reads a traditional MP4's structure: its top-level boxes, `ftyp` and `moov`, without reading its media data. */
export async function readMp4File(path: string): Promise<Mp4File> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = new Uint8Array(16);
    let ftyp: Uint8Array | undefined;
    let moov: Uint8Array | undefined;
    let fragmented = false;
    for (let at = 0; at < size; ) {
      await file.read(head, 0, Math.min(16, size - at), at);
      // The whole rest of the file is what the box may claim; pread filled as much of its header as exists.
      const { type, size: boxSize } = boxHeader(head, 0, size - at);
      if (type === 'ftyp' || type === 'moov') {
        if (boxSize > MAX_MOOV_BYTES) throw new Mp4Error(`${type} is implausibly large (${boxSize} bytes)`);
        const bytes = new Uint8Array(boxSize);
        await file.read(bytes, 0, boxSize, at);
        if (type === 'ftyp') ftyp = bytes;
        else moov = bytes;
      }
      if (type === 'moof') fragmented = true;
      at += boxSize;
    }
    if (!ftyp) throw new Mp4Error('the file has no ftyp box: not an MP4');
    if (!moov) throw new Mp4Error('the file has no moov box');
    const movie = readMovie(moov);
    const span = dataSpan(movie);
    if (!span) throw new Mp4Error('the file holds no samples');
    if (span.end > size) throw new Mp4Error(`its samples reach byte ${span.end} of a ${size}-byte file`);
    return { path, size, ftyp, movie, span, fragmented: fragmented || movie.fragmented };
  } finally {
    await file.close();
  }
}

/** The duration of a file's longest track, in ms (its samples' durations, edits aside). */
export function durationMs(movie: Movie): number {
  return Math.max(0, ...movie.tracks.map((t) => (mediaDuration(t) * 1000) / t.timescale));
}

export type JoinResult = { joined: true; bytes: number } | { joined: false; reason: string };

export interface JoinOptions {
  signal?: AbortSignal;
  /** Bytes of media data copied so far. */
  onProgress?: (copied: number, total: number) => void;
}

/**
 * Writes `output` as one MP4 of `inputs` one after another (see join.ts for when that is sound). On
 * `{ joined: false }` nothing was written. A failure or an abort mid-way may leave part of `output`:
 * the caller writes to a temporary name and removes it.
 */
export async function joinMp4Files(inputs: readonly Mp4File[], output: string, options: JoinOptions = {}): Promise<JoinResult> {
  if (inputs.some((i) => i.fragmented)) return { joined: false, reason: 'a part is a fragmented MP4' };
  const plan = planJoin(inputs.map((i) => ({ movie: i.movie, span: i.span })));
  if (!plan.ok) return { joined: false, reason: plan.reason };
  const first = inputs[0] as Mp4File;
  const head = plan.layout.head(first.ftyp);
  const out = createWriteStream(output, { flags: 'wx' });
  let copied = 0;
  const total = plan.layout.dataBytes;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    yield head;
    for (const input of inputs) {
      for await (const chunk of createReadStream(input.path, { start: input.span.start, end: input.span.end - 1, highWaterMark: 1024 * 1024 })) {
        const data = chunk as Buffer;
        copied += data.length;
        options.onProgress?.(copied, total);
        yield data;
      }
    }
  }
  await pipeline(bytes, out, options.signal ? { signal: options.signal } : {});
  if (copied !== total) throw new Mp4Error(`copied ${copied} bytes of media data where ${total} were planned`);
  return { joined: true, bytes: head.length + total };
}
