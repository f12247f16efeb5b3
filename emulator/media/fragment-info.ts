/** Reads the timing of one movie fragment (`[styp][sidx] moof mdat`) from its boxes. */
import { type Box, BoxReader, Mp4FormatError, childBoxes, readBoxes } from './mp4-boxes';
import type { TrackExtendsDefaults } from './track-info';

export interface FragmentInfo {
  readonly sequenceNumber: number;
  readonly trackId: number;
  /** tfdt.baseMediaDecodeTime, in the track timescale. */
  readonly baseMediaDecodeTime: number;
  readonly durationTicks: number;
  readonly sampleCount: number;
  /** The duration every sample shares, when they all share one (constant frame rate). */
  readonly uniformSampleDuration?: number;
  /** KVS fragments, and DASH segments, must open with a key frame. */
  readonly startsWithSyncSample: boolean;
  readonly sidx?: { readonly timescale: number; readonly earliestPresentationTime: number };
}

/** Set in sample flags when a sample is not a sync sample (ISO/IEC 14496-12 §8.8.3.1). */
const SAMPLE_IS_NON_SYNC = 0x00010000;

const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x2;
const TFHD_DEFAULT_DURATION = 0x8;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_DEFAULT_FLAGS = 0x20;

const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
const TRUN_SAMPLE_DURATION = 0x100;
const TRUN_SAMPLE_SIZE = 0x200;
const TRUN_SAMPLE_FLAGS = 0x400;
const TRUN_SAMPLE_CTO = 0x800;

/** Far more samples than one fragment of a camera holds (a minute of 48 kHz audio frames is ~2,800). */
const MAX_SAMPLES_PER_RUN = 1_000_000;

interface TrackFragmentHeader {
  readonly trackId: number;
  readonly flags: number;
  /** tfhd.base_data_offset, when the flag for it is set. */
  readonly baseDataOffset: number | undefined;
  readonly sampleDuration: number;
  readonly sampleSize: number;
  readonly sampleFlags: number;
}

function readTfhd(bytes: Uint8Array, tfhd: Box, trex: TrackExtendsDefaults | undefined): TrackFragmentHeader {
  const reader = new BoxReader(bytes, tfhd);
  const { flags } = reader.fullBoxHeader();
  const trackId = reader.u32('track_ID');
  const baseDataOffset = flags & TFHD_BASE_DATA_OFFSET ? reader.u64('base_data_offset') : undefined;
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) reader.skip(4, 'sample_description_index');
  const sampleDuration = flags & TFHD_DEFAULT_DURATION ? reader.u32('default_sample_duration') : (trex?.defaultSampleDuration ?? 0);
  const sampleSize = flags & TFHD_DEFAULT_SIZE ? reader.u32('default_sample_size') : (trex?.defaultSampleSize ?? 0);
  const sampleFlags = flags & TFHD_DEFAULT_FLAGS ? reader.u32('default_sample_flags') : (trex?.defaultSampleFlags ?? 0);
  return { trackId, flags, baseDataOffset, sampleDuration, sampleSize, sampleFlags };
}

/** One sample as a track run describes it, every default resolved. */
export interface RunSample {
  readonly duration: number;
  readonly size: number;
  readonly flags: number;
  /** Composition time offset (signed in version-1 runs). */
  readonly compositionOffset: number;
}

export interface TrackRun {
  /** trun.data_offset, relative to the traf's base, when the run states it. */
  readonly dataOffset: number | undefined;
  readonly samples: readonly RunSample[];
}

function readTrun(bytes: Uint8Array, trun: Box, defaults: TrackFragmentHeader): TrackRun {
  const reader = new BoxReader(bytes, trun);
  const { version, flags } = reader.fullBoxHeader();
  const sampleCount = reader.u32('sample_count');
  // data_offset is a signed 32-bit field.
  const dataOffset = flags & TRUN_DATA_OFFSET ? reader.u32('data_offset') | 0 : undefined;
  const firstSampleFlags = flags & TRUN_FIRST_SAMPLE_FLAGS ? reader.u32('first_sample_flags') : undefined;
  const perSampleBytes =
    (flags & TRUN_SAMPLE_DURATION ? 4 : 0) + (flags & TRUN_SAMPLE_SIZE ? 4 : 0) + (flags & TRUN_SAMPLE_FLAGS ? 4 : 0) + (flags & TRUN_SAMPLE_CTO ? 4 : 0);
  // Check the claimed count against the box before looping, so a lying count fails fast instead of spinning.
  if (sampleCount * perSampleBytes > trun.end - reader.offset) {
    throw new Mp4FormatError(`sample_count ${sampleCount} needs more bytes than the box holds`, 'trun', trun.start);
  }
  // A run of samples that all use the defaults carries no per-sample bytes to check the count against.
  if (perSampleBytes === 0 && sampleCount > MAX_SAMPLES_PER_RUN) {
    throw new Mp4FormatError(`sample_count ${sampleCount} is implausibly large for one run`, 'trun', trun.start);
  }
  const samples: RunSample[] = [];
  for (let i = 0; i < sampleCount; i++) {
    const duration = flags & TRUN_SAMPLE_DURATION ? reader.u32('sample_duration') : defaults.sampleDuration;
    const size = flags & TRUN_SAMPLE_SIZE ? reader.u32('sample_size') : defaults.sampleSize;
    const stated = flags & TRUN_SAMPLE_FLAGS ? reader.u32('sample_flags') : undefined;
    const cto = flags & TRUN_SAMPLE_CTO ? reader.u32('sample_composition_time_offset') : 0;
    // first_sample_flags overrides whatever else applies to the first sample.
    const sampleFlags = (i === 0 ? firstSampleFlags : undefined) ?? stated ?? defaults.sampleFlags;
    samples.push({ duration, size, flags: sampleFlags, compositionOffset: version === 1 ? cto | 0 : cto });
  }
  return { dataOffset, samples };
}

function readTfdt(bytes: Uint8Array, tfdt: Box): number {
  const reader = new BoxReader(bytes, tfdt);
  const { version } = reader.fullBoxHeader();
  return version === 1 ? reader.u64('baseMediaDecodeTime') : reader.u32('baseMediaDecodeTime');
}

function readMfhd(bytes: Uint8Array, mfhd: Box): number {
  const reader = new BoxReader(bytes, mfhd);
  reader.fullBoxHeader();
  return reader.u32('sequence_number');
}

function readSidx(bytes: Uint8Array, sidx: Box): { timescale: number; earliestPresentationTime: number } {
  const reader = new BoxReader(bytes, sidx);
  const { version } = reader.fullBoxHeader();
  reader.skip(4, 'reference_ID');
  const timescale = reader.u32('timescale');
  const earliestPresentationTime = version === 1 ? reader.u64('earliest_presentation_time') : reader.u32('earliest_presentation_time');
  return { timescale, earliestPresentationTime };
}

function only(boxes: readonly Box[], type: string, where: Box): Box {
  const matches = boxes.filter((b) => b.type === type);
  if (matches.length !== 1) {
    throw new Mp4FormatError(`expected exactly one ${type}, found ${matches.length}`, where.type, where.start);
  }
  return matches[0] as Box;
}

/**
 * The timing of a single-track fragment held in `bytes[from, to)`. Offsets in errors are relative to
 * `bytes`, so a fragment read inside a whole file reports where in the file it went wrong.
 */
export function readFragmentInfo(bytes: Uint8Array, trex?: TrackExtendsDefaults, from = 0, to = bytes.length): FragmentInfo {
  const top = readBoxes(bytes, from, to);
  const moof = only(top, 'moof', { type: 'fragment', start: from, payloadStart: from, end: to });
  const moofChildren = childBoxes(bytes, moof);
  const sequenceNumber = readMfhd(bytes, only(moofChildren, 'mfhd', moof));
  const track = readTrackFragment(bytes, only(moofChildren, 'traf', moof), trex);
  const samples = track.runs.flatMap((run) => run.samples);
  const durations = samples.map((sample) => sample.duration);
  const first = durations[0];
  const sidxBox = top.find((b) => b.type === 'sidx');
  return {
    sequenceNumber,
    trackId: track.trackId,
    baseMediaDecodeTime: track.baseMediaDecodeTime,
    durationTicks: durations.reduce((sum, d) => sum + d, 0),
    sampleCount: durations.length,
    ...(first !== undefined && durations.every((d) => d === first) ? { uniformSampleDuration: first } : {}),
    startsWithSyncSample: samples.length > 0 && ((samples[0] as RunSample).flags & SAMPLE_IS_NON_SYNC) === 0,
    ...(sidxBox ? { sidx: readSidx(bytes, sidxBox) } : {}),
  };
}

/** One track's part of a movie fragment: its header, decode time and runs of samples. */
export interface TrackFragment {
  readonly trackId: number;
  readonly header: TrackFragmentHeader;
  readonly baseMediaDecodeTime: number;
  readonly runs: readonly TrackRun[];
}

/** Reads a `traf` box; defaults missing from its tfhd come from the track's `trex`. */
export function readTrackFragment(bytes: Uint8Array, traf: Box, trex: TrackExtendsDefaults | undefined): TrackFragment {
  const children = childBoxes(bytes, traf);
  const header = readTfhd(bytes, only(children, 'tfhd', traf), trex);
  return {
    trackId: header.trackId,
    header,
    baseMediaDecodeTime: readTfdt(bytes, only(children, 'tfdt', traf)),
    runs: children.filter((b) => b.type === 'trun').map((trun) => readTrun(bytes, trun, header)),
  };
}

/** Whether a sample's flags mark it as a sync (key) sample. */
export function isSyncSample(sample: RunSample): boolean {
  return (sample.flags & SAMPLE_IS_NON_SYNC) === 0;
}

/** tfhd flag: offsets are relative to the moof rather than to the end of the previous track's data. */
export const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
export { TFHD_BASE_DATA_OFFSET };
