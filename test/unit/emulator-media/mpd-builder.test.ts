import { parse, stringToMpdXml } from 'mpd-parser/dist/mpd-parser.cjs.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Clip, KVS_MPD_NAMESPACE, type ManifestInput, type Timeline, type TimelineFragment } from '../../../emulator/media/api';
import { buildManifest } from '../../../emulator/media/mpd-builder';
import { createTimeline } from '../../../emulator/media/timeline';
import { demoClip } from './media-fixtures';

const ORIGIN = Date.UTC(2025, 2, 1, 12, 0, 0);
const MANIFEST_URI = 'http://127.0.0.1:4567/dash/v1/getDASHManifest.mpd?SessionToken=tok';

let clip: Clip;
let timeline: Timeline;

beforeAll(async () => {
  clip = await demoClip('warehouse');
  timeline = createTimeline(clip, { originMs: ORIGIN, fragmentNumberSeed: 'Warehouse' });
});

function input(overrides: Partial<ManifestInput> & Pick<ManifestInput, 'entries' | 'nowMs'>): ManifestInput {
  return {
    type: 'dynamic',
    clip,
    tokenQuery: 'SessionToken=Ci-abc_123~',
    originMs: ORIGIN,
    displayFragmentNumber: false,
    displayFragmentTimestamp: false,
    selector: 'PRODUCER_TIMESTAMP',
    minimumUpdatePeriodSeconds: 1,
    ...overrides,
  };
}

const numbered = (fragments: readonly TimelineFragment[], first: number) => fragments.map((fragment, i) => ({ number: first + i, fragment }));
/** xmldom's node lists are array-like but not iterable. */
function elements(parent: Element, tag: string): Element[] {
  const list = parent.getElementsByTagName(tag);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as Element);
}

const sequenceNumberOf = (uri: string) => Number(new URL(uri, MANIFEST_URI).searchParams.get('FragmentSequenceNumber'));

describe('a dynamic (LIVE) manifest', () => {
  it('parses as a live DASH presentation whose segments are the listed fragments at their tfdt times', () => {
    const now = ORIGIN + 90 * 60_000 + 700;
    const newest = timeline.newest(5, now);
    const xml = buildManifest(input({ entries: numbered(newest, 17), nowMs: now }));
    const manifest = parse(xml, { manifestUri: MANIFEST_URI, NOW: now });

    expect(manifest.playlists).toHaveLength(1);
    const playlist = manifest.playlists[0]!;
    expect(playlist.endList).toBe(false);
    expect(playlist.attributes.CODECS).toBe(clip.codec);
    expect(playlist.attributes.RESOLUTION).toEqual({ width: 640, height: 360 });
    expect(playlist.segments.map((s) => sequenceNumberOf(s.uri))).toEqual([17, 18, 19, 20, 21]);
    // Period start 0 + availabilityStartTime at the origin: presentation time = tfdt / timescale.
    expect(playlist.segments.map((s) => s.presentationTime)).toEqual(newest.map((f) => f.startTicks / clip.timescale));
    expect(playlist.segments.map((s) => s.duration)).toEqual(newest.map((f) => f.durationTicks / clip.timescale));
    expect(playlist.segments[0]!.map?.uri).toBe('getMP4InitFragment.mp4?SessionToken=Ci-abc_123~&TrackNumber=1');

    const mpd = stringToMpdXml(xml);
    expect(mpd.getAttribute('type')).toBe('dynamic');
    expect(mpd.getAttribute('availabilityStartTime')).toBe(new Date(ORIGIN).toISOString());
    expect(mpd.getAttribute('publishTime')).toBe(new Date(now).toISOString());
    expect(mpd.getAttribute('timeShiftBufferDepth')).toBe('PT10S');
    expect(mpd.getAttribute('maxSegmentDuration')).toBe('PT2S');
    expect(elements(mpd, 'Period')[0]!.hasAttribute('duration')).toBe(false);
  });

  it('puts kvs:fn and kvs:ts on every S, in the declared kvs namespace, with the selected timestamp', () => {
    const now = ORIGIN + 3 * 3_600_000;
    const newest = timeline.newest(5, now);
    for (const selector of ['PRODUCER_TIMESTAMP', 'SERVER_TIMESTAMP'] as const) {
      const xml = buildManifest(input({ entries: numbered(newest, 1), nowMs: now, displayFragmentNumber: true, displayFragmentTimestamp: true, selector }));
      const mpd = stringToMpdXml(xml);
      expect(mpd.getAttribute('xmlns:kvs')).toBe(KVS_MPD_NAMESPACE);
      const segments = elements(mpd, 'S');
      expect(segments).toHaveLength(5);
      segments.forEach((s, i) => {
        const fragment = newest[i]!;
        expect(s.getAttribute('t')).toBe(String(fragment.startTicks));
        expect(s.hasAttribute('r')).toBe(false);
        expect(s.getAttributeNS(KVS_MPD_NAMESPACE, 'fn')).toBe(fragment.fragmentNumber);
        const expectedTs = selector === 'SERVER_TIMESTAMP' ? fragment.serverTimestampMs : fragment.producerTimestampMs;
        expect(s.getAttributeNS(KVS_MPD_NAMESPACE, 'ts')).toBe(String(expectedTs));
      });
    }
  });

  it('leaves the kvs attributes out when not asked, and collapses equal runs into S@r', () => {
    const now = ORIGIN + 3 * 3_600_000;
    const xml = buildManifest(input({ entries: numbered(timeline.newest(5, now), 1), nowMs: now }));
    expect(xml).not.toMatch(/kvs:(fn|ts)=/);
    const segments = elements(stringToMpdXml(xml), 'S');
    expect(segments.map((s) => s.getAttribute('r'))).toEqual(['4']);
    expect(parse(xml, { manifestUri: MANIFEST_URI, NOW: now }).playlists[0]!.segments).toHaveLength(5);
  });

  it('shows a gap (a stopped camera) as a jump in S@t that a parser keeps', () => {
    const stopped = createTimeline(clip, { originMs: ORIGIN });
    stopped.stop(ORIGIN + 20_500);
    stopped.resume(ORIGIN + 40_500);
    const now = ORIGIN + 50_000;
    const newest = stopped.newest(5, now);
    const xml = buildManifest(input({ entries: numbered(newest, 3), nowMs: now }));
    const segments = parse(xml, { manifestUri: MANIFEST_URI, NOW: now }).playlists[0]!.segments;
    expect(segments.map((s) => s.presentationTime)).toEqual(newest.map((f) => f.startTicks / clip.timescale));
    // Stopped over 20.5–40.5 s: the GOP at 20 s started before the stop; the next one that exists starts at 42 s.
    expect(segments.map((s) => s.presentationTime)).toEqual([18, 20, 42, 44, 46]);
    expect(segments.map((s) => sequenceNumberOf(s.uri))).toEqual([3, 4, 5, 6, 7]);
  });

  it('escapes the token for XML and for the URL template, so it comes back unchanged', () => {
    const now = ORIGIN + 60_000;
    const token = 'SessionToken=a&b<c>"d"$e';
    const xml = buildManifest(input({ entries: numbered(timeline.newest(2, now), 1), nowMs: now, tokenQuery: token }));
    const manifest = parse(xml, { manifestUri: MANIFEST_URI, NOW: now });
    expect(manifest.playlists[0]!.segments[0]!.uri).toBe(`getMP4MediaFragment.mp4?${token}&TrackNumber=1&FragmentSequenceNumber=1`);
  });
});

describe('a static (ON_DEMAND) manifest', () => {
  it('starts its presentation at the first listed fragment and lasts exactly the listed span', () => {
    const now = ORIGIN + 10 * 3_600_000;
    const from = ORIGIN + 2 * 3_600_000;
    const fragments = timeline.fragmentsBetween(from, from + 60_000, 'PRODUCER_TIMESTAMP', now);
    expect(fragments).toHaveLength(30);
    const xml = buildManifest(input({ type: 'static', entries: numbered(fragments, 1), nowMs: now, displayFragmentTimestamp: true }));
    const manifest = parse(xml, { manifestUri: MANIFEST_URI });
    const segments = manifest.playlists[0]!.segments;

    expect(manifest.playlists[0]!.endList).toBe(true);
    expect(segments).toHaveLength(30);
    expect(segments.map((s) => sequenceNumberOf(s.uri))).toEqual(fragments.map((_, i) => i + 1));
    const firstTicks = fragments[0]!.startTicks;
    expect(segments.map((s) => s.presentationTime)).toEqual(fragments.map((f) => (f.startTicks - firstTicks) / clip.timescale));

    const mpd = stringToMpdXml(xml);
    expect(mpd.getAttribute('type')).toBe('static');
    expect(mpd.getAttribute('mediaPresentationDuration')).toBe('PT60S');
    expect(mpd.hasAttribute('minimumUpdatePeriod')).toBe(false);
    const template = elements(mpd, 'SegmentTemplate')[0]!;
    expect(template.getAttribute('presentationTimeOffset')).toBe(String(firstTicks));
    expect(elements(mpd, 'S')[0]!.getAttribute('t')).toBe(String(firstTicks));
  });
});

describe('a manifest of a camera with sound', () => {
  /** The one audio playlist mpd-parser finds, whatever it labels it. */
  const audioPlaylist = (xml: string, now?: number) => {
    const groups = Object.values(parse(xml, { manifestUri: MANIFEST_URI, ...(now === undefined ? {} : { NOW: now }) }).mediaGroups.AUDIO);
    const playlists = groups.flatMap((group) => Object.values(group)).flatMap((rendition) => rendition.playlists);
    expect(playlists).toHaveLength(1);
    return playlists[0]!;
  };

  it.each([
    ['reception', 'mp4a.40.2'],
    ['intercom', 'alaw'],
  ])('%s: video first, then an audio AdaptationSet (%s) listing the same fragments in its own timescale', async (slug, codec) => {
    const withSound = await demoClip(slug);
    const audio = withSound.audio!;
    const soundTimeline = createTimeline(withSound, { originMs: ORIGIN, fragmentNumberSeed: slug });
    const now = ORIGIN + 90 * 60_000 + 700;
    const newest = soundTimeline.newest(5, now);
    const xml = buildManifest(input({ clip: withSound, entries: numbered(newest, 8), nowMs: now }));

    const sets = elements(stringToMpdXml(xml), 'AdaptationSet');
    expect(sets.map((set) => [set.getAttribute('contentType'), set.getAttribute('mimeType'), set.getAttribute('codecs')])).toEqual([
      ['video', 'video/mp4', withSound.codec],
      ['audio', 'audio/mp4', codec],
    ]);
    expect(sets[1]!.getAttribute('audioSamplingRate')).toBe(String(audio.sampleRate));
    expect(elements(sets[1]!, 'AudioChannelConfiguration')[0]!.getAttribute('value')).toBe('1');
    expect(elements(sets[1]!, 'SegmentTemplate')[0]!.getAttribute('timescale')).toBe(String(audio.timescale));

    const sound = audioPlaylist(xml, now);
    expect(sound.attributes.CODECS).toBe(codec);
    expect(sound.segments.map((s) => sequenceNumberOf(s.uri))).toEqual([8, 9, 10, 11, 12]);
    expect(sound.segments.every((s) => new URL(s.uri, MANIFEST_URI).searchParams.get('TrackNumber') === '2')).toBe(true);
    expect(sound.segments[0]!.map?.uri).toBe('getMP4InitFragment.mp4?SessionToken=Ci-abc_123~&TrackNumber=2');
    expect(sound.segments.map((s) => s.presentationTime)).toEqual(newest.map((f) => f.audio!.startTicks / audio.timescale));
    // Both tracks start each fragment at the same moment (the audio within one of its packets).
    newest.forEach((f) => expect(Math.abs(f.audio!.startTicks / audio.timescale - f.startTicks / withSound.timescale)).toBeLessThan(0.05));
    const video = parse(xml, { manifestUri: MANIFEST_URI, NOW: now }).playlists;
    expect(video).toHaveLength(1);
    expect(video[0]!.segments.map((s) => sequenceNumberOf(s.uri))).toEqual([8, 9, 10, 11, 12]);
  });

  it('starts a static presentation of both tracks at the first listed fragment', async () => {
    const withSound = await demoClip('reception');
    const soundTimeline = createTimeline(withSound, { originMs: ORIGIN });
    const now = ORIGIN + 10 * 3_600_000;
    const fragments = soundTimeline.fragmentsBetween(ORIGIN + 3_600_000, ORIGIN + 3_600_000 + 20_000, 'PRODUCER_TIMESTAMP', now);
    const xml = buildManifest(input({ type: 'static', clip: withSound, entries: numbered(fragments, 1), nowMs: now }));
    const templates = elements(stringToMpdXml(xml), 'SegmentTemplate');
    expect(templates.map((t) => t.getAttribute('presentationTimeOffset'))).toEqual([String(fragments[0]!.startTicks), String(fragments[0]!.audio!.startTicks)]);
    expect(audioPlaylist(xml).segments[0]!.presentationTime).toBe(0);
  });

  it('throws when a fragment of a stream with sound has no audio timing', async () => {
    const withSound = await demoClip('intercom');
    const now = ORIGIN + 60_000;
    const [first] = createTimeline(withSound, { originMs: ORIGIN }).newest(1, now);
    const { audio: _dropped, ...silent } = first!;
    expect(() => buildManifest(input({ clip: withSound, entries: [{ number: 1, fragment: silent }], nowMs: now }))).toThrow(/no audio timing/);
  });
});

describe('entries that would make a wrong manifest', () => {
  const now = ORIGIN + 3_600_000;

  it('throws on a gap or a repeat in sequence numbers', () => {
    const fragments = timeline.newest(3, now);
    const gap = [{ number: 1, fragment: fragments[0]! }, { number: 3, fragment: fragments[1]! }];
    expect(() => buildManifest(input({ entries: gap, nowMs: now }))).toThrow(/consecutive: entry 1 is 3, expected 2/);
    const repeat = [{ number: 4, fragment: fragments[0]! }, { number: 4, fragment: fragments[1]! }];
    expect(() => buildManifest(input({ entries: repeat, nowMs: now }))).toThrow(/consecutive/);
  });

  it('throws on fragments out of order, and on an empty list', () => {
    const [a, b] = timeline.newest(2, now);
    expect(() => buildManifest(input({ entries: [{ number: 1, fragment: b! }, { number: 2, fragment: a! }], nowMs: now }))).toThrow(/before fragment/);
    expect(() => buildManifest(input({ entries: [], nowMs: now }))).toThrow(/at least one fragment/);
  });
});
