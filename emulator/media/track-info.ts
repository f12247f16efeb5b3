/** What the emulator needs to know about an MP4's video track (and audio track, if any), read from its `moov`. */
import { audioConfig, codecString, kvsAudioCodecIdFor } from './codec-string';
import { AUDIO_SAMPLE_ENTRIES, type Box, BoxReader, Mp4FormatError, VISUAL_SAMPLE_ENTRIES, childBoxes, findChild, findPath, requirePath } from './mp4-boxes';

export interface VideoTrackInfo {
  /** The track's `trak` box within the file. */
  readonly trak: Box;
  readonly trackId: number;
  readonly timescale: number;
  readonly width: number;
  readonly height: number;
  /** The sample entry's fourcc, e.g. 'avc1', 'hvc1', 'mp4v'. */
  readonly sampleEntryType: string;
  readonly codec: string;
  /** Defaults from `mvex/trex` that fragments fall back on; absent when the file is not fragmented. */
  readonly trex?: TrackExtendsDefaults;
}

export interface TrackExtendsDefaults {
  readonly defaultSampleDescriptionIndex: number;
  readonly defaultSampleDuration: number;
  readonly defaultSampleSize: number;
  readonly defaultSampleFlags: number;
}

export interface AudioTrackInfo {
  readonly trak: Box;
  readonly trackId: number;
  readonly timescale: number;
  /** The sample entry's fourcc: 'mp4a' (AAC), 'alaw' and 'ulaw' (G.711), or another. */
  readonly sampleEntryType: string;
  /** RFC 6381 codecs value: 'mp4a.40.2', 'alaw', 'ulaw', or the bare fourcc. */
  readonly codec: string;
  /** KVS-style codec id: 'A_AAC', 'A_MS/ACM' (G.711), or another. */
  readonly kvsCodecId: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly trex?: TrackExtendsDefaults;
}

export interface MovieTracks {
  /** Handler types of every track, e.g. ['vide', 'soun']. */
  readonly handlers: readonly string[];
  /** The first video track, if any. */
  readonly video?: VideoTrackInfo;
  /** The first audio track, if any. */
  readonly audio?: AudioTrackInfo;
  /** True when `moov` declares movie fragments (`mvex`), i.e. samples live in moof/mdat pairs. */
  readonly fragmented: boolean;
}

function handlerType(bytes: Uint8Array, trak: Box): string {
  const hdlr = requirePath(bytes, ['mdia', 'hdlr'], trak);
  const reader = new BoxReader(bytes, hdlr);
  reader.fullBoxHeader();
  reader.skip(4, 'pre_defined');
  const type = reader.slice(4, 'handler_type');
  return String.fromCharCode(...type);
}

function trackHeader(bytes: Uint8Array, trak: Box): { trackId: number; width: number; height: number } {
  const tkhd = requirePath(bytes, ['tkhd'], trak);
  const reader = new BoxReader(bytes, tkhd);
  const { version } = reader.fullBoxHeader();
  reader.skip(version === 1 ? 16 : 8, 'creation and modification times');
  const trackId = reader.u32('track_ID');
  reader.skip(4, 'reserved');
  reader.skip(version === 1 ? 8 : 4, 'duration');
  // reserved(8) layer(2) alternate_group(2) volume(2) reserved(2) matrix(36)
  reader.skip(52, 'layer, volume and matrix');
  // 16.16 fixed point; the integer part is the display size.
  const width = reader.u32('width') >>> 16;
  const height = reader.u32('height') >>> 16;
  return { trackId, width, height };
}

function mediaTimescale(bytes: Uint8Array, trak: Box): number {
  const mdhd = requirePath(bytes, ['mdia', 'mdhd'], trak);
  const reader = new BoxReader(bytes, mdhd);
  const { version } = reader.fullBoxHeader();
  reader.skip(version === 1 ? 16 : 8, 'creation and modification times');
  const timescale = reader.u32('timescale');
  if (timescale === 0) throw new Mp4FormatError('the track timescale is 0', 'mdhd', mdhd.start);
  return timescale;
}

function firstSampleEntry(bytes: Uint8Array, trak: Box): Box {
  const stsd = requirePath(bytes, ['mdia', 'minf', 'stbl', 'stsd'], trak);
  const entry = childBoxes(bytes, stsd)[0];
  if (!entry) throw new Mp4FormatError('no sample entry', 'stsd', stsd.start);
  return entry;
}

/** Coded size from a visual sample entry: after SampleEntry (8) and pre_defined/reserved (16). */
function sampleEntrySize(bytes: Uint8Array, entry: Box): { width: number; height: number } {
  if (!VISUAL_SAMPLE_ENTRIES.has(entry.type)) return { width: 0, height: 0 };
  const reader = new BoxReader(bytes, entry);
  reader.skip(24, 'sample entry header');
  return { width: reader.u16('width'), height: reader.u16('height') };
}

function trackExtends(bytes: Uint8Array, moov: Box, trackId: number): TrackExtendsDefaults | undefined {
  const mvex = findChild(bytes, moov, 'mvex');
  if (!mvex) return undefined;
  for (const trex of childBoxes(bytes, mvex).filter((b) => b.type === 'trex')) {
    const reader = new BoxReader(bytes, trex);
    reader.fullBoxHeader();
    if (reader.u32('track_ID') !== trackId) continue;
    const defaultSampleDescriptionIndex = reader.u32('default_sample_description_index');
    const defaultSampleDuration = reader.u32('default_sample_duration');
    const defaultSampleSize = reader.u32('default_sample_size');
    return { defaultSampleDescriptionIndex, defaultSampleDuration, defaultSampleSize, defaultSampleFlags: reader.u32('default_sample_flags') };
  }
  return { defaultSampleDescriptionIndex: 1, defaultSampleDuration: 0, defaultSampleSize: 0, defaultSampleFlags: 0 };
}

function videoTrack(bytes: Uint8Array, moov: Box, trak: Box): VideoTrackInfo {
  const header = trackHeader(bytes, trak);
  const entry = firstSampleEntry(bytes, trak);
  const coded = sampleEntrySize(bytes, entry);
  // tkhd holds the display size (what a viewer shows); fall back on the coded size when it is unset.
  const width = header.width || coded.width;
  const height = header.height || coded.height;
  const trex = trackExtends(bytes, moov, header.trackId);
  return {
    trak,
    trackId: header.trackId,
    timescale: mediaTimescale(bytes, trak),
    width,
    height,
    sampleEntryType: entry.type,
    codec: codecString(bytes, entry),
    ...(trex ? { trex } : {}),
  };
}

/** Channel count and sample rate from an audio sample entry (the fields every version shares). */
function audioSampleEntryFormat(bytes: Uint8Array, entry: Box): { channels: number; sampleRate: number } {
  if (!AUDIO_SAMPLE_ENTRIES.has(entry.type)) return { channels: 0, sampleRate: 0 };
  const reader = new BoxReader(bytes, entry);
  // SampleEntry (8), then version, revision and vendor (8).
  reader.skip(16, 'sample entry header');
  const channels = reader.u16('channelcount');
  reader.skip(6, 'samplesize, pre_defined and reserved');
  // 16.16 fixed point.
  return { channels, sampleRate: reader.u32('samplerate') >>> 16 };
}

function audioTrack(bytes: Uint8Array, moov: Box, trak: Box): AudioTrackInfo {
  const { trackId } = trackHeader(bytes, trak);
  const entry = firstSampleEntry(bytes, trak);
  const timescale = mediaTimescale(bytes, trak);
  const format = audioSampleEntryFormat(bytes, entry);
  const config = audioConfig(bytes, entry);
  const trex = trackExtends(bytes, moov, trackId);
  return {
    trak,
    trackId,
    timescale,
    sampleEntryType: entry.type,
    codec: config.codec,
    kvsCodecId: kvsAudioCodecIdFor(entry.type),
    // A sound description's 16-bit rate field can't hold rates above 65535; the media timescale then does.
    sampleRate: format.sampleRate || timescale,
    channels: config.channels ?? format.channels,
    ...(trex ? { trex } : {}),
  };
}

/** The tracks a `moov` declares, and the first video and audio tracks in detail. */
export function readMovieTracks(bytes: Uint8Array, moov: Box): MovieTracks {
  const traks = childBoxes(bytes, moov).filter((b) => b.type === 'trak');
  const handlers = traks.map((trak) => handlerType(bytes, trak));
  const videoTrak = traks[handlers.indexOf('vide')];
  const audioTrak = traks[handlers.indexOf('soun')];
  return {
    handlers,
    ...(videoTrak ? { video: videoTrack(bytes, moov, videoTrak) } : {}),
    ...(audioTrak ? { audio: audioTrack(bytes, moov, audioTrak) } : {}),
    fragmented: findPath(bytes, ['mvex'], moov) !== undefined,
  };
}
