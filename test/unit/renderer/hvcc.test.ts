import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annexB, HevcFormatError, parseHvcc, splitLengthPrefixed } from '../../../renderer/src/player/hevc/hvcc';

/** The hvcC record of the committed H.265 demo camera (made by ffmpeg/libx265). */
function rooftopHvcc(): Uint8Array {
  const file = readFileSync(join(import.meta.dirname, '..', '..', '..', 'emulator', 'clips', 'rooftop.mp4'));
  const at = file.indexOf('hvcC', 0, 'latin1');
  return new Uint8Array(file.subarray(at + 4, at - 4 + file.readUInt32BE(at - 4)));
}

describe('hvcC and samples to Annex B', () => {
  it('reads the parameter sets of a real hvcC: VPS, SPS, PPS (NAL types 32, 33, 34), 4-byte lengths', () => {
    const { lengthSize, parameterSets } = parseHvcc(rooftopHvcc());
    expect(lengthSize).toBe(4);
    const types = parameterSets.map((nal) => (nal[0]! >> 1) & 0x3f);
    expect(types.slice(0, 3)).toEqual([32, 33, 34]);
  });

  it('joins NAL units with start codes and splits length-prefixed samples', () => {
    expect(Array.from(annexB([new Uint8Array([0x40, 1]), new Uint8Array([0x42])]))).toEqual([0, 0, 0, 1, 0x40, 1, 0, 0, 0, 1, 0x42]);
    const sample = new Uint8Array([0, 0, 0, 2, 0x26, 0x01, 0, 0, 0, 1, 0x02]);
    expect(splitLengthPrefixed(sample, 4).map((u) => Array.from(u))).toEqual([[0x26, 0x01], [0x02]]);
    expect(splitLengthPrefixed(new Uint8Array([0, 1, 7]), 2).map((u) => Array.from(u))).toEqual([[7]]);
  });

  it('refuses broken input with the place it broke', () => {
    expect(() => parseHvcc(new Uint8Array(10))).toThrow(HevcFormatError);
    const record = rooftopHvcc();
    expect(() => parseHvcc(record.subarray(0, record.length - 5))).toThrow(/runs past the record/);
    const badVersion = record.slice();
    badVersion[0] = 2;
    expect(() => parseHvcc(badVersion)).toThrow(/configurationVersion 2/);
    expect(() => splitLengthPrefixed(new Uint8Array([0, 0, 0, 9, 1, 2]), 4)).toThrow(/9 bytes at offset 4 does not fit the 6-byte sample/);
    expect(() => splitLengthPrefixed(new Uint8Array([0, 0]), 4)).toThrow(/inside a NAL length prefix/);
  });
});
