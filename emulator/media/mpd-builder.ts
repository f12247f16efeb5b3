/**
 * The DASH manifest (MPD) of one KVS session, shaped as KVS serves it: one AdaptationSet per track
 * (video first, then audio when the stream has sound), each with a SegmentTemplate whose relative URLs
 * carry the session token and the track number and whose `$Number$` is the session's own sequence
 * number, and a SegmentTimeline whose `S@t` equals each fragment's tfdt in that track. Both tracks list
 * the same fragments under the same numbers.
 *
 * Time mapping:
 * - dynamic (LIVE, LIVE_REPLAY): `availabilityStartTime` = the origin and Period start 0, so media time
 *   is seconds since the origin and a player's live edge lands on the newest fragments. No
 *   Period@duration: it makes Shaka treat the period as finished and stall.
 * - static (ON_DEMAND): Period start 0 with `presentationTimeOffset` = the first fragment's tfdt, so the
 *   presentation (and a player's scrubber) starts at the first listed fragment instead of at the origin
 *   hours earlier; `mediaPresentationDuration` spans first start to last end.
 */
import { KVS_MPD_NAMESPACE, type ManifestInput, type TimelineFragment, type TrackNumber, type TrackTiming } from './api';

const DASH_NAMESPACE = 'urn:mpeg:dash:schema:mpd:2011';
const LIVE_PROFILE = 'urn:mpeg:dash:profile:isoff-live:2011';
const MIN_BUFFER_TIME = 'PT2S';
const AUDIO_CHANNEL_SCHEME = 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011';

export const INIT_FRAGMENT_FILE = 'getMP4InitFragment.mp4';
export const MEDIA_FRAGMENT_FILE = 'getMP4MediaFragment.mp4';
/** The query parameter carrying `$Number$` in media URLs. */
export const SEQUENCE_NUMBER_PARAM = 'FragmentSequenceNumber';
export const TRACK_NUMBER_PARAM = 'TrackNumber';

type Entry = ManifestInput['entries'][number];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** In a SegmentTemplate URL, '$' introduces an identifier; a literal one is written '$$'. */
function escapeTemplate(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

function attributes(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  return pairs
    .filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

/** xs:duration in seconds, to the millisecond: 2 → 'PT2S', 2.04 → 'PT2.04S'. */
export function isoDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`a duration must be a non-negative number of seconds, got ${seconds}`);
  return `PT${Number(seconds.toFixed(3))}S`;
}

function validateEntries(entries: readonly Entry[], withAudio: boolean): void {
  if (entries.length === 0) throw new RangeError('a manifest needs at least one fragment');
  const firstNumber = (entries[0] as Entry).number;
  if (!Number.isSafeInteger(firstNumber) || firstNumber < 0) throw new RangeError(`sequence numbers must be non-negative integers, got ${firstNumber}`);
  let previous: TimelineFragment | undefined;
  for (const [i, { number, fragment }] of entries.entries()) {
    // $Number$ of entry i is startNumber + i; a gap would send the player to the wrong fragment.
    if (number !== firstNumber + i) throw new RangeError(`sequence numbers must be consecutive: entry ${i} is ${number}, expected ${firstNumber + i}`);
    if (!Number.isSafeInteger(fragment.durationTicks) || fragment.durationTicks <= 0) {
      throw new RangeError(`fragment ${fragment.index} has a non-positive duration of ${fragment.durationTicks} ticks`);
    }
    if (previous && fragment.startTicks < previous.startTicks + previous.durationTicks) {
      throw new RangeError(`fragment ${fragment.index} starts at ${fragment.startTicks}, before fragment ${previous.index} ends`);
    }
    if (withAudio) {
      const audio = fragment.audio;
      if (!audio || !Number.isSafeInteger(audio.durationTicks) || audio.durationTicks <= 0) throw new RangeError(`fragment ${fragment.index} has no audio timing in a stream with sound`);
      const before = previous?.audio;
      if (before && audio.startTicks < before.startTicks + before.durationTicks) {
        throw new RangeError(`the audio of fragment ${fragment.index} starts at ${audio.startTicks}, before that of fragment ${previous?.index} ends`);
      }
    }
    previous = fragment;
  }
}

/** One track's timing of a fragment: the video's own, or its audio's. */
function timingOf(fragment: TimelineFragment, track: TrackNumber): TrackTiming {
  return track === 2 && fragment.audio ? fragment.audio : fragment;
}

function segmentTimeline(input: ManifestInput, track: TrackNumber): string {
  const annotate = input.displayFragmentNumber || input.displayFragmentTimestamp;
  const lines: string[] = [];
  const fragments = input.entries.map((e) => e.fragment);
  for (let i = 0; i < fragments.length; i++) {
    const fragment = fragments[i] as TimelineFragment;
    const timing = timingOf(fragment, track);
    let repeat = 0;
    // Runs of equal, back-to-back durations collapse into S@r, unless each S must carry its own kvs:* values.
    while (!annotate) {
      const next = fragments[i + repeat + 1];
      const nextTiming = next && timingOf(next, track);
      const end = timing.startTicks + (repeat + 1) * timing.durationTicks;
      if (!nextTiming || nextTiming.durationTicks !== timing.durationTicks || nextTiming.startTicks !== end) break;
      repeat += 1;
    }
    const timestamp = input.selector === 'SERVER_TIMESTAMP' ? fragment.serverTimestampMs : fragment.producerTimestampMs;
    lines.push(
      `<S${attributes([
        ['t', timing.startTicks],
        ['d', timing.durationTicks],
        ['r', repeat > 0 ? repeat : undefined],
        ['kvs:fn', input.displayFragmentNumber ? fragment.fragmentNumber : undefined],
        ['kvs:ts', input.displayFragmentTimestamp ? timestamp : undefined],
      ])}/>`,
    );
    i += repeat;
  }
  return lines.map((line) => `          ${line}`).join('\n');
}

/** Peak bits per second over the listed fragments; DASH requires a Representation@bandwidth. */
function peakBandwidth(timings: readonly TrackTiming[], timescale: number): number {
  const rates = timings.map((t) => (t.durationTicks > 0 ? Math.ceil((t.sizeBytes * 8 * timescale) / t.durationTicks) : 0));
  return Math.max(1, ...rates);
}

function mediaUrl(file: string, tokenQuery: string, extra: string): string {
  const query = [escapeTemplate(tokenQuery), extra].filter((part) => part !== '').join('&');
  return `${file}?${query}`;
}

/** The attributes and contents that differ between the video and the audio AdaptationSet. */
interface TrackDescription {
  readonly track: TrackNumber;
  readonly timescale: number;
  readonly attributes: ReadonlyArray<readonly [string, string | number | undefined]>;
  readonly children: readonly string[];
}

function adaptationSet(input: ManifestInput, description: TrackDescription): string[] {
  const { track, timescale } = description;
  const timings = input.entries.map((e) => timingOf(e.fragment, track));
  const first = timings[0] as TrackTiming;
  const trackQuery = `${TRACK_NUMBER_PARAM}=${track}`;
  return [
    `    <AdaptationSet${attributes([['id', String(track - 1)], ...description.attributes, ['segmentAlignment', 'true'], ['startWithSAP', '1']])}>`,
    ...description.children.map((child) => `      ${child}`),
    `      <SegmentTemplate${attributes([
      ['timescale', timescale],
      ['presentationTimeOffset', input.type === 'static' ? first.startTicks : undefined],
      ['startNumber', (input.entries[0] as Entry).number],
      ['initialization', mediaUrl(INIT_FRAGMENT_FILE, input.tokenQuery, trackQuery)],
      ['media', mediaUrl(MEDIA_FRAGMENT_FILE, input.tokenQuery, `${trackQuery}&${SEQUENCE_NUMBER_PARAM}=$Number$`)],
    ])}>`,
    '        <SegmentTimeline>',
    segmentTimeline(input, track),
    '        </SegmentTimeline>',
    '      </SegmentTemplate>',
    `      <Representation${attributes([['id', String(track)], ['bandwidth', peakBandwidth(timings, timescale)]])}/>`,
    '    </AdaptationSet>',
  ];
}

export function buildManifest(input: ManifestInput): string {
  const { clip, entries, type } = input;
  const audio = clip.audio;
  validateEntries(entries, audio !== undefined);
  const fragments = entries.map((e) => e.fragment);
  const first = fragments[0] as TimelineFragment;
  const last = fragments[fragments.length - 1] as TimelineFragment;
  const spanSeconds = (last.startTicks + last.durationTicks - first.startTicks) / clip.timescale;
  const longestSeconds = Math.max(
    ...fragments.map((f) => f.durationTicks / clip.timescale),
    ...(audio ? fragments.map((f) => (f.audio?.durationTicks ?? 0) / audio.timescale) : []),
  );

  if (type === 'dynamic' && !(input.minimumUpdatePeriodSeconds > 0)) {
    throw new RangeError(`minimumUpdatePeriodSeconds must be positive, got ${input.minimumUpdatePeriodSeconds}`);
  }
  const mpdTiming: Array<readonly [string, string | undefined]> =
    type === 'dynamic'
      ? [
          ['type', 'dynamic'],
          ['availabilityStartTime', new Date(input.originMs).toISOString()],
          ['publishTime', new Date(input.nowMs).toISOString()],
          ['minimumUpdatePeriod', isoDuration(input.minimumUpdatePeriodSeconds)],
          ['timeShiftBufferDepth', isoDuration(spanSeconds)],
        ]
      : [
          ['type', 'static'],
          ['mediaPresentationDuration', isoDuration(spanSeconds)],
        ];

  const video: TrackDescription = {
    track: 1,
    timescale: clip.timescale,
    attributes: [
      ['contentType', 'video'],
      ['mimeType', clip.mimeType],
      ['codecs', clip.codec],
      ['width', clip.width],
      ['height', clip.height],
      ['frameRate', clip.frameRate],
    ],
    children: [],
  };
  const sound: TrackDescription | undefined = audio && {
    track: 2,
    timescale: audio.timescale,
    attributes: [
      ['contentType', 'audio'],
      ['mimeType', audio.mimeType],
      ['codecs', audio.codec],
      ['audioSamplingRate', audio.sampleRate],
    ],
    children: [`<AudioChannelConfiguration${attributes([['schemeIdUri', AUDIO_CHANNEL_SCHEME], ['value', audio.channels]])}/>`],
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD${attributes([
      ['xmlns', DASH_NAMESPACE],
      ['xmlns:kvs', KVS_MPD_NAMESPACE],
      ['profiles', LIVE_PROFILE],
      ...mpdTiming,
      ['minBufferTime', MIN_BUFFER_TIME],
      ['maxSegmentDuration', isoDuration(longestSeconds)],
    ])}>`,
    `  <Period${attributes([['id', '0'], ['start', 'PT0S']])}>`,
    ...adaptationSet(input, video),
    ...(sound ? adaptationSet(input, sound) : []),
    '  </Period>',
    '</MPD>',
    '',
  ].join('\n');
}
