/**
 * KVS serves each track of a fragment on its own (`TrackNumber=1` video, `2` audio), while an MP4 with
 * sound interleaves both in one `moof`/`mdat`. This takes one track out of such a file: an init segment
 * holding only that track, and for each fragment a `moof` + `mdat` holding only its samples, every
 * sample field written out explicitly so nothing depends on defaults left behind in the source.
 * The track is renumbered to its KVS track number, so every served init and fragment agrees on it.
 */
import { type RunSample, type TrackFragment, TFHD_BASE_DATA_OFFSET, TFHD_DEFAULT_BASE_IS_MOOF, readTrackFragment } from './fragment-info';
import { type Box, BoxReader, Mp4FormatError, childBoxes, encodeBox, encodeFullBox, readBoxes } from './mp4-boxes';
import type { TrackExtendsDefaults } from './track-info';
import { concat, u32, u64 } from './bytes';

/** A track of the source file and the number it is served under. */
export interface TrackSelection {
  readonly sourceTrackId: number;
  /** The source's `trex` for the track: the new init carries its defaults on. */
  readonly trex: TrackExtendsDefaults | undefined;
  readonly trackNumber: number;
}

const TRUN_DATA_OFFSET = 0x1;
const TRUN_SAMPLE_DURATION = 0x100;
const TRUN_SAMPLE_SIZE = 0x200;
const TRUN_SAMPLE_FLAGS = 0x400;
const TRUN_SAMPLE_CTO = 0x800;

/** The init segment's brands: ISO base media with fragments, as DASH players expect. */
const FTYP = encodeBox('ftyp', new TextEncoder().encode('iso6'), u32(0), new TextEncoder().encode('iso6iso5mp41dash'));

/** `ftyp` + `moov` with only `trak` in it (renumbered), and a `trex` for it. */
export function trackInit(bytes: Uint8Array, moov: Box, trak: Box, selection: TrackSelection): Uint8Array {
  const children = childBoxes(bytes, moov);
  const mvhd = children.find((b) => b.type === 'mvhd');
  if (!mvhd) throw new Mp4FormatError('no mvhd box inside', 'moov', moov.start);
  const movieHeader = bytes.slice(mvhd.start, mvhd.end);
  // next_track_ID is mvhd's last field, whatever its version.
  new DataView(movieHeader.buffer).setUint32(movieHeader.length - 4, selection.trackNumber + 1);

  const track = bytes.slice(trak.start, trak.end);
  const tkhd = childBoxes(bytes, trak).find((b) => b.type === 'tkhd');
  if (!tkhd) throw new Mp4FormatError('no tkhd box inside', 'trak', trak.start);
  const reader = new BoxReader(bytes, tkhd);
  const { version } = reader.fullBoxHeader();
  reader.skip(version === 1 ? 16 : 8, 'creation and modification times');
  new DataView(track.buffer).setUint32(reader.offset - trak.start, selection.trackNumber);

  const trex = selection.trex;
  const extendsBox = encodeFullBox(
    'trex', 0, 0,
    u32(selection.trackNumber), u32(trex?.defaultSampleDescriptionIndex ?? 1), u32(trex?.defaultSampleDuration ?? 0), u32(trex?.defaultSampleSize ?? 0), u32(trex?.defaultSampleFlags ?? 0),
  );
  return concat([FTYP, encodeBox('moov', movieHeader, track, encodeBox('mvex', extendsBox))]);
}

export interface LocatedSample extends RunSample {
  /** Absolute offset of the sample's bytes in the file. */
  readonly offset: number;
}

/**
 * Where each sample of each track fragment lies in the file (ISO/IEC 14496-12 §8.8.7–8.8.8): from
 * tfhd.base_data_offset, or the moof (default-base-is-moof, or the first traf), or where the previous
 * traf's data ended; each run at its data_offset, or right after the previous run.
 */
function locateSamples(moof: Box, trafs: readonly TrackFragment[]): LocatedSample[][] {
  let previousEnd = moof.start;
  return trafs.map((traf, trafIndex) => {
    const { header } = traf;
    const base = header.flags & TFHD_BASE_DATA_OFFSET && header.baseDataOffset !== undefined
      ? header.baseDataOffset
      : header.flags & TFHD_DEFAULT_BASE_IS_MOOF || trafIndex === 0 ? moof.start : previousEnd;
    let runEnd = base;
    const located: LocatedSample[] = [];
    traf.runs.forEach((run, runIndex) => {
      let at = run.dataOffset !== undefined ? base + run.dataOffset : runIndex === 0 ? base : runEnd;
      for (const sample of run.samples) {
        located.push({ ...sample, offset: at });
        at += sample.size;
      }
      runEnd = at;
    });
    previousEnd = runEnd;
    return located;
  });
}

function trackRun(samples: readonly LocatedSample[], dataOffset: number): Uint8Array {
  const withOffsets = samples.some((s) => s.compositionOffset !== 0);
  const negative = samples.some((s) => s.compositionOffset < 0);
  const flags = TRUN_DATA_OFFSET | TRUN_SAMPLE_DURATION | TRUN_SAMPLE_SIZE | TRUN_SAMPLE_FLAGS | (withOffsets ? TRUN_SAMPLE_CTO : 0);
  const fields = samples.flatMap((s) => [u32(s.duration), u32(s.size), u32(s.flags), ...(withOffsets ? [u32(s.compositionOffset)] : [])]);
  return encodeFullBox('trun', negative ? 1 : 0, flags, u32(samples.length), u32(dataOffset), ...fields);
}

/** A traf read with the defaults of its own track (its tfhd names the track before any default is needed). */
function readTrackFragmentOf(bytes: Uint8Array, traf: Box, trexByTrack: ReadonlyMap<number, TrackExtendsDefaults>): TrackFragment {
  const tfhd = childBoxes(bytes, traf).find((b) => b.type === 'tfhd');
  if (!tfhd) throw new Mp4FormatError('no tfhd box inside', 'traf', traf.start);
  const reader = new BoxReader(bytes, tfhd);
  reader.fullBoxHeader();
  return readTrackFragment(bytes, traf, trexByTrack.get(reader.u32('track_ID')));
}

/** The moof's sequence number. */
function sequenceNumberOf(bytes: Uint8Array, moof: Box, children: readonly Box[]): number {
  const mfhd = children.find((b) => b.type === 'mfhd');
  if (!mfhd) throw new Mp4FormatError('no mfhd box inside', 'moof', moof.start);
  const reader = new BoxReader(bytes, mfhd);
  reader.fullBoxHeader();
  return reader.u32('sequence_number');
}

/**
 * One track's part of the fragment in `bytes[from, to)` (`[styp][sidx…] moof mdat`) as a fragment of its
 * own: `moof` (mfhd, traf with tfhd, a 64-bit tfdt and one explicit trun) + `mdat`. Undefined when the
 * fragment holds no samples of that track.
 */
export function trackFragment(bytes: Uint8Array, from: number, to: number, selection: TrackSelection, trexByTrack: ReadonlyMap<number, TrackExtendsDefaults>): Uint8Array | undefined {
  const top = readBoxes(bytes, from, to);
  const moof = top.find((b) => b.type === 'moof');
  if (!moof) throw new Mp4FormatError('no moof box inside', 'fragment', from);
  const children = childBoxes(bytes, moof);
  // Every track's samples are sized, because without a base offset one track's data starts where the previous one's ends.
  const resolved = children.filter((b) => b.type === 'traf').map((traf) => readTrackFragmentOf(bytes, traf, trexByTrack));
  const index = resolved.findIndex((t) => t.trackId === selection.sourceTrackId);
  if (index < 0) return undefined;
  const samples = locateSamples(moof, resolved)[index] ?? [];
  if (samples.length === 0) return undefined;
  for (const sample of samples) {
    if (sample.offset < from || sample.offset + sample.size > to) {
      throw new Mp4FormatError(`a sample of track ${selection.sourceTrackId} (${sample.size} bytes at ${sample.offset}) lies outside its fragment`, 'trun', moof.start);
    }
  }

  const header = encodeFullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, u32(selection.trackNumber));
  const decodeTime = encodeFullBox('tfdt', 1, 0, u64((resolved[index] as TrackFragment).baseMediaDecodeTime));
  const movieFragmentHeader = encodeFullBox('mfhd', 0, 0, u32(sequenceNumberOf(bytes, moof, children)));
  // The run's data offset counts from the moof's first byte to the mdat payload; its own size doesn't
  // depend on the offset's value, so build it once to measure and once for real.
  const moofSize = encodeBox('moof', movieFragmentHeader, encodeBox('traf', header, decodeTime, trackRun(samples, 0))).length;
  const moofBox = encodeBox('moof', movieFragmentHeader, encodeBox('traf', header, decodeTime, trackRun(samples, moofSize + 8)));
  const data = concat(samples.map((s) => bytes.subarray(s.offset, s.offset + s.size)));
  return concat([moofBox, encodeBox('mdat', data)]);
}

/**
 * The samples of a single-track fragment (`[styp][sidx] moof mdat`, as the clip holds them), each with
 * its bytes' offset in `bytes`; `trex` supplies the defaults its tfhd leaves out.
 */
export function samplesOf(bytes: Uint8Array, trex: TrackExtendsDefaults | undefined): LocatedSample[] {
  const moof = readBoxes(bytes).find((b) => b.type === 'moof');
  if (!moof) throw new Mp4FormatError('no moof box inside', 'fragment', 0);
  const trafs = childBoxes(bytes, moof).filter((b) => b.type === 'traf');
  if (trafs.length !== 1) throw new Mp4FormatError(`expected exactly one traf, found ${trafs.length}`, 'moof', moof.start);
  const samples = locateSamples(moof, [readTrackFragment(bytes, trafs[0] as Box, trex)])[0] ?? [];
  for (const sample of samples) {
    if (sample.offset < 0 || sample.offset + sample.size > bytes.length) {
      throw new Mp4FormatError(`a sample (${sample.size} bytes at ${sample.offset}) lies outside its fragment`, 'trun', moof.start);
    }
  }
  return samples;
}
