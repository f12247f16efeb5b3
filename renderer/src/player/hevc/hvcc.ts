/**
 * HEVC bitstream plumbing between MP4 and a decoder that reads Annex B (start codes): the parameter
 * sets of an `hvcC` record (ISO/IEC 14496-15 §8.3.3) and length-prefixed samples.
 */

export class HevcFormatError extends Error {
  override readonly name = 'HevcFormatError';
}

const START_CODE = [0, 0, 0, 1] as const;

export interface HvccRecord {
  /** Bytes of each NAL unit's length prefix in samples (1, 2 or 4). */
  lengthSize: number;
  /** VPS, SPS, PPS (and any SEI arrays) in record order. */
  parameterSets: Uint8Array[];
}

/** Reads an hvcC payload (the box body, as WebCodecs' `description`). */
export function parseHvcc(record: Uint8Array): HvccRecord {
  if (record.length < 23) throw new HevcFormatError(`hvcC record too short (${record.length} bytes, at least 23)`);
  if (record[0] !== 1) throw new HevcFormatError(`hvcC configurationVersion ${record[0]} (expected 1)`);
  const lengthSize = (record[21]! & 0x03) + 1;
  if (lengthSize === 3) throw new HevcFormatError('hvcC lengthSizeMinusOne 2 is not allowed');
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const arrays = record[22]!;
  const parameterSets: Uint8Array[] = [];
  let at = 23;
  for (let a = 0; a < arrays; a++) {
    if (at + 3 > record.length) throw new HevcFormatError(`hvcC array ${a} header runs past the record (offset ${at})`);
    const count = view.getUint16(at + 1);
    at += 3;
    for (let n = 0; n < count; n++) {
      if (at + 2 > record.length) throw new HevcFormatError(`hvcC NAL unit ${a}.${n} length runs past the record (offset ${at})`);
      const size = view.getUint16(at);
      at += 2;
      if (at + size > record.length) throw new HevcFormatError(`hvcC NAL unit ${a}.${n} (${size} bytes) runs past the record (offset ${at})`);
      parameterSets.push(record.subarray(at, at + size));
      at += size;
    }
  }
  return { lengthSize, parameterSets };
}

/** NAL units joined with 4-byte start codes. */
export function annexB(units: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(units.reduce((sum, u) => sum + 4 + u.length, 0));
  let at = 0;
  for (const u of units) {
    out.set(START_CODE, at);
    out.set(u, at + 4);
    at += 4 + u.length;
  }
  return out;
}

/** A length-prefixed sample's NAL units (views into `sample`). */
export function splitLengthPrefixed(sample: Uint8Array, lengthSize: number): Uint8Array[] {
  const units: Uint8Array[] = [];
  let at = 0;
  while (at < sample.length) {
    if (at + lengthSize > sample.length) throw new HevcFormatError(`sample ends inside a NAL length prefix (offset ${at} of ${sample.length})`);
    let size = 0;
    for (let i = 0; i < lengthSize; i++) size = size * 256 + sample[at + i]!;
    at += lengthSize;
    if (size === 0 || at + size > sample.length) throw new HevcFormatError(`NAL unit of ${size} bytes at offset ${at} does not fit the ${sample.length}-byte sample`);
    units.push(sample.subarray(at, at + size));
    at += size;
  }
  return units;
}
