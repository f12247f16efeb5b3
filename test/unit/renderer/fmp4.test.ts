/**
 * Key-frame extraction and the rest of the canvas player's demuxer, on the emulator's real fragments:
 * fetched over HTTP through live sessions made with the real SDK, exactly what a tile's player gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mp4Error, codecString, keyFrameOf, readInit, readSamples } from '../../../renderer/src/player/canvas/fmp4';
import { fillTemplate, parseManifestTimeline, segmentUrlsOf } from '../../../renderer/src/player/kvs-timeline';
import { videoCodecOf } from '../../../renderer/src/player/codec-support';
import { sessionUrl, startTestEmulator, type Emulator } from '../../integration/emulator/support';

let emulator: Emulator;

beforeAll(async () => {
  ({ emulator } = await startTestEmulator({ codecCameras: true }));
});
afterAll(async () => {
  await emulator?.stop();
});

interface Stream {
  mpd: string;
  manifestUrl: string;
  init: Uint8Array;
  /** The newest listed fragment and its timeline entry. */
  fragment: Uint8Array;
  entry: { startSec: number; durationSec: number; number: number };
  timescale: number;
}

async function get(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  expect(res.status, url.replace(/SessionToken=[^&]+/, 'SessionToken=…')).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

async function liveStream(name: string): Promise<Stream> {
  const manifestUrl = await sessionUrl(emulator, { StreamName: name, PlaybackMode: 'LIVE', Expires: 300, DisplayFragmentTimestamp: 'ALWAYS' });
  const mpd = new TextDecoder().decode(await get(manifestUrl));
  const urls = segmentUrlsOf(mpd);
  const timeline = parseManifestTimeline(mpd);
  if (!urls || !timeline) throw new Error(`unreadable manifest:\n${mpd}`);
  const entry = timeline.fragments[timeline.fragments.length - 1]!;
  const timescale = Number(/<SegmentTemplate[^>]*\btimescale="(\d+)"/.exec(mpd)?.[1]);
  return {
    mpd,
    manifestUrl,
    init: await get(fillTemplate(urls.initialization, 0, manifestUrl)),
    fragment: await get(fillTemplate(urls.media, entry.number, manifestUrl)),
    entry,
    timescale,
  };
}

/** NAL unit types of a length-prefixed (avcC/hvcC) sample. */
function nalTypes(sample: Uint8Array, lengthSize: number, hevc: boolean): number[] {
  const types: number[] = [];
  let at = 0;
  while (at + lengthSize <= sample.length) {
    let length = 0;
    for (let i = 0; i < lengthSize; i++) length = length * 256 + sample[at + i]!;
    const header = sample[at + lengthSize]!;
    types.push(hevc ? (header >> 1) & 0x3f : header & 0x1f);
    at += lengthSize + length;
  }
  expect(at, 'NAL lengths tile the sample exactly').toBe(sample.length);
  return types;
}

describe('the canvas player demuxer on emulator fragments', () => {
  it('reads an H.264 camera: codec, size, timescale, and a key frame that is an IDR picture', async () => {
    const stream = await liveStream('lobby');
    const track = readInit(stream.init);
    expect(track.codec).toBe(videoCodecOf(stream.mpd));
    expect(track.sampleEntry).toBe('avc1');
    expect([track.width, track.height]).toEqual([Number(/width="(\d+)"/.exec(stream.mpd)?.[1]), Number(/height="(\d+)"/.exec(stream.mpd)?.[1])]);
    expect(track.timescale).toBe(stream.timescale);
    expect(track.description?.[0], 'avcC configurationVersion').toBe(1);

    const samples = readSamples(stream.fragment, track);
    const fps = Number(/frameRate="(\d+)"/.exec(stream.mpd)?.[1]);
    expect(samples).toHaveLength(Math.round(stream.entry.durationSec * fps));
    // Sample times sit on the manifest's timeline: the first at S@t, together they last S@d.
    expect(samples[0]!.timeSec).toBeCloseTo(stream.entry.startSec, 6);
    expect(samples.reduce((sum, s) => sum + s.durationSec, 0)).toBeCloseTo(stream.entry.durationSec, 6);
    expect(samples.map((s) => s.key)).toEqual(samples.map((_, i) => i === 0));

    const lengthSize = (track.description![4]! & 3) + 1;
    const key = keyFrameOf(stream.fragment, track)!;
    expect(key.data).toEqual(samples[0]!.data);
    const keyNals = nalTypes(key.data, lengthSize, false);
    expect(keyNals, 'an IDR slice').toContain(5);
    expect(keyNals).not.toContain(1);
    for (const delta of samples.slice(1)) {
      const types = nalTypes(delta.data, lengthSize, false);
      expect(types).toContain(1);
      expect(types).not.toContain(5);
    }
    // The samples are the mdat's payload, end to end.
    const total = samples.reduce((sum, s) => sum + s.data.length, 0);
    const last = samples[samples.length - 1]!;
    expect(last.data.byteOffset + last.data.length - stream.fragment.byteOffset).toBe(stream.fragment.length);
    expect(total).toBeLessThan(stream.fragment.length);
  });

  it('reads an H.265 camera: the codec string KVS lists, and an IRAP key frame', async () => {
    const stream = await liveStream('rooftop');
    const track = readInit(stream.init);
    expect(track.sampleEntry).toBe('hvc1');
    expect(track.codec).toBe(videoCodecOf(stream.mpd));
    const lengthSize = (track.description![21]! & 3) + 1;
    const key = keyFrameOf(stream.fragment, track)!;
    // IRAP pictures are NAL types 16–23 (IDR_W_RADL 19, IDR_N_LP 20, CRA 21).
    expect(nalTypes(key.data, lengthSize, true).some((t) => t >= 16 && t <= 23)).toBe(true);
    const delta = readSamples(stream.fragment, track)[1]!;
    expect(delta.key).toBe(false);
    expect(nalTypes(delta.data, lengthSize, true).some((t) => t >= 16 && t <= 23)).toBe(false);
  });

  it('reads the video track of a camera with sound, and refuses its audio init', async () => {
    const stream = await liveStream('reception');
    const track = readInit(stream.init);
    expect(track.codec).toBe(videoCodecOf(stream.mpd));
    expect(keyFrameOf(stream.fragment, track)?.key).toBe(true);
    const audioInit = /<AdaptationSet[^>]*contentType="audio"[\s\S]*?initialization="([^"]+)"/.exec(stream.mpd)?.[1];
    expect(audioInit).toBeDefined();
    const bytes = await get(fillTemplate(audioInit!.replace(/&amp;/g, '&'), 0, stream.manifestUrl));
    expect(() => readInit(bytes)).toThrow(/no video track/);
  });

  it('fails with the box and offset on a truncated or lying fragment, never reading past it', async () => {
    const stream = await liveStream('loading-dock');
    const track = readInit(stream.init);
    const cut = stream.fragment.slice(0, Math.floor(stream.fragment.length / 2));
    expect(() => readSamples(cut, track)).toThrow(Mp4Error);

    // A trun whose sample_count claims more entries than the box holds.
    const lying = stream.fragment.slice();
    const trun = Buffer.from(lying).indexOf('trun', 0, 'latin1');
    new DataView(lying.buffer).setUint32(trun + 8, 0x00ffffff);
    expect(() => readSamples(lying, track)).toThrow(/trun at byte \d+: sample_count/);

    // A sample size pointing past the end of the fragment.
    const past = stream.fragment.slice();
    const at = Buffer.from(past).indexOf('trun', 0, 'latin1');
    const flags = new DataView(past.buffer).getUint32(at + 4) & 0xffffff;
    expect(flags & 0x200, 'sizes stated per sample').toBeTruthy();
    const firstSize = at + 12 + (flags & 1 ? 4 : 0) + (flags & 4 ? 4 : 0) + (flags & 0x100 ? 4 : 0);
    new DataView(past.buffer).setUint32(firstSize, 0x7fffffff);
    expect(() => keyFrameOf(past, track)).toThrow(/lies outside the fragment/);

    expect(() => readInit(stream.fragment)).toThrow(Mp4Error);
  });
});

describe('codec strings', () => {
  it('derives avc1 from the avcC profile, compatibility and level bytes', () => {
    expect(codecString('avc1', Uint8Array.of(1, 0x64, 0x00, 0x1f, 0xff))).toBe('avc1.64001f');
    expect(codecString('vp09', Uint8Array.of(1, 2, 3))).toBeUndefined();
  });
});
