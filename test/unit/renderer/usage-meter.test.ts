import { describe, expect, it } from 'vitest';
import { UsageMeter, kvsRequestKind } from '../../../renderer/src/player/usage-meter';

describe('usage meter', () => {
  it('knows the KVS GETs by their file names and nothing else', () => {
    const base = 'https://b-1234.kinesisvideo.us-west-2.amazonaws.com/dash/v1/';
    expect(kvsRequestKind(`${base}getDASHManifest.mpd?SessionToken=abc`)).toBe('manifests');
    expect(kvsRequestKind(`${base}getMP4InitFragment.mp4?SessionToken=abc&TrackNumber=2`)).toBe('inits');
    expect(kvsRequestKind(`${base}getMP4MediaFragment.mp4?SessionToken=abc&FragmentNumber=9`)).toBe('fragments');
    expect(kvsRequestKind('https://time.example/utc')).toBeUndefined();
    expect(kvsRequestKind('not a url')).toBeUndefined();
  });

  it('counts per session and starts again at zero after each take', () => {
    const meter = new UsageMeter();
    meter.request('s1', 'manifests');
    meter.request('s1', 'fragments');
    meter.request('s1', 'fragments');
    meter.request('s2', 'inits');
    expect(meter.take()).toEqual([
      { sessionId: 's1', manifests: 1, inits: 0, fragments: 2, throttled: 0 },
      { sessionId: 's2', manifests: 0, inits: 1, fragments: 0, throttled: 0 },
    ]);
    expect(meter.take()).toEqual([]);
  });

  it('tells only the first throttle of a burst; a burst ends with any other answer', () => {
    const meter = new UsageMeter();
    expect(meter.throttled('s1')).toBe(true);
    expect(meter.throttled('s1')).toBe(false);
    expect(meter.throttled('s2')).toBe(true);
    meter.answered('s1');
    expect(meter.throttled('s1')).toBe(true);
    expect(meter.take().map((u) => [u.sessionId, u.throttled])).toEqual([
      ['s1', 3],
      ['s2', 1],
    ]);
  });
});
