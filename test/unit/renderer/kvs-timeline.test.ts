import { describe, expect, it } from 'vitest';
import { CameraClock, fillTemplate, parseIsoDuration, parseManifestTimeline, segmentUrlsOf } from '../../../renderer/src/player/kvs-timeline';

const MPD = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:kvs="urn:aws:kinesisvideo:dash:2017" type="dynamic" minimumUpdatePeriod="PT1S">
  <Period id="0" start="PT0S">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="12800" startNumber="7" initialization="init.mp4" media="frag.mp4?n=$Number$">
        <SegmentTimeline>
          <S t="25600" d="25600" kvs:ts="1700000002000"/>
          <S d="25600" kvs:ts="1700000004000"/>
          <S t="102400" d="25600" r="1" kvs:ts="1700000010000"/>
        </SegmentTimeline>
      </SegmentTemplate>
      <Representation id="v" codecs="avc1.64001e" width="640" height="360" bandwidth="800000"/>
    </AdaptationSet>
  </Period>
</MPD>`;

describe('parseManifestTimeline', () => {
  it('lists every fragment with its media time and kvs:ts, expanding repeats', () => {
    const timeline = parseManifestTimeline(MPD)!;
    expect(timeline.dynamic).toBe(true);
    expect(timeline.fragments.map((f) => [f.startSec, f.durationSec, f.timestampMs])).toEqual([
      [2, 2, 1700000002000],
      [4, 2, 1700000004000],
      [8, 2, 1700000010000],
      [10, 2, 1700000012000],
    ]);
    expect(timeline.newestEndSec).toBe(12);
  });

  it("numbers fragments from the template's startNumber, repeats included", () => {
    expect(parseManifestTimeline(MPD)!.fragments.map((f) => f.number)).toEqual([7, 8, 9, 10]);
    expect(parseManifestTimeline(MPD.replace('startNumber="7" ', ''))!.fragments.map((f) => f.number)).toEqual([1, 2, 3, 4]);
  });

  it('gives the video template URLs with entities decoded, and fills $Number$ and $$', () => {
    const mpd = MPD.replace('media="frag.mp4?n=$Number$"', () => 'media="frag.mp4?Token=a$$b&amp;n=$Number$&amp;w=$Number%05d$"');
    expect(segmentUrlsOf(mpd)).toEqual({ initialization: 'init.mp4', media: 'frag.mp4?Token=a$$b&n=$Number$&w=$Number%05d$' });
    expect(fillTemplate(segmentUrlsOf(mpd)!.media, 42, 'http://127.0.0.1:9/dash/v1/getDASHManifest.mpd?Token=x')).toBe('http://127.0.0.1:9/dash/v1/frag.mp4?Token=a$b&n=42&w=00042');
    expect(segmentUrlsOf(MPD.replace(/<SegmentTemplate[^>]*>/, '<SegmentTemplate timescale="1">'))).toBeUndefined();
  });

  it('reads timestamps given in epoch seconds', () => {
    const timeline = parseManifestTimeline(MPD.replace('kvs:ts="1700000002000"', 'kvs:ts="1700000002.5"'))!;
    expect(timeline.fragments[0]!.timestampMs).toBe(1700000002500);
  });

  it('applies the period start and presentationTimeOffset', () => {
    const shifted = MPD.replace('start="PT0S"', 'start="PT10S"').replace('timescale="12800"', 'timescale="12800" presentationTimeOffset="25600"');
    expect(parseManifestTimeline(shifted)!.fragments[0]!.startSec).toBe(10);
  });

  it('returns undefined for something that is not a segment-timeline manifest', () => {
    expect(parseManifestTimeline('<html></html>')).toBeUndefined();
  });

  it('parses ISO durations', () => {
    expect(parseIsoDuration('PT1H2M3.5S')).toBe(3723.5);
    expect(parseIsoDuration('P1DT1S')).toBe(86401);
    expect(parseIsoDuration(undefined)).toBe(0);
  });
});

describe('CameraClock', () => {
  it('maps a media time inside a fragment to the camera clock', () => {
    const clock = new CameraClock();
    clock.update(parseManifestTimeline(MPD)!);
    expect(clock.cameraTimeAt(9.5)).toBe(1700000011500);
    expect(clock.cameraTimeAt(2)).toBe(1700000002000);
    // A gap in the timeline has no camera time.
    expect(clock.cameraTimeAt(7)).toBeUndefined();
  });

  it('keeps fragments that slid out of the newest manifest', () => {
    const clock = new CameraClock();
    clock.update(parseManifestTimeline(MPD)!);
    clock.update(parseManifestTimeline(MPD.replace(/<S t="25600"[^>]*\/>\s*<S d="25600"[^>]*\/>/, ''))!);
    expect(clock.cameraTimeAt(3)).toBe(1700000003000);
  });
});
