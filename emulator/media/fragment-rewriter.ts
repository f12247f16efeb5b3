/**
 * Places a cached clip fragment on a live timeline: a copy of it with new decode time (tfdt), sequence
 * number (mfhd) and, when present, segment-index time (sidx). Only fixed-size fields change, so every
 * size and data offset in the fragment stays valid and the media bytes are untouched.
 */
import { type Box, BoxReader, Mp4FormatError, childBoxes, readBoxes } from './mp4-boxes';

export interface FragmentPlacement {
  /** New tfdt.baseMediaDecodeTime, in the track timescale. */
  readonly baseMediaDecodeTime: number;
  /** New mfhd.sequence_number (1-based, 32-bit). */
  readonly sequenceNumber: number;
}

const UINT32_LIMIT = 2 ** 32;

interface Field {
  readonly box: Box;
  readonly offset: number;
  readonly wide: boolean;
}

function versionedTimeField(bytes: Uint8Array, box: Box, skipBeforeTime: number): Field {
  const reader = new BoxReader(bytes, box);
  const { version } = reader.fullBoxHeader();
  reader.skip(skipBeforeTime, 'fields before the time');
  const offset = reader.offset;
  reader.skip(version === 1 ? 8 : 4, 'time');
  return { box, offset, wide: version === 1 };
}

function readField(view: DataView, field: Field): bigint {
  return field.wide ? view.getBigUint64(field.offset) : BigInt(view.getUint32(field.offset));
}

/**
 * A version-0 (32-bit) time field cannot hold a value ≥ 2^32, and widening it in place would shift
 * every byte after it. ffmpeg always writes version-1 tfdt and sidx, so this only bites on 32-bit files
 * after 2^32 ticks (about 93 hours at 12800 ticks/s of looping); fail loudly rather than wrap.
 */
function writeField(view: DataView, field: Field, value: bigint): void {
  if (value < 0n) throw new Mp4FormatError(`a negative time ${value} cannot be written`, field.box.type, field.box.start);
  if (field.wide) {
    view.setBigUint64(field.offset, value);
    return;
  }
  if (value >= BigInt(UINT32_LIMIT)) {
    throw new Mp4FormatError(`time ${value} does not fit this version-0 (32-bit) box; the fragment needs a version-1 box`, field.box.type, field.box.start);
  }
  view.setUint32(field.offset, Number(value));
}

function single(boxes: readonly Box[], type: string, where: string, whereStart: number): Box {
  const matches = boxes.filter((b) => b.type === type);
  if (matches.length !== 1) throw new Mp4FormatError(`expected exactly one ${type}, found ${matches.length}`, where, whereStart);
  return matches[0] as Box;
}

/** A rewritten copy of `source`; `source` itself is never modified (it is usually a shared cache entry). */
export function rewriteFragment(source: Uint8Array, placement: FragmentPlacement): Uint8Array {
  const { baseMediaDecodeTime, sequenceNumber } = placement;
  if (!Number.isSafeInteger(baseMediaDecodeTime) || baseMediaDecodeTime < 0) {
    throw new RangeError(`baseMediaDecodeTime must be a non-negative safe integer, got ${baseMediaDecodeTime}`);
  }
  if (!Number.isInteger(sequenceNumber) || sequenceNumber < 1 || sequenceNumber >= UINT32_LIMIT) {
    throw new RangeError(`sequenceNumber must be an integer in [1, 2^32), got ${sequenceNumber}`);
  }

  const bytes = source.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const top = readBoxes(bytes);
  const moof = single(top, 'moof', 'fragment', 0);
  const moofChildren = childBoxes(bytes, moof);
  const mfhd = single(moofChildren, 'mfhd', 'moof', moof.start);
  const traf = single(moofChildren, 'traf', 'moof', moof.start);
  const tfdt = versionedTimeField(bytes, single(childBoxes(bytes, traf), 'tfdt', 'traf', traf.start), 0);

  const newTime = BigInt(baseMediaDecodeTime);
  const shift = newTime - readField(view, tfdt);
  writeField(view, tfdt, newTime);
  const mfhdReader = new BoxReader(bytes, mfhd);
  mfhdReader.fullBoxHeader();
  const sequenceOffset = mfhdReader.offset;
  mfhdReader.skip(4, 'sequence_number');
  view.setUint32(sequenceOffset, sequenceNumber);

  // sidx holds the presentation time again (reference_ID and timescale come first); shift it by the same
  // amount as tfdt so any composition offset of the first sample is kept. The loader only accepts files
  // whose sidx timescale is the track's, so the shift needs no conversion.
  for (const sidx of top.filter((b) => b.type === 'sidx')) {
    const ept = versionedTimeField(bytes, sidx, 8);
    writeField(view, ept, readField(view, ept) + shift);
  }
  return bytes;
}
