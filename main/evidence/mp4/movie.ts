/**
 * The `moov` of a traditional (non-fragmented) MP4, read into what a join needs: per track its
 * headers (copied as they are), its sample description, and its sample tables — sizes, durations,
 * composition offsets, sync samples, and chunks with their offsets in the file.
 */
import { box as writeBox, ByteWriter, childOf, childrenOf, fullBox, Mp4Error, PayloadReader, readBoxes, requireChild, type Box } from './boxes';

export interface Chunk {
  /** Absolute offset in the file. */
  offset: number;
  samples: number;
  descriptionIndex: number;
}

/** An edit list of one entry that plays the media from `mediaTime` at normal rate: what encoders write for B-frame delay. */
export interface SimpleEdit {
  mediaTime: number;
}

export interface Track {
  id: number;
  /** hdlr's handler type: `vide`, `soun`, … */
  handler: string;
  timescale: number;
  language: number;
  /**
   * The sample description (the codec and its configuration), without the informational `btrt`
   * (bit rates), which an encoder writes per file: two parts of one stream differ only there.
   */
  stsd: Uint8Array;
  /** The raw boxes copied into a join: handler, media header, data information. */
  hdlr: Uint8Array;
  mediaHeader: Uint8Array;
  dinf: Uint8Array;
  /** tkhd fields a join keeps: flags, track id, layer, group, volume, matrix, width, height. */
  tkhd: { flags: number; rest: Uint8Array };
  /** Absent: no edit list; `complex`: one a join can't carry over soundly (several entries, a gap, another rate). */
  edit: SimpleEdit | 'complex' | undefined;
  /** Whether every data reference is in this file (a join copies only this file's bytes). */
  selfContained: boolean;
  sizes: number[];
  /** stts runs: [count, delta]. */
  durations: Array<[number, number]>;
  /** ctts runs: [count, offset]; absent: every offset is 0. */
  compositionOffsets: Array<[number, number]> | undefined;
  /** 1-based sync sample numbers; absent: every sample is a sync sample. */
  sync: number[] | undefined;
  chunks: Chunk[];
}

export interface Movie {
  timescale: number;
  /** mvhd's fields after its duration (rate, volume, matrix, next track id), copied into a join. */
  mvhdRest: Uint8Array;
  tracks: Track[];
  /** An `mvex` says the samples live in movie fragments, which a join of sample tables can't see. */
  fragmented: boolean;
}

/** The sum of a track's sample durations, in its timescale. */
export function mediaDuration(track: Track): number {
  return track.durations.reduce((sum, [count, delta]) => sum + count * delta, 0);
}

function readTkhd(bytes: Uint8Array, box: Box): Track['tkhd'] & { id: number } {
  const r = new PayloadReader(bytes, box);
  const { version, flags } = r.fullHeader();
  r.skip(version === 1 ? 16 : 8);
  const id = r.u32();
  r.skip(4);
  r.skip(version === 1 ? 8 : 4);
  return { id, flags, rest: r.rest() };
}

function readMdhd(bytes: Uint8Array, box: Box): { timescale: number; language: number } {
  const r = new PayloadReader(bytes, box);
  const { version } = r.fullHeader();
  r.skip(version === 1 ? 16 : 8);
  const timescale = r.u32();
  r.skip(version === 1 ? 8 : 4);
  const language = r.u16();
  if (timescale === 0) throw new Mp4Error('mdhd has a timescale of 0');
  return { timescale, language };
}

function readHandler(bytes: Uint8Array, box: Box): string {
  const r = new PayloadReader(bytes, box);
  r.fullHeader();
  r.skip(4);
  const code = r.u32();
  return String.fromCharCode((code >>> 24) & 0xff, (code >>> 16) & 0xff, (code >>> 8) & 0xff, code & 0xff);
}

function readEdit(bytes: Uint8Array, edts: Box | undefined): Track['edit'] {
  if (!edts) return undefined;
  const elst = childOf(bytes, edts, 'elst');
  if (!elst) return undefined;
  const r = new PayloadReader(bytes, elst);
  const { version } = r.fullHeader();
  const entries = r.count(version === 1 ? 20 : 12);
  if (entries !== 1) return 'complex';
  r.skip(version === 1 ? 8 : 4);
  const mediaTime = version === 1 ? r.i64() : r.i32();
  const rate = r.u16();
  const fraction = r.u16();
  if (mediaTime < 0 || rate !== 1 || fraction !== 0) return 'complex';
  return { mediaTime };
}

function selfContained(bytes: Uint8Array, dinf: Box): boolean {
  const dref = childOf(bytes, dinf, 'dref');
  if (!dref) return false;
  const r = new PayloadReader(bytes, dref);
  r.fullHeader();
  r.u32();
  // Each entry (url , urn ) is a full box whose flag 1 says "the data is in this file".
  return readBoxes(bytes, dref.payload + 8, dref.end).every((entry) => {
    const e = new PayloadReader(bytes, entry);
    return (e.fullHeader().flags & 1) === 1;
  });
}

const VISUAL_ENTRIES = new Set(['avc1', 'avc3', 'hvc1', 'hev1', 'mp4v', 'vp08', 'vp09', 'av01', 'dvh1', 'dvhe', 'encv']);
const AUDIO_ENTRIES = new Set(['mp4a', 'alaw', 'ulaw', 'enca', 'Opus', 'fLaC', 'ac-3', 'ec-3', '.mp3', 'sowt', 'twos', 'lpcm', 'samr']);
/** Bytes of a sample entry's fields before its child boxes: visual 78; audio 28, 44 or 64 by its (QuickTime) version. */
function entryHeaderLength(bytes: Uint8Array, entry: Box): number | undefined {
  if (VISUAL_ENTRIES.has(entry.type)) return 78;
  if (!AUDIO_ENTRIES.has(entry.type)) return undefined;
  const r = new PayloadReader(bytes, entry);
  r.skip(8);
  const version = r.u16();
  return ({ 0: 28, 1: 44, 2: 64 } as Record<number, number>)[version];
}

/** The stsd with `btrt` left out of every sample entry whose layout is known; others as they are. */
function withoutBitRates(bytes: Uint8Array, stsd: Box): Uint8Array {
  const r = new PayloadReader(bytes, stsd);
  const { version, flags } = r.fullHeader();
  const count = r.u32();
  const entries = readBoxes(bytes, stsd.payload + 8, stsd.end);
  if (entries.length !== count) throw new Mp4Error(`stsd claims ${count} entries and holds ${entries.length}`);
  const rebuilt = entries.map((entry) => {
    const header = entryHeaderLength(bytes, entry);
    if (header === undefined || entry.payload + header > entry.end) return bytes.subarray(entry.start, entry.end);
    const children = readBoxes(bytes, entry.payload + header, entry.end).filter((child) => child.type !== 'btrt');
    return writeBox(entry.type, bytes.subarray(entry.payload, entry.payload + header), ...children.map((c) => bytes.subarray(c.start, c.end)));
  });
  return fullBox('stsd', version, flags, new ByteWriter().u32(count).bytes(), ...rebuilt);
}

function readRuns(bytes: Uint8Array, box: Box, signed: boolean): Array<[number, number]> {
  const r = new PayloadReader(bytes, box);
  const { version } = r.fullHeader();
  const n = r.count(8);
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) runs.push([r.u32(), signed && version === 1 ? r.i32() : r.u32()]);
  return runs;
}

function readSizes(bytes: Uint8Array, stbl: Box): number[] {
  const stsz = childOf(bytes, stbl, 'stsz');
  if (stsz) {
    const r = new PayloadReader(bytes, stsz);
    r.fullHeader();
    const fixed = r.u32();
    const n = fixed === 0 ? r.count(4) : r.u32();
    if (fixed !== 0) {
      if (n > 50_000_000) throw new Mp4Error('stsz claims an impossible number of samples');
      return new Array<number>(n).fill(fixed);
    }
    return Array.from({ length: n }, () => r.u32());
  }
  const stz2 = childOf(bytes, stbl, 'stz2');
  if (!stz2) throw new Mp4Error('stbl has no sample sizes (stsz or stz2)');
  const r = new PayloadReader(bytes, stz2);
  r.fullHeader();
  r.skip(3);
  const field = r.u8();
  const n = r.count(field / 8);
  const sizes: number[] = [];
  if (field === 4) {
    for (let i = 0; i < n; i += 2) {
      const b = r.u8();
      sizes.push(b >>> 4);
      if (i + 1 < n) sizes.push(b & 0xf);
    }
  } else if (field === 8 || field === 16) {
    for (let i = 0; i < n; i++) sizes.push(field === 8 ? r.u8() : r.u16());
  } else {
    throw new Mp4Error(`stz2 has a field size of ${field}`);
  }
  return sizes;
}

function readChunks(bytes: Uint8Array, stbl: Box, sampleCount: number): Chunk[] {
  const stco = childOf(bytes, stbl, 'stco');
  const co64 = childOf(bytes, stbl, 'co64');
  const table = stco ?? co64;
  if (!table) throw new Mp4Error('stbl has no chunk offsets (stco or co64)');
  const r = new PayloadReader(bytes, table);
  r.fullHeader();
  const n = r.count(stco ? 4 : 8);
  const offsets = Array.from({ length: n }, () => (stco ? r.u32() : r.u64()));

  const stsc = new PayloadReader(bytes, requireChild(bytes, stbl, 'stsc'));
  stsc.fullHeader();
  const entries = stsc.count(12);
  const runs = Array.from({ length: entries }, () => ({ first: stsc.u32(), samples: stsc.u32(), description: stsc.u32() }));
  const chunks: Chunk[] = [];
  let samples = 0;
  runs.forEach((run, i) => {
    const next = runs[i + 1]?.first ?? n + 1;
    if ((i === 0 && run.first !== 1) || next <= run.first || next > n + 1) throw new Mp4Error('stsc runs are out of order');
    for (let c = run.first; c < next; c++) {
      chunks.push({ offset: offsets[c - 1] as number, samples: run.samples, descriptionIndex: run.description });
      samples += run.samples;
    }
  });
  if (chunks.length !== n) throw new Mp4Error(`stsc describes ${chunks.length} chunks but stco has ${n}`);
  if (samples !== sampleCount) throw new Mp4Error(`the chunks hold ${samples} samples but the sizes table lists ${sampleCount}`);
  return chunks;
}

function readTrack(bytes: Uint8Array, trak: Box): Track {
  const tkhd = readTkhd(bytes, requireChild(bytes, trak, 'tkhd'));
  const mdia = requireChild(bytes, trak, 'mdia');
  const { timescale, language } = readMdhd(bytes, requireChild(bytes, mdia, 'mdhd'));
  const hdlrBox = requireChild(bytes, mdia, 'hdlr');
  const minf = requireChild(bytes, mdia, 'minf');
  const mediaHeader = childrenOf(bytes, minf).find((b) => ['vmhd', 'smhd', 'nmhd', 'sthd', 'hmhd'].includes(b.type));
  if (!mediaHeader) throw new Mp4Error('minf has no media header');
  const dinf = requireChild(bytes, minf, 'dinf');
  const stbl = requireChild(bytes, minf, 'stbl');
  const stsd = requireChild(bytes, stbl, 'stsd');
  const sizes = readSizes(bytes, stbl);
  const durations = readRuns(bytes, requireChild(bytes, stbl, 'stts'), false);
  const timed = durations.reduce((n, [count]) => n + count, 0);
  if (timed !== sizes.length) throw new Mp4Error(`stts times ${timed} samples but the sizes table lists ${sizes.length}`);
  const cttsBox = childOf(bytes, stbl, 'ctts');
  const compositionOffsets = cttsBox ? readRuns(bytes, cttsBox, true) : undefined;
  if (compositionOffsets && compositionOffsets.reduce((n, [count]) => n + count, 0) !== sizes.length) throw new Mp4Error('ctts does not cover every sample');
  const stssBox = childOf(bytes, stbl, 'stss');
  let sync: number[] | undefined;
  if (stssBox) {
    const r = new PayloadReader(bytes, stssBox);
    r.fullHeader();
    const n = r.count(4);
    sync = Array.from({ length: n }, () => r.u32());
    if (sync.some((s) => s < 1 || s > sizes.length)) throw new Mp4Error('stss names a sample that does not exist');
  }
  const slice = (b: Box) => bytes.slice(b.start, b.end);
  return {
    id: tkhd.id,
    handler: readHandler(bytes, hdlrBox),
    timescale,
    language,
    stsd: withoutBitRates(bytes, stsd),
    hdlr: slice(hdlrBox),
    mediaHeader: slice(mediaHeader),
    dinf: slice(dinf),
    tkhd: { flags: tkhd.flags, rest: tkhd.rest.slice() },
    edit: readEdit(bytes, childOf(bytes, trak, 'edts')),
    selfContained: selfContained(bytes, dinf),
    sizes,
    durations,
    compositionOffsets,
    sync,
    chunks: readChunks(bytes, stbl, sizes.length),
  };
}

/** Reads a `moov` box (its whole bytes, header included). */
export function readMovie(moovBytes: Uint8Array): Movie {
  const [moov] = readBoxes(moovBytes);
  if (!moov || moov.type !== 'moov') throw new Mp4Error('not a moov box');
  const mvhd = new PayloadReader(moovBytes, requireChild(moovBytes, moov, 'mvhd'));
  const { version } = mvhd.fullHeader();
  mvhd.skip(version === 1 ? 16 : 8);
  const timescale = mvhd.u32();
  mvhd.skip(version === 1 ? 8 : 4);
  if (timescale === 0) throw new Mp4Error('mvhd has a timescale of 0');
  const children = childrenOf(moovBytes, moov);
  return {
    timescale,
    mvhdRest: mvhd.rest().slice(),
    tracks: children.filter((b) => b.type === 'trak').map((trak) => readTrack(moovBytes, trak)),
    fragmented: children.some((b) => b.type === 'mvex'),
  };
}
