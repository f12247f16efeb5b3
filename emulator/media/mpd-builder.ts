/**
 * The DASH manifest (MPD) of one KVS session, shaped as KVS serves it: one video AdaptationSet with a
 * SegmentTemplate whose relative URLs carry the session token and whose `$Number$` is the session's
 * own sequence number, and a SegmentTimeline whose `S@t` equals each fragment's tfdt.
 *
 * Time mapping:
 * - dynamic (LIVE, LIVE_REPLAY): `availabilityStartTime` = the origin and Period start 0, so media time
 *   is seconds since the origin and a player's live edge lands on the newest fragments. No
 *   Period@duration: it makes Shaka treat the period as finished and stall.
 * - static (ON_DEMAND): Period start 0 with `presentationTimeOffset` = the first fragment's tfdt, so the
 *   presentation (and a player's scrubber) starts at the first listed fragment instead of at the origin
 *   hours earlier; `mediaPresentationDuration` spans first start to last end.
 */
import { KVS_MPD_NAMESPACE, type ManifestInput, type TimelineFragment } from './api';

const DASH_NAMESPACE = 'urn:mpeg:dash:schema:mpd:2011';
const LIVE_PROFILE = 'urn:mpeg:dash:profile:isoff-live:2011';
const MIN_BUFFER_TIME = 'PT2S';

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

function validateEntries(entries: readonly Entry[]): void {
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
    previous = fragment;
  }
}

function segmentTimeline(input: ManifestInput): string {
  const annotate = input.displayFragmentNumber || input.displayFragmentTimestamp;
  const lines: string[] = [];
  const fragments = input.entries.map((e) => e.fragment);
  for (let i = 0; i < fragments.length; i++) {
    const fragment = fragments[i] as TimelineFragment;
    let repeat = 0;
    // Runs of equal, back-to-back durations collapse into S@r, unless each S must carry its own kvs:* values.
    while (!annotate) {
      const next = fragments[i + repeat + 1];
      const end = fragment.startTicks + (repeat + 1) * fragment.durationTicks;
      if (!next || next.durationTicks !== fragment.durationTicks || next.startTicks !== end) break;
      repeat += 1;
    }
    const timestamp = input.selector === 'SERVER_TIMESTAMP' ? fragment.serverTimestampMs : fragment.producerTimestampMs;
    lines.push(
      `<S${attributes([
        ['t', fragment.startTicks],
        ['d', fragment.durationTicks],
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
function peakBandwidth(fragments: readonly TimelineFragment[]): number {
  const rates = fragments.map((f) => (f.durationMs > 0 ? Math.ceil((f.sizeBytes * 8 * 1000) / f.durationMs) : 0));
  return Math.max(1, ...rates);
}

function mediaUrl(file: string, tokenQuery: string, extra: string): string {
  const query = [escapeTemplate(tokenQuery), extra].filter((part) => part !== '').join('&');
  return `${file}?${query}`;
}

export function buildManifest(input: ManifestInput): string {
  validateEntries(input.entries);
  const { clip, entries, type } = input;
  const fragments = entries.map((e) => e.fragment);
  const first = fragments[0] as TimelineFragment;
  const last = fragments[fragments.length - 1] as TimelineFragment;
  const spanSeconds = (last.startTicks + last.durationTicks - first.startTicks) / clip.timescale;
  const longestSeconds = Math.max(...fragments.map((f) => f.durationTicks)) / clip.timescale;

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

  const track = `${TRACK_NUMBER_PARAM}=1`;
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
    `    <AdaptationSet${attributes([
      ['id', '0'],
      ['contentType', 'video'],
      ['mimeType', clip.mimeType],
      ['codecs', clip.codec],
      ['width', clip.width],
      ['height', clip.height],
      ['frameRate', clip.frameRate],
      ['segmentAlignment', 'true'],
      ['startWithSAP', '1'],
    ])}>`,
    `      <SegmentTemplate${attributes([
      ['timescale', clip.timescale],
      ['presentationTimeOffset', type === 'static' ? first.startTicks : undefined],
      ['startNumber', (entries[0] as Entry).number],
      ['initialization', mediaUrl(INIT_FRAGMENT_FILE, input.tokenQuery, track)],
      ['media', mediaUrl(MEDIA_FRAGMENT_FILE, input.tokenQuery, `${track}&${SEQUENCE_NUMBER_PARAM}=$Number$`)],
    ])}>`,
    '        <SegmentTimeline>',
    segmentTimeline(input),
    '        </SegmentTimeline>',
    '      </SegmentTemplate>',
    `      <Representation${attributes([['id', '1'], ['bandwidth', peakBandwidth(fragments)]])}/>`,
    '    </AdaptationSet>',
    '  </Period>',
    '</MPD>',
    '',
  ].join('\n');
}
