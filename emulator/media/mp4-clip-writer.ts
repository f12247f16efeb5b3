/**
 * GetClip's answer: a traditional (non-fragmented) MP4 of some fragments of a stream, built from the
 * fragments' own samples. `ftyp`, then a `moov` whose sample tables index every sample, then one `mdat`
 * holding, for each fragment in turn, its video samples and then its audio samples (one chunk per
 * track per fragment). Sample descriptions, handlers and media headers are copied from each track's
 * init segment, so the codec configuration is exactly what the stream serves. Decode times start at
 * zero: the clip is a file of its own, not a window on the live timeline.
 */
import { isSyncSample } from './fragment-info';
import { type Box, Mp4FormatError, childBoxes, encodeBox, encodeFullBox, readBoxes, requirePath } from './mp4-boxes';
import { type LocatedSample, samplesOf } from './track-split';
import { type AudioTrackInfo, type VideoTrackInfo, readMovieTracks } from './track-info';
import { concat, u16, u32, u64 } from './bytes';

/** One track of the clip: its init segment and its fragments (single-track moof + mdat each). */
export interface ClipTrackSource {
  readonly init: Uint8Array;
  readonly fragments: readonly Uint8Array[];
}

const MOVIE_TIMESCALE = 1000;
const UINT32_LIMIT = 2 ** 32;
const IDENTITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

const zeros = (count: number) => new Uint8Array(count);
const words = (values: readonly number[]) => concat(values.map(u32));

/** A duration field: 32 bits in a version-0 box while it fits, else the box is written as version 1. */
function fitsVersion0(...durations: number[]): boolean {
  return durations.every((d) => d < UINT32_LIMIT);
}

interface TrackPlan {
  readonly trackId: number;
  readonly kind: 'video' | 'audio';
  readonly info: VideoTrackInfo | AudioTrackInfo;
  readonly initBytes: Uint8Array;
  /** Samples per fragment, each with the bytes it came from. */
  readonly chunks: ReadonlyArray<{ readonly bytes: Uint8Array; readonly samples: readonly LocatedSample[] }>;
  readonly durationTicks: number;
}

function plan(source: ClipTrackSource, trackId: number, kind: 'video' | 'audio'): TrackPlan {
  const moov = readBoxes(source.init).find((b) => b.type === 'moov');
  if (!moov) throw new Mp4FormatError('the init segment has no moov box', 'init', 0);
  const tracks = readMovieTracks(source.init, moov);
  const info = kind === 'video' ? tracks.video : tracks.audio;
  if (!info) throw new Mp4FormatError(`the init segment has no ${kind} track`, 'moov', moov.start);
  const chunks = source.fragments.map((bytes) => ({ bytes, samples: samplesOf(bytes, info.trex) }));
  const durationTicks = chunks.reduce((sum, chunk) => sum + chunk.samples.reduce((s, sample) => s + sample.duration, 0), 0);
  return { trackId, kind, info, initBytes: source.init, chunks, durationTicks };
}

/** Run-length (count, value) pairs, as stts, ctts and stsc store them. */
function runs(values: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const value of values) {
    const last = out[out.length - 1];
    if (last && last[1] === value) last[0] += 1;
    else out.push([1, value]);
  }
  return out;
}

function sampleTable(track: TrackPlan, chunkOffsets: readonly number[]): Uint8Array {
  const samples = track.chunks.flatMap((chunk) => chunk.samples);
  const stsd = requirePath(track.initBytes, ['mdia', 'minf', 'stbl', 'stsd'], track.info.trak);
  const boxes: Uint8Array[] = [track.initBytes.subarray(stsd.start, stsd.end)];

  const timeToSample = runs(samples.map((s) => s.duration));
  boxes.push(encodeFullBox('stts', 0, 0, u32(timeToSample.length), ...timeToSample.map(([count, delta]) => words([count, delta]))));
  if (samples.some((s) => s.compositionOffset !== 0)) {
    const offsets = runs(samples.map((s) => s.compositionOffset));
    const negative = samples.some((s) => s.compositionOffset < 0);
    boxes.push(encodeFullBox('ctts', negative ? 1 : 0, 0, u32(offsets.length), ...offsets.map(([count, offset]) => words([count, offset]))));
  }
  if (track.kind === 'video' && !samples.every(isSyncSample)) {
    const sync = samples.flatMap((s, i) => (isSyncSample(s) ? [i + 1] : []));
    boxes.push(encodeFullBox('stss', 0, 0, u32(sync.length), ...sync.map(u32)));
  }
  // One chunk per fragment: (first chunk, samples per chunk, description 1), run-length by chunk.
  const perChunk = track.chunks.map((chunk) => chunk.samples.length);
  const sampleToChunk: number[][] = [];
  perChunk.forEach((count, i) => {
    if (sampleToChunk[sampleToChunk.length - 1]?.[1] !== count) sampleToChunk.push([i + 1, count, 1]);
  });
  boxes.push(encodeFullBox('stsc', 0, 0, u32(sampleToChunk.length), ...sampleToChunk.map(words)));
  boxes.push(encodeFullBox('stsz', 0, 0, u32(0), u32(samples.length), ...samples.map((s) => u32(s.size))));
  boxes.push(encodeFullBox('stco', 0, 0, u32(chunkOffsets.length), ...chunkOffsets.map(u32)));
  return encodeBox('stbl', ...boxes);
}

function childOf(bytes: Uint8Array, parent: Box, type: string): Uint8Array | undefined {
  const box = childBoxes(bytes, parent).find((b) => b.type === type);
  return box && bytes.subarray(box.start, box.end);
}

function trackBox(track: TrackPlan, chunkOffsets: readonly number[]): Uint8Array {
  const { initBytes: bytes, info } = track;
  const timescale = info.timescale;
  const movieDuration = Math.round((track.durationTicks * MOVIE_TIMESCALE) / timescale);
  const v0 = fitsVersion0(track.durationTicks, movieDuration);
  const isVideo = track.kind === 'video';
  const width = isVideo ? (info as VideoTrackInfo).width : 0;
  const height = isVideo ? (info as VideoTrackInfo).height : 0;
  const tkhd = encodeFullBox(
    'tkhd', v0 ? 0 : 1, 0x3, // enabled, in movie
    v0 ? zeros(8) : zeros(16), u32(track.trackId), zeros(4), v0 ? u32(movieDuration) : u64(movieDuration),
    zeros(8), u16(0), u16(0), u16(isVideo ? 0 : 0x0100), zeros(2), words(IDENTITY_MATRIX), u32(width * 0x10000), u32(height * 0x10000),
  );
  // 'und': three 5-bit letters, each minus 0x60.
  const language = (('u'.charCodeAt(0) - 0x60) << 10) | (('n'.charCodeAt(0) - 0x60) << 5) | ('d'.charCodeAt(0) - 0x60);
  const mdhd = encodeFullBox('mdhd', v0 ? 0 : 1, 0, v0 ? zeros(8) : zeros(16), u32(timescale), v0 ? u32(track.durationTicks) : u64(track.durationTicks), u16(language), u16(0));
  const mdia = requirePath(bytes, ['mdia'], info.trak);
  const minf = requirePath(bytes, ['mdia', 'minf'], info.trak);
  const hdlr = childOf(bytes, mdia, 'hdlr');
  const header = childOf(bytes, minf, isVideo ? 'vmhd' : 'smhd');
  const dinf = childOf(bytes, minf, 'dinf');
  if (!hdlr || !header || !dinf) throw new Mp4FormatError(`the ${track.kind} track's media boxes are incomplete`, 'trak', info.trak.start);
  return encodeBox('trak', tkhd, encodeBox('mdia', mdhd, hdlr, encodeBox('minf', header, dinf, sampleTable(track, chunkOffsets))));
}

function movieBox(tracks: readonly TrackPlan[], chunkOffsets: ReadonlyArray<readonly number[]>): Uint8Array {
  const duration = Math.max(...tracks.map((t) => Math.round((t.durationTicks * MOVIE_TIMESCALE) / t.info.timescale)));
  const v0 = fitsVersion0(duration);
  const mvhd = encodeFullBox(
    'mvhd', v0 ? 0 : 1, 0,
    v0 ? zeros(8) : zeros(16), u32(MOVIE_TIMESCALE), v0 ? u32(duration) : u64(duration),
    u32(0x00010000), u16(0x0100), zeros(10), words(IDENTITY_MATRIX), zeros(24), u32(tracks.length + 1),
  );
  return encodeBox('moov', mvhd, ...tracks.map((t, i) => trackBox(t, chunkOffsets[i] ?? [])));
}

const FTYP = encodeBox('ftyp', new TextEncoder().encode('isom'), u32(0x200), new TextEncoder().encode('isomiso2mp41'));

/**
 * The MP4 of a clip: `video` and, when the stream has sound, `audio` (fragment i of each belonging to
 * the same stream fragment). Sizes are bounded by the caller (GetClip's 100 MB): chunk offsets are 32-bit.
 */
export function writeClipMp4(video: ClipTrackSource, audio?: ClipTrackSource): Uint8Array {
  if (video.fragments.length === 0) throw new RangeError('a clip needs at least one fragment');
  if (audio && audio.fragments.length !== video.fragments.length) throw new RangeError('the audio and video of a clip must have one fragment each per stream fragment');
  const tracks = [plan(video, 1, 'video'), ...(audio ? [plan(audio, 2, 'audio')] : [])];

  // Chunk data in mdat order: fragment by fragment, each track's chunk in turn.
  const data: Uint8Array[] = [];
  const positions: number[][] = tracks.map(() => []);
  let at = 0;
  for (let i = 0; i < video.fragments.length; i++) {
    tracks.forEach((track, t) => {
      const chunk = track.chunks[i] as TrackPlan['chunks'][number];
      (positions[t] as number[]).push(at);
      for (const sample of chunk.samples) {
        data.push(chunk.bytes.subarray(sample.offset, sample.offset + sample.size));
        at += sample.size;
      }
    });
  }
  if (at + 8 >= UINT32_LIMIT) throw new RangeError(`a clip of ${at} bytes is beyond what a 32-bit mdat holds`);
  // The moov's size doesn't depend on the offsets' values: measure it once, then write the real offsets.
  const moovSize = movieBox(tracks, positions).length;
  const base = FTYP.length + moovSize + 8;
  const moov = movieBox(tracks, positions.map((list) => list.map((p) => p + base)));
  // Written straight into one buffer: a clip can be 100 MB, so its samples are copied once.
  const out = new Uint8Array(base + at);
  out.set(FTYP, 0);
  out.set(moov, FTYP.length);
  const view = new DataView(out.buffer);
  view.setUint32(base - 8, at + 8);
  out.set(new TextEncoder().encode('mdat'), base - 4);
  let write = base;
  for (const part of data) {
    out.set(part, write);
    write += part.length;
  }
  return out;
}
