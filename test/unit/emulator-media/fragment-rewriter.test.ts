import { describe, expect, it } from 'vitest';
import { readFragmentInfo } from '../../../emulator/media/fragment-info';
import { rewriteFragment } from '../../../emulator/media/fragment-rewriter';
import { Mp4FormatError, encodeBox, encodeFullBox, findPath, readBoxes } from '../../../emulator/media/mp4-boxes';
import { demoClip } from './media-fixtures';

const u32 = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};

/** A minimal single-sample fragment with version-0 (32-bit) tfdt and sidx, as some muxers write them. */
function version0Fragment(decodeTime: number, presentationTime: number): Uint8Array {
  const sidx = encodeFullBox('sidx', 0, 0, u32(1), u32(1000), u32(presentationTime), u32(0), new Uint8Array(4), u32(0), u32(0), u32(0));
  const tfhd = encodeFullBox('tfhd', 0, 0x8, u32(1), u32(40));
  const trun = encodeFullBox('trun', 0, 0x4, u32(1), u32(0));
  const moof = encodeBox('moof', encodeFullBox('mfhd', 0, 0, u32(7)), encodeBox('traf', tfhd, encodeFullBox('tfdt', 0, 0, u32(decodeTime)), trun));
  return new Uint8Array([...sidx, ...moof, ...encodeBox('mdat', new Uint8Array([9, 8, 7, 6]))]);
}

function mdatOf(bytes: Uint8Array): Uint8Array {
  const mdat = readBoxes(bytes).find((b) => b.type === 'mdat');
  if (!mdat) throw new Error('no mdat');
  return bytes.subarray(mdat.start, mdat.end);
}

describe('rewriteFragment on a real ffmpeg fragment', () => {
  it('sets tfdt, mfhd and sidx, keeps the media bytes, and leaves the source untouched', async () => {
    const clip = await demoClip('loading-dock');
    const source = clip.fragments[3]!.data;
    const before = source.slice();
    const original = readFragmentInfo(source);
    expect(original.sidx).toBeDefined();

    // Beyond 2^32 ticks, so the 64-bit (version 1) fields are really exercised.
    const decodeTime = 5_000_000_000_123;
    const rewritten = rewriteFragment(source, { baseMediaDecodeTime: decodeTime, sequenceNumber: 123_456 });
    const info = readFragmentInfo(rewritten);

    expect(info.baseMediaDecodeTime).toBe(decodeTime);
    expect(info.sequenceNumber).toBe(123_456);
    expect(info.sidx?.earliestPresentationTime).toBe(decodeTime + (original.sidx!.earliestPresentationTime - original.baseMediaDecodeTime));
    expect(info.durationTicks).toBe(original.durationTicks);
    expect(rewritten.length).toBe(source.length);
    expect(Buffer.from(mdatOf(rewritten)).equals(Buffer.from(mdatOf(source)))).toBe(true);
    expect(Buffer.from(source).equals(Buffer.from(before))).toBe(true);
    expect(rewritten.buffer).not.toBe(source.buffer);
  });

  it('changes no byte outside the three fields', async () => {
    const clip = await demoClip('lobby');
    const source = clip.fragments[0]!.data;
    const rewritten = rewriteFragment(source, { baseMediaDecodeTime: 0x0102030405, sequenceNumber: 0x0a0b0c0d });
    const field = (path: string[], skip: number, width: number): [number, number] => {
      const box = findPath(source, path)!;
      return [box.payloadStart + skip, box.payloadStart + skip + width];
    };
    // Version-1 layouts: mfhd sequence after version/flags; tfdt time after version/flags; sidx time after reference_ID and timescale.
    const fields = [field(['moof', 'mfhd'], 4, 4), field(['moof', 'traf', 'tfdt'], 4, 8), field(['sidx'], 12, 8)];
    const changed = [...rewritten.keys()].filter((i) => rewritten[i] !== source[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((i) => !fields.some(([from, to]) => i >= from && i < to))).toEqual([]);
  });
});

describe('rewriteFragment on version-0 boxes', () => {
  it('writes 32-bit tfdt and sidx times that fit', () => {
    const source = version0Fragment(1000, 1040);
    const info = readFragmentInfo(rewriteFragment(source, { baseMediaDecodeTime: 4_000_000_000, sequenceNumber: 2 }));
    expect(info).toMatchObject({ baseMediaDecodeTime: 4_000_000_000, sequenceNumber: 2, sidx: { earliestPresentationTime: 4_000_000_040 } });
  });

  it('refuses a time that a 32-bit field cannot hold rather than wrapping it', () => {
    const source = version0Fragment(0, 0);
    expect(() => rewriteFragment(source, { baseMediaDecodeTime: 2 ** 32, sequenceNumber: 1 })).toThrow(Mp4FormatError);
    expect(() => rewriteFragment(source, { baseMediaDecodeTime: 2 ** 32, sequenceNumber: 1 })).toThrow(/version-0 \(32-bit\).*box 'tfdt'/);
  });

  it('rejects sequence numbers outside mfhd’s 32-bit range and negative times', () => {
    const source = version0Fragment(0, 0);
    expect(() => rewriteFragment(source, { baseMediaDecodeTime: 0, sequenceNumber: 0 })).toThrow(RangeError);
    expect(() => rewriteFragment(source, { baseMediaDecodeTime: 0, sequenceNumber: 2 ** 32 })).toThrow(RangeError);
    expect(() => rewriteFragment(source, { baseMediaDecodeTime: -1, sequenceNumber: 1 })).toThrow(RangeError);
  });

  it('refuses bytes that are not a single fragment', () => {
    expect(() => rewriteFragment(encodeBox('mdat'), { baseMediaDecodeTime: 0, sequenceNumber: 1 })).toThrow(/expected exactly one moof, found 0/);
  });
});
