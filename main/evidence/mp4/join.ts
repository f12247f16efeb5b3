/**
 * Joins traditional MP4 files that continue each other (GetClip's parts of one range) into one: the
 * samples of each track one after another, each part's media data copied as one span, and a new
 * `moov` whose tables index them all. Sound only when every part has the same tracks in the same
 * order, each with the same handler, timescale and byte-identical sample description (the same
 * codec configuration), data in the file itself, and the same simple edit (or none); otherwise the
 * answer says why, and the parts are kept as they are.
 */
import { box, ByteWriter, fullBox, mdatHeader } from './boxes';
import { mediaDuration, type Movie, type Track } from './movie';

/** One input: its movie and where its media data lies in its file. */
export interface JoinPart {
  movie: Movie;
  /** `[start, end)` in the part's file: from its first chunk to the end of its last. */
  span: { start: number; end: number };
}

export type JoinPlan = { ok: true; layout: JoinLayout } | { ok: false; reason: string };

export interface JoinLayout {
  /** `ftyp` + `moov` + the mdat header: the bytes written before the first part's span. */
  head(ftyp: Uint8Array): Uint8Array;
  /** Bytes of media data in all. */
  readonly dataBytes: number;
}

const UINT32 = 2 ** 32;

/** Where a part's chunks lie in its file: the smallest range holding every chunk of every track. */
export function dataSpan(movie: Movie): { start: number; end: number } | undefined {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const track of movie.tracks) {
    let sample = 0;
    for (const chunk of track.chunks) {
      let bytes = 0;
      for (let i = 0; i < chunk.samples; i++) bytes += track.sizes[sample + i] ?? 0;
      sample += chunk.samples;
      if (chunk.samples === 0) continue;
      start = Math.min(start, chunk.offset);
      end = Math.max(end, chunk.offset + bytes);
    }
  }
  return end > 0 ? { start, end } : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Why these movies can't be joined soundly, or undefined when they can. */
export function joinProblem(movies: readonly Movie[]): string | undefined {
  const [first, ...rest] = movies;
  if (!first) return 'there is nothing to join';
  const all = [first, ...rest];
  if (all.some((m) => m.fragmented)) return 'a part is a fragmented MP4';
  if (first.tracks.length === 0) return 'the first part has no tracks';
  for (const [i, movie] of all.entries()) {
    if (movie.tracks.length !== first.tracks.length) return `part ${i + 1} has ${movie.tracks.length} tracks, part 1 has ${first.tracks.length}`;
    for (const [t, track] of movie.tracks.entries()) {
      const model = first.tracks[t] as Track;
      const what = `track ${t + 1} of part ${i + 1}`;
      if (!track.selfContained) return `${what} refers to media outside its file`;
      if (track.handler !== model.handler) return `${what} is ${track.handler}, in part 1 it is ${model.handler}`;
      if (track.timescale !== model.timescale) return `${what} has another timescale than in part 1`;
      if (!sameBytes(track.stsd, model.stsd)) return `${what} has another codec configuration than in part 1 (the camera's settings changed)`;
      if (track.edit === 'complex') return `${what} has an edit list that can't be carried over`;
      const edit = track.edit?.mediaTime;
      const modelEdit = model.edit === 'complex' ? -1 : model.edit?.mediaTime;
      if (edit !== modelEdit) return `${what} starts its picture at another point than part 1`;
    }
  }
  return undefined;
}

/** Adjacent equal values folded into [count, value] runs, appended to `into`. */
function appendRuns(into: Array<[number, number]>, runs: ReadonlyArray<readonly [number, number]>): void {
  for (const [count, value] of runs) {
    if (count === 0) continue;
    const last = into[into.length - 1];
    if (last && last[1] === value) last[0] += count;
    else into.push([count, value]);
  }
}

interface JoinedTrack {
  model: Track;
  sizes: number[];
  durations: Array<[number, number]>;
  compositionOffsets: Array<[number, number]> | undefined;
  sync: number[] | undefined;
  /** Chunks with offsets relative to the start of the joined media data. */
  chunks: Array<{ offset: number; samples: number; descriptionIndex: number }>;
  mediaDuration: number;
}

function joinTrack(parts: readonly JoinPart[], index: number, partBase: readonly number[]): JoinedTrack {
  const tracks = parts.map((p) => p.movie.tracks[index] as Track);
  const model = tracks[0] as Track;
  const anyOffsets = tracks.some((t) => t.compositionOffsets);
  const anySync = tracks.some((t) => t.sync);
  const joined: JoinedTrack = { model, sizes: [], durations: [], compositionOffsets: anyOffsets ? [] : undefined, sync: anySync ? [] : undefined, chunks: [], mediaDuration: 0 };
  tracks.forEach((track, p) => {
    const before = joined.sizes.length;
    for (const size of track.sizes) joined.sizes.push(size);
    appendRuns(joined.durations, track.durations);
    if (joined.compositionOffsets) appendRuns(joined.compositionOffsets, track.compositionOffsets ?? [[track.sizes.length, 0]]);
    if (joined.sync) {
      if (track.sync) for (const s of track.sync) joined.sync.push(before + s);
      else for (let s = 1; s <= track.sizes.length; s++) joined.sync.push(before + s);
    }
    const shift = (partBase[p] as number) - (parts[p] as JoinPart).span.start;
    for (const chunk of track.chunks) joined.chunks.push({ offset: chunk.offset + shift, samples: chunk.samples, descriptionIndex: chunk.descriptionIndex });
    joined.mediaDuration += mediaDuration(track);
  });
  return joined;
}

const fits32 = (...values: number[]) => values.every((v) => v >= 0 && v < UINT32);

function sampleTable(track: JoinedTrack, dataStart: number, wide: boolean): Uint8Array {
  const w = (f: (w: ByteWriter) => void) => {
    const writer = new ByteWriter();
    f(writer);
    return writer.bytes();
  };
  const boxes: Uint8Array[] = [track.model.stsd];
  boxes.push(fullBox('stts', 0, 0, w((x) => {
    x.u32(track.durations.length);
    for (const [count, delta] of track.durations) x.u32(count).u32(delta);
  })));
  if (track.compositionOffsets) {
    const signed = track.compositionOffsets.some(([, offset]) => offset < 0);
    boxes.push(fullBox('ctts', signed ? 1 : 0, 0, w((x) => {
      x.u32(track.compositionOffsets!.length);
      for (const [count, offset] of track.compositionOffsets!) {
        x.u32(count);
        if (signed) x.i32(offset);
        else x.u32(offset);
      }
    })));
  }
  if (track.sync && track.sync.length !== track.sizes.length) {
    boxes.push(fullBox('stss', 0, 0, w((x) => {
      x.u32(track.sync!.length);
      for (const s of track.sync!) x.u32(s);
    })));
  }
  // Sample-to-chunk runs: a new entry wherever samples per chunk or the description change.
  const stsc: Array<[number, number, number]> = [];
  track.chunks.forEach((chunk, i) => {
    const last = stsc[stsc.length - 1];
    if (!last || last[1] !== chunk.samples || last[2] !== chunk.descriptionIndex) stsc.push([i + 1, chunk.samples, chunk.descriptionIndex]);
  });
  boxes.push(fullBox('stsc', 0, 0, w((x) => {
    x.u32(stsc.length);
    for (const [first, samples, description] of stsc) x.u32(first).u32(samples).u32(description);
  })));
  boxes.push(fullBox('stsz', 0, 0, w((x) => {
    x.u32(0).u32(track.sizes.length);
    for (const size of track.sizes) x.u32(size);
  })));
  boxes.push(fullBox(wide ? 'co64' : 'stco', 0, 0, w((x) => {
    x.u32(track.chunks.length);
    for (const chunk of track.chunks) {
      if (wide) x.u64(dataStart + chunk.offset);
      else x.u32(dataStart + chunk.offset);
    }
  })));
  return box('stbl', ...boxes);
}

function movieTime(ticks: number, from: number, to: number): number {
  return Math.round((ticks * to) / from);
}

function trackBox(track: JoinedTrack, movieTimescale: number, dataStart: number, wide: boolean): Uint8Array {
  const { model } = track;
  const mediaTime = model.edit === 'complex' ? 0 : (model.edit?.mediaTime ?? 0);
  // Every sample is presented: the edit only shifts the composition times by the B-frame delay.
  const presented = movieTime(track.mediaDuration, model.timescale, movieTimescale);
  const v0 = fits32(presented);
  const tkhd = fullBox('tkhd', v0 ? 0 : 1, model.tkhd.flags, new ByteWriter()
    .push(new Uint8Array(v0 ? 8 : 16))
    .u32(model.id)
    .u32(0)
    .push(v0 ? new ByteWriter().u32(presented).bytes() : new ByteWriter().u64(presented).bytes())
    .push(model.tkhd.rest)
    .bytes());
  const edts = model.edit && model.edit !== 'complex'
    ? [box('edts', fullBox('elst', fits32(presented, mediaTime) ? 0 : 1, 0, fits32(presented, mediaTime)
        ? new ByteWriter().u32(1).u32(presented).u32(mediaTime).u16(1).u16(0).bytes()
        : new ByteWriter().u32(1).u64(presented).i64(mediaTime).u16(1).u16(0).bytes()))]
    : [];
  const m0 = fits32(track.mediaDuration);
  const mdhd = fullBox('mdhd', m0 ? 0 : 1, 0, new ByteWriter()
    .push(new Uint8Array(m0 ? 8 : 16))
    .u32(model.timescale)
    .push(m0 ? new ByteWriter().u32(track.mediaDuration).bytes() : new ByteWriter().u64(track.mediaDuration).bytes())
    .u16(model.language)
    .u16(0)
    .bytes());
  const minf = box('minf', model.mediaHeader, model.dinf, sampleTable(track, dataStart, wide));
  return box('trak', tkhd, ...edts, box('mdia', mdhd, model.hdlr, minf));
}

function movieBox(first: Movie, tracks: readonly JoinedTrack[], dataStart: number, wide: boolean): Uint8Array {
  const duration = Math.max(...tracks.map((t) => movieTime(t.mediaDuration, t.model.timescale, first.timescale)));
  const v0 = fits32(duration);
  const mvhd = fullBox('mvhd', v0 ? 0 : 1, 0, new ByteWriter()
    .push(new Uint8Array(v0 ? 8 : 16))
    .u32(first.timescale)
    .push(v0 ? new ByteWriter().u32(duration).bytes() : new ByteWriter().u64(duration).bytes())
    .push(first.mvhdRest)
    .bytes());
  return box('moov', mvhd, ...tracks.map((t) => trackBox(t, first.timescale, dataStart, wide)));
}

/**
 * Plans a join: whether it is sound, and if so the bytes that go before the media data (the first
 * part's `ftyp`, the joined `moov`, the `mdat` header). The media data then follows: each part's
 * span in turn, copied as it is.
 */
export function planJoin(parts: readonly JoinPart[]): JoinPlan {
  const problem = joinProblem(parts.map((p) => p.movie));
  if (problem) return { ok: false, reason: problem };
  const partBase: number[] = [];
  let dataBytes = 0;
  for (const part of parts) {
    partBase.push(dataBytes);
    dataBytes += part.span.end - part.span.start;
  }
  const first = (parts[0] as JoinPart).movie;
  const tracks = first.tracks.map((_, t) => joinTrack(parts, t, partBase));
  return {
    ok: true,
    layout: {
      dataBytes,
      head(ftyp) {
        // The moov's size doesn't depend on the offsets' values, only on their width: measure, then write.
        const wideNeeded = (size: number) => ftyp.length + size + mdatHeader(dataBytes).length + dataBytes >= UINT32;
        let wide = false;
        let size = movieBox(first, tracks, 0, wide).length;
        if (wideNeeded(size)) {
          wide = true;
          size = movieBox(first, tracks, 0, wide).length;
        }
        const header = mdatHeader(dataBytes);
        const dataStart = ftyp.length + size + header.length;
        const moov = movieBox(first, tracks, dataStart, wide);
        return new ByteWriter().push(ftyp).push(moov).push(header).bytes();
      },
    },
  };
}
