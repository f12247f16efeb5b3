import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CODEC_SAMPLE_CLIPS } from '../../../emulator/media/clip-loader';
import { readFragmentInfo } from '../../../emulator/media/fragment-info';
import { Mp4FormatError, childBoxes, encodeBox, encodeFullBox, findPath, readBoxes, requirePath } from '../../../emulator/media/mp4-boxes';
import { readMovieTracks } from '../../../emulator/media/track-info';
import { demoClipPath } from './media-fixtures';

const run = promisify(execFile);
const DEMO_SLUGS = ['loading-dock', 'lobby', 'parking-north', 'server-room', 'gate-2', 'warehouse'];

/** What ffprobe (an independent reader) says about the first video stream. */
async function probe(path: string): Promise<{ profile: number; level: number; width: number; height: number; timescale: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,level,time_base,profile', '-of', 'json', path]);
  const stream = (JSON.parse(stdout) as { streams: Array<{ width: number; height: number; level: number; time_base: string; profile: string }> }).streams[0];
  if (!stream) throw new Error(`ffprobe found no video stream in ${path}`);
  const profileIdc: Record<string, number> = { Baseline: 66, 'Constrained Baseline': 66, Main: 77, High: 100 };
  return {
    profile: profileIdc[stream.profile] ?? -1,
    level: stream.level,
    width: stream.width,
    height: stream.height,
    timescale: Number(stream.time_base.split('/')[1]),
  };
}

const u32 = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};

describe('the demo clips, read box by box', () => {
  it.each(DEMO_SLUGS)('%s: an H.264 track whose codec string, size and timescale match ffprobe', async (slug) => {
    const bytes = new Uint8Array(await readFile(demoClipPath(slug)));
    const top = readBoxes(bytes);
    expect(top.slice(0, 2).map((b) => b.type)).toEqual(['ftyp', 'moov']);
    const tracks = readMovieTracks(bytes, top[1]!);
    const expected = await probe(demoClipPath(slug));
    expect(tracks.handlers).toEqual(['vide']);
    expect(tracks.fragmented).toBe(true);
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    expect(tracks.video?.codec).toMatch(new RegExp(`^avc1\\.${hex(expected.profile)}[0-9a-f]{2}${hex(expected.level)}$`));
    expect(tracks.video).toMatchObject({ width: expected.width, height: expected.height, timescale: expected.timescale, sampleEntryType: 'avc1' });
  });

  it.each(DEMO_SLUGS)('%s: ten fragments, each one 2 s GOP of 50 frames opening on a key frame', async (slug) => {
    const bytes = new Uint8Array(await readFile(demoClipPath(slug)));
    const top = readBoxes(bytes);
    const track = readMovieTracks(bytes, top[1]!).video!;
    const moofs = top.filter((b) => b.type === 'moof');
    expect(moofs).toHaveLength(10);
    let expectedStart = 0;
    for (const moof of moofs) {
      const mdat = top[top.indexOf(moof) + 1]!;
      expect(mdat.type).toBe('mdat');
      const info = readFragmentInfo(bytes, track.trex, moof.start, mdat.end);
      expect(info.sampleCount).toBe(50);
      expect(info.durationTicks).toBe(2 * track.timescale);
      expect(info.startsWithSyncSample).toBe(true);
      expect(info.baseMediaDecodeTime).toBe(expectedStart);
      expectedStart += info.durationTicks;
    }
  });

  it('reads the nested path moov/trak/mdia/minf/stbl/stsd/avc1/avcC and moof/traf/tfdt', async () => {
    const bytes = new Uint8Array(await readFile(demoClipPath('lobby')));
    const avcC = findPath(bytes, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1', 'avcC']);
    expect(avcC?.type).toBe('avcC');
    expect(bytes[avcC!.payloadStart]).toBe(1); // configurationVersion
    expect(findPath(bytes, ['moof', 'traf', 'tfdt'])?.type).toBe('tfdt');
    expect(findPath(bytes, ['moov', 'trak', 'nope'])).toBeUndefined();
  });

  it('names H.265 and MPEG-4 Part 2 samples by their own codec strings', async () => {
    const hevc = new Uint8Array(await readFile(CODEC_SAMPLE_CLIPS.hevc));
    const mpeg4 = new Uint8Array(await readFile(CODEC_SAMPLE_CLIPS.mpeg4Part2));
    expect(readMovieTracks(hevc, requirePath(hevc, ['moov'])).video?.codec).toMatch(/^hvc1\.1\.6\.L\d+/);
    expect(readMovieTracks(mpeg4, requirePath(mpeg4, ['moov'])).video?.codec).toBe('mp4v');
  });
});

describe('box sizes from untrusted bytes', () => {
  it('reads 64-bit sizes and size 0 (to the end)', () => {
    const large = new Uint8Array(16 + 3);
    const view = new DataView(large.buffer);
    view.setUint32(0, 1);
    large.set([...'free'].map((c) => c.charCodeAt(0)), 4);
    view.setBigUint64(8, BigInt(large.length));
    const toEnd = encodeBox('mdat', new Uint8Array(5));
    new DataView(toEnd.buffer).setUint32(0, 0);
    const boxes = readBoxes(new Uint8Array([...large, ...toEnd]));
    expect(boxes.map((b) => [b.type, b.start, b.payloadStart, b.end])).toEqual([
      ['free', 0, 16, 19],
      ['mdat', 19, 27, 32],
    ]);
  });

  it('a box that claims more bytes than remain is a truncation naming the box and offset', () => {
    const cut = new Uint8Array([...encodeBox('ftyp', new Uint8Array(8)), ...encodeBox('moof', new Uint8Array(40)).subarray(0, 20)]);
    const error = (() => {
      try {
        readBoxes(cut);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Mp4FormatError);
    expect(error).toMatchObject({ boxType: 'moof', offset: 16, truncated: true });
    expect((error as Error).message).toMatch(/box 'moof' at byte 16/);
  });

  it('a child that overruns its parent is a lie, not a truncation', () => {
    const lying = encodeBox('moov', u32(100), new Uint8Array([...'trak'].map((c) => c.charCodeAt(0))));
    const file = new Uint8Array([...lying, ...encodeBox('free')]);
    const moov = readBoxes(file)[0]!;
    expect(() => childBoxes(file, moov)).toThrow(Mp4FormatError);
    expect(() => childBoxes(file, moov)).toThrow(/box 'trak' at byte 8/);
  });

  it('rejects a size smaller than the header, and stray bytes after the last box', () => {
    const tiny = encodeBox('free');
    new DataView(tiny.buffer).setUint32(0, 4);
    expect(() => readBoxes(tiny)).toThrow(/smaller than its own 8-byte header/);
    expect(() => readBoxes(new Uint8Array([...encodeBox('free'), 1, 2, 3]))).toThrow(/3 stray bytes/);
  });

  it('a trun whose sample count outruns its box fails before reading samples', () => {
    const trun = encodeFullBox('trun', 0, 0x100, u32(1_000_000));
    const fragment = new Uint8Array([
      ...encodeBox('moof', encodeFullBox('mfhd', 0, 0, u32(1)), encodeBox('traf', encodeFullBox('tfhd', 0, 0, u32(1)), encodeFullBox('tfdt', 0, 0, u32(0)), trun)),
      ...encodeBox('mdat'),
    ]);
    expect(() => readFragmentInfo(fragment)).toThrow(/sample_count 1000000 needs more bytes than the box holds \(box 'trun'/);
  });

  it('a field read past the end of a short full box names that box', () => {
    const fragment = new Uint8Array([...encodeBox('moof', encodeFullBox('mfhd', 0, 0)), ...encodeBox('mdat')]);
    expect(() => readFragmentInfo(fragment)).toThrow(/sequence_number .* runs past the end of the box \(box 'mfhd' at byte 8\)/);
  });
});
