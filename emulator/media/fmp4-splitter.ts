/**
 * Splits a fragmented MP4 into what a KVS stream is made of: one init segment (`ftyp` + `moov`) and
 * one media fragment per GOP (`[styp][sidx][prft] moof mdat`). Files that are valid MP4 but not in that
 * shape (plain MP4, extra tracks, fragments not opening on a key frame) are reported as needing a remux
 * rather than rejected, because ffmpeg can reshape them without re-encoding.
 */
import type { Clip, ClipAudio, ClipFragment } from './api';
import { ClipLoadError } from './clip-load-error';
import { kvsCodecIdFor } from './codec-string';
import { type FragmentInfo, readFragmentInfo } from './fragment-info';
import { type Box, Mp4FormatError, readBoxes } from './mp4-boxes';
import { type AudioTrackInfo, type MovieTracks, type TrackExtendsDefaults, type VideoTrackInfo, readMovieTracks } from './track-info';
import { type TrackSelection, trackFragment, trackInit } from './track-split';
import { concat } from './bytes';

export type ClipMedia = Omit<Clip, 'name'>;

export type SplitResult = { readonly kind: 'clip'; readonly media: ClipMedia } | { readonly kind: 'needs-remux'; readonly reason: string };

/** Boxes an MP4 or QuickTime file may open with; anything else is not an MP4 at all. */
const OPENING_BOXES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pdin']);

/** Boxes that belong to the fragment whose moof follows them. */
const FRAGMENT_PREFIX_BOXES = new Set(['styp', 'sidx', 'prft', 'emsg']);

function looksLikeMp4(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const type = String.fromCharCode(...bytes.subarray(4, 8));
  return OPENING_BOXES.has(type);
}

function topLevelBoxes(bytes: Uint8Array, label: string): Box[] {
  try {
    return readBoxes(bytes);
  } catch (error) {
    if (!(error instanceof Mp4FormatError)) throw error;
    if (error.truncated) {
      throw new ClipLoadError('TRUNCATED', `${label} is cut off: ${error.message}. The file is incomplete; copy or record it again.`, { cause: error });
    }
    throw new ClipLoadError('MALFORMED', `${label} is not a valid MP4: ${error.message}`, { cause: error });
  }
}

/** A fragment's byte range within the file: its prefix boxes, moof and mdat. */
interface FragmentRange {
  readonly start: number;
  readonly end: number;
}

/** Groups the top-level boxes after `moov` into fragments; `undefined` if samples sit outside fragments. */
function fragmentRanges(top: readonly Box[], label: string): FragmentRange[] | undefined {
  const ranges: FragmentRange[] = [];
  let prefixStart: number | undefined;
  let moof: Box | undefined;
  for (const box of top) {
    if (FRAGMENT_PREFIX_BOXES.has(box.type)) {
      if (moof) throw new ClipLoadError('MALFORMED', `${label} has a moof at byte ${moof.start} with no mdat after it`);
      prefixStart ??= box.start;
    } else if (box.type === 'moof') {
      if (moof) throw new ClipLoadError('MALFORMED', `${label} has a moof at byte ${moof.start} with no mdat after it`);
      moof = box;
    } else if (box.type === 'mdat') {
      // An mdat before any moof holds samples indexed by moov itself, which a fragment list can't carry.
      if (!moof) return undefined;
      ranges.push({ start: prefixStart ?? moof.start, end: box.end });
      prefixStart = undefined;
      moof = undefined;
    }
  }
  if (moof) throw new ClipLoadError('MALFORMED', `${label} ends with a moof at byte ${moof.start} and no mdat`);
  return ranges;
}

/** Runs a read of fragment `index`, turning a format error into a ClipLoadError that names it. */
function readingFragment<T>(index: number, label: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof Mp4FormatError)) throw error;
    throw new ClipLoadError('MALFORMED', `${label}: fragment ${index + 1} is not valid: ${error.message}`, { cause: error });
  }
}

function fragmentInfo(bytes: Uint8Array, track: VideoTrackInfo, range: FragmentRange, index: number, label: string): FragmentInfo {
  return readingFragment(index, label, () => readFragmentInfo(bytes, track.trex, range.start, range.end));
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** DASH `frameRate` ("25", "30000/1001") when every sample of every fragment lasts the same. */
function frameRateOf(infos: readonly FragmentInfo[], timescale: number): string | undefined {
  const duration = infos[0]?.uniformSampleDuration;
  if (duration === undefined || duration === 0 || infos.some((info) => info.uniformSampleDuration !== duration)) return undefined;
  const divisor = greatestCommonDivisor(timescale, duration);
  const numerator = timescale / divisor;
  const denominator = duration / divisor;
  return denominator === 1 ? `${numerator}` : `${numerator}/${denominator}`;
}

/**
 * Reads `bytes` (the whole file) into a clip, or says why it must be remuxed first. `label` names the
 * file in error messages.
 */
export function splitFragmentedMp4(bytes: Uint8Array, label: string): SplitResult {
  if (bytes.length === 0) throw new ClipLoadError('EMPTY', `${label} is empty (0 bytes)`);
  if (!looksLikeMp4(bytes)) {
    throw new ClipLoadError('NOT_MP4', `${label} is not an MP4 file: it does not start with an MP4 box such as ftyp or moov`);
  }
  const top = topLevelBoxes(bytes, label);
  const moov = top.find((b) => b.type === 'moov');
  if (!moov) throw new ClipLoadError('MALFORMED', `${label} has no moov box (the movie header); the recording may be unfinished`);

  let tracks: MovieTracks;
  try {
    tracks = readMovieTracks(bytes, moov);
  } catch (error) {
    if (!(error instanceof Mp4FormatError)) throw error;
    throw new ClipLoadError('MALFORMED', `${label} has an unreadable movie header: ${error.message}`, { cause: error });
  }
  const track = tracks.video;
  if (!track) {
    const kinds = tracks.handlers.length > 0 ? `its tracks: ${tracks.handlers.join(', ')}` : 'it has no tracks';
    throw new ClipLoadError('NO_VIDEO_TRACK', `${label} has no video track (${kinds})`);
  }
  if (track.width === 0 || track.height === 0) throw new ClipLoadError('MALFORMED', `${label}: the video track declares no picture size`);
  if (!tracks.fragmented) return { kind: 'needs-remux', reason: 'it is not a fragmented MP4' };
  const withAudio = tracks.handlers.length === 2 && tracks.audio !== undefined;
  if (tracks.handlers.length > 1 && !withAudio) {
    return { kind: 'needs-remux', reason: `it has ${tracks.handlers.length} tracks (${tracks.handlers.join(', ')}) and a KVS-style stream carries one video track and at most one audio track` };
  }
  const ftyp = top.find((b) => b.type === 'ftyp');
  if (!ftyp) return { kind: 'needs-remux', reason: 'it has no ftyp box' };

  const ranges = fragmentRanges(top.filter((b) => b.start > moov.start), label);
  if (!ranges) return { kind: 'needs-remux', reason: 'some samples are outside movie fragments' };
  if (ranges.length === 0) throw new ClipLoadError('NO_FRAGMENTS', `${label} is a fragmented MP4 with no fragments (no moof/mdat after the moov)`);
  if (withAudio && tracks.audio) return splitTracks(bytes, moov, track, tracks.audio, ranges, label);

  const infos = ranges.map((range, i) => fragmentInfo(bytes, track, range, i, label));
  for (const [i, info] of infos.entries()) {
    if (info.trackId !== track.trackId) return { kind: 'needs-remux', reason: `fragment ${i + 1} belongs to track ${info.trackId}, not the video track` };
    if (info.sampleCount === 0 || info.durationTicks === 0) throw new ClipLoadError('MALFORMED', `${label}: fragment ${i + 1} has no samples or no duration`);
    if (!info.startsWithSyncSample) return { kind: 'needs-remux', reason: `fragment ${i + 1} does not start with a key frame` };
    if (info.sidx && info.sidx.timescale !== track.timescale) return { kind: 'needs-remux', reason: `fragment ${i + 1} has a sidx in another timescale` };
  }

  const firstDecodeTime = infos[0]?.baseMediaDecodeTime ?? 0;
  const fragments: ClipFragment[] = ranges.map((range, i) => ({
    data: bytes.slice(range.start, range.end),
    durationTicks: (infos[i] as FragmentInfo).durationTicks,
    startTicks: (infos[i] as FragmentInfo).baseMediaDecodeTime - firstDecodeTime,
  }));
  const frameRate = frameRateOf(infos, track.timescale);
  return {
    kind: 'clip',
    media: {
      init: concat([bytes.subarray(ftyp.start, ftyp.end), bytes.subarray(moov.start, moov.end)]),
      fragments,
      timescale: track.timescale,
      codec: track.codec,
      kvsCodecId: kvsCodecIdFor(track.sampleEntryType),
      width: track.width,
      height: track.height,
      mimeType: 'video/mp4',
      totalDurationTicks: fragments.reduce((sum, f) => sum + f.durationTicks, 0),
      ...(frameRate ? { frameRate } : {}),
    },
  };
}

/** A fragment's tracks must each open on a sync sample (video) and carry samples and time. */
function checkFragments(infos: readonly FragmentInfo[], what: 'video' | 'audio', label: string): string | undefined {
  for (const [i, info] of infos.entries()) {
    if (info.sampleCount === 0 || info.durationTicks === 0) throw new ClipLoadError('MALFORMED', `${label}: the ${what} of fragment ${i + 1} has no samples or no duration`);
    if (what === 'video' && !info.startsWithSyncSample) return `fragment ${i + 1} does not start with a key frame`;
  }
  return undefined;
}

function clipFragments(parts: readonly Uint8Array[], infos: readonly FragmentInfo[]): ClipFragment[] {
  const first = infos[0]?.baseMediaDecodeTime ?? 0;
  return parts.map((data, i) => ({ data, durationTicks: (infos[i] as FragmentInfo).durationTicks, startTicks: (infos[i] as FragmentInfo).baseMediaDecodeTime - first }));
}

/**
 * A clip with sound: each interleaved fragment becomes a video fragment and an audio fragment (same
 * index), and each track gets an init segment of its own, as KVS serves TrackNumber 1 and 2.
 */
function splitTracks(bytes: Uint8Array, moov: Box, video: VideoTrackInfo, audio: AudioTrackInfo, ranges: readonly FragmentRange[], label: string): SplitResult {
  const trexByTrack = new Map<number, TrackExtendsDefaults>();
  if (video.trex) trexByTrack.set(video.trackId, video.trex);
  if (audio.trex) trexByTrack.set(audio.trackId, audio.trex);
  const videoTrack: TrackSelection = { sourceTrackId: video.trackId, trex: video.trex, trackNumber: 1 };
  const audioTrack: TrackSelection = { sourceTrackId: audio.trackId, trex: audio.trex, trackNumber: 2 };

  const videoParts: Uint8Array[] = [];
  const audioParts: Uint8Array[] = [];
  for (const [i, range] of ranges.entries()) {
    const [videoPart, audioPart] = readingFragment(i, label, () => [
      trackFragment(bytes, range.start, range.end, videoTrack, trexByTrack),
      trackFragment(bytes, range.start, range.end, audioTrack, trexByTrack),
    ]);
    if (!videoPart) return { kind: 'needs-remux', reason: `fragment ${i + 1} holds no video` };
    if (!audioPart) {
      throw new ClipLoadError('MALFORMED', `${label}: fragment ${i + 1} holds no audio, and a KVS stream with sound carries it in every fragment. Drop the sound (ffmpeg -i in.mp4 -an -c copy out.mp4) or re-record`);
    }
    videoParts.push(videoPart);
    audioParts.push(audioPart);
  }
  const videoInfos = videoParts.map((part, i) => readingFragment(i, label, () => readFragmentInfo(part)));
  const audioInfos = audioParts.map((part, i) => readingFragment(i, label, () => readFragmentInfo(part)));
  const reason = checkFragments(videoInfos, 'video', label) ?? checkFragments(audioInfos, 'audio', label);
  if (reason) return { kind: 'needs-remux', reason };

  const fragments = clipFragments(videoParts, videoInfos);
  const audioFragments = clipFragments(audioParts, audioInfos);
  const frameRate = frameRateOf(videoInfos, video.timescale);
  const clipAudio: ClipAudio = {
    init: readingFragment(0, label, () => trackInit(bytes, moov, audio.trak, audioTrack)),
    fragments: audioFragments,
    timescale: audio.timescale,
    codec: audio.codec,
    kvsCodecId: audio.kvsCodecId,
    mimeType: 'audio/mp4',
    sampleRate: audio.sampleRate,
    channels: audio.channels,
    totalDurationTicks: audioFragments.reduce((sum, f) => sum + f.durationTicks, 0),
  };
  return {
    kind: 'clip',
    media: {
      init: readingFragment(0, label, () => trackInit(bytes, moov, video.trak, videoTrack)),
      fragments,
      timescale: video.timescale,
      codec: video.codec,
      kvsCodecId: kvsCodecIdFor(video.sampleEntryType),
      width: video.width,
      height: video.height,
      mimeType: 'video/mp4',
      totalDurationTicks: fragments.reduce((sum, f) => sum + f.durationTicks, 0),
      ...(frameRate ? { frameRate } : {}),
      audio: clipAudio,
    },
  };
}
