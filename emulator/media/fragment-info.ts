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

interface TrackFragmentDefaults {
  readonly trackId: number;
  readonly sampleDuration: number;
  readonly sampleFlags: number;
}

function readTfhd(bytes: Uint8Array, tfhd: Box, trex: TrackExtendsDefaults | undefined): TrackFragmentDefaults {
  const reader = new BoxReader(bytes, tfhd);
  const { flags } = reader.fullBoxHeader();
  const trackId = reader.u32('track_ID');
  if (flags & TFHD_BASE_DATA_OFFSET) reader.skip(8, 'base_data_offset');
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) reader.skip(4, 'sample_description_index');
  const sampleDuration = flags & TFHD_DEFAULT_DURATION ? reader.u32('default_sample_duration') : (trex?.defaultSampleDuration ?? 0);
  if (flags & TFHD_DEFAULT_SIZE) reader.skip(4, 'default_sample_size');
  const sampleFlags = flags & TFHD_DEFAULT_FLAGS ? reader.u32('default_sample_flags') : (trex?.defaultSampleFlags ?? 0);
  return { trackId, sampleDuration, sampleFlags };
}

interface RunSummary {
  readonly durations: number[];
  readonly firstSampleFlags: number | undefined;
}

function readTrun(bytes: Uint8Array, trun: Box, defaults: TrackFragmentDefaults): RunSummary {
  const reader = new BoxReader(bytes, trun);
  const { flags } = reader.fullBoxHeader();
  const sampleCount = reader.u32('sample_count');
  if (flags & TRUN_DATA_OFFSET) reader.skip(4, 'data_offset');
  let firstSampleFlags = flags & TRUN_FIRST_SAMPLE_FLAGS ? reader.u32('first_sample_flags') : undefined;
  const perSampleBytes =
    (flags & TRUN_SAMPLE_DURATION ? 4 : 0) + (flags & TRUN_SAMPLE_SIZE ? 4 : 0) + (flags & TRUN_SAMPLE_FLAGS ? 4 : 0) + (flags & TRUN_SAMPLE_CTO ? 4 : 0);
  // Check the claimed count against the box before looping, so a lying count fails fast instead of spinning.
  if (sampleCount * perSampleBytes > trun.end - reader.offset) {
    throw new Mp4FormatError(`sample_count ${sampleCount} needs more bytes than the box holds`, 'trun', trun.start);
  }
  const durations: number[] = [];
  for (let i = 0; i < sampleCount; i++) {
    durations.push(flags & TRUN_SAMPLE_DURATION ? reader.u32('sample_duration') : defaults.sampleDuration);
    if (flags & TRUN_SAMPLE_SIZE) reader.skip(4, 'sample_size');
    if (flags & TRUN_SAMPLE_FLAGS) {
      const sampleFlags = reader.u32('sample_flags');
      if (i === 0) firstSampleFlags ??= sampleFlags;
    }
    if (flags & TRUN_SAMPLE_CTO) reader.skip(4, 'sample_composition_time_offset');
  }
  return { durations, firstSampleFlags };
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
  const traf = only(moofChildren, 'traf', moof);
  const trafChildren = childBoxes(bytes, traf);
  const defaults = readTfhd(bytes, only(trafChildren, 'tfhd', traf), trex);
  const baseMediaDecodeTime = readTfdt(bytes, only(trafChildren, 'tfdt', traf));
  const runs = trafChildren.filter((b) => b.type === 'trun').map((trun) => readTrun(bytes, trun, defaults));
  const durations = runs.flatMap((run) => run.durations);
  const firstFlags = runs.find((run) => run.durations.length > 0)?.firstSampleFlags ?? defaults.sampleFlags;
  const first = durations[0];
  const sidxBox = top.find((b) => b.type === 'sidx');
  return {
    sequenceNumber,
    trackId: defaults.trackId,
    baseMediaDecodeTime,
    durationTicks: durations.reduce((sum, d) => sum + d, 0),
    sampleCount: durations.length,
    ...(first !== undefined && durations.every((d) => d === first) ? { uniformSampleDuration: first } : {}),
    startsWithSyncSample: durations.length > 0 && (firstFlags & SAMPLE_IS_NON_SYNC) === 0,
    ...(sidxBox ? { sidx: readSidx(bytes, sidxBox) } : {}),
  };
}
