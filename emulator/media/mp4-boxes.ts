/**
 * A bounds-checked reader of ISO-BMFF (MP4) box structure. Every size and offset read from a file is
 * treated as a claim to verify: a truncated or lying file raises `Mp4FormatError` naming the box and
 * the byte offset, never a RangeError from deep inside a DataView.
 */

export class Mp4FormatError extends Error {
  constructor(
    message: string,
    /** The box type being read when the problem was found, e.g. 'moof' or 'tfdt'. */
    readonly boxType: string,
    /** Absolute byte offset of that box (or of the bad field) in the buffer. */
    readonly offset: number,
    /** True when the data simply ends early (a cut-off file) rather than contradicting itself. */
    readonly truncated = false,
  ) {
    super(`${message} (box '${boxType}' at byte ${offset})`);
    this.name = 'Mp4FormatError';
  }
}

/** One box located in a buffer. Offsets are absolute, so nested lookups never need rebasing. */
export interface Box {
  readonly type: string;
  /** Offset of the size field. */
  readonly start: number;
  /** Offset of the payload (after size, type, and any 64-bit size or uuid). */
  readonly payloadStart: number;
  /** Offset just past the box. */
  readonly end: number;
}

/** Types whose payload is nothing but child boxes. */
const PLAIN_CONTAINERS = new Set([
  'moov', 'trak', 'mdia', 'minf', 'stbl', 'dinf', 'edts', 'mvex', 'moof', 'traf', 'mfra', 'udta',
]);

/** Visual sample entries in `stsd`: a fixed 78-byte header precedes their child boxes (avcC, hvcC, esds, …). */
export const VISUAL_SAMPLE_ENTRIES = new Set(['avc1', 'avc3', 'hvc1', 'hev1', 'mp4v', 'vp08', 'vp09', 'av01', 'dvh1', 'dvhe', 'encv']);
const VISUAL_SAMPLE_ENTRY_HEADER = 78;

/**
 * Audio sample entries in `stsd` (ISO AudioSampleEntry and QuickTime sound descriptions, which share the
 * first 28 bytes): their child boxes (esds, chan, …) follow a header whose length depends on the version.
 */
export const AUDIO_SAMPLE_ENTRIES = new Set(['mp4a', 'alaw', 'ulaw', 'enca', 'Opus', 'fLaC', 'ac-3', 'ec-3', '.mp3', 'sowt', 'twos', 'lpcm', 'samr']);
/** QuickTime sound description versions 0, 1 and 2; version 0 is ISO's AudioSampleEntry. */
const AUDIO_SAMPLE_ENTRY_HEADERS: Readonly<Record<number, number>> = { 0: 28, 1: 44, 2: 64 };

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

/** A printable name for a type read from untrusted bytes, so error messages stay readable. */
function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : `0x${[...type].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`;
}

/** The boxes laid end to end in `bytes[from, to)`; a size of 0 means "to the end of the range". */
export function readBoxes(bytes: Uint8Array, from = 0, to = bytes.length): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let at = from;
  while (at < to) {
    const endsEarly = to === bytes.length;
    if (to - at < 8) throw new Mp4FormatError(`${to - at} stray bytes where a box header (8 bytes) should be`, '?', at, endsEarly);
    const type = printable(fourcc(bytes, at + 4));
    let size = view.getUint32(at);
    let headerSize = 8;
    if (size === 1) {
      if (to - at < 16) throw new Mp4FormatError('64-bit box size cut off', type, at, endsEarly);
      const large = view.getBigUint64(at + 8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) throw new Mp4FormatError(`64-bit size ${large} is implausibly large`, type, at);
      size = Number(large);
      headerSize = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (type === 'uuid') headerSize += 16;
    if (size < headerSize) throw new Mp4FormatError(`size ${size} is smaller than its own ${headerSize}-byte header`, type, at);
    if (at + size > to) {
      throw new Mp4FormatError(`size ${size} runs past the end of its container (${to - at} bytes left)`, type, at, endsEarly);
    }
    boxes.push({ type, start: at, payloadStart: at + headerSize, end: at + size });
    at += size;
  }
  return boxes;
}

/** Where a box's children start: after the payload prefix some box types carry before them. */
function childrenStart(bytes: Uint8Array, box: Box): number {
  if (PLAIN_CONTAINERS.has(box.type)) return box.payloadStart;
  // stsd is a full box (4 bytes) with an entry count (4 bytes) before its sample entries.
  if (box.type === 'stsd') return box.payloadStart + 8;
  if (VISUAL_SAMPLE_ENTRIES.has(box.type)) return box.payloadStart + VISUAL_SAMPLE_ENTRY_HEADER;
  if (AUDIO_SAMPLE_ENTRIES.has(box.type)) {
    // The version follows the 8-byte SampleEntry header (reserved + data_reference_index).
    const at = box.payloadStart + 8;
    if (at + 2 > box.end) throw new Mp4FormatError('too short to hold an audio sample entry header', box.type, box.start);
    const version = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
    const header = AUDIO_SAMPLE_ENTRY_HEADERS[version];
    if (header === undefined) throw new Mp4FormatError(`sound description version ${version} is not 0, 1 or 2`, box.type, box.start);
    return box.payloadStart + header;
  }
  throw new Mp4FormatError('not a container box this reader knows how to open', box.type, box.start);
}

/** The direct children of a container box (including sample entries inside stsd, and boxes inside them). */
export function childBoxes(bytes: Uint8Array, box: Box): Box[] {
  const from = childrenStart(bytes, box);
  if (from > box.end) throw new Mp4FormatError(`too short to hold its ${from - box.payloadStart}-byte header`, box.type, box.start);
  return readBoxes(bytes, from, box.end);
}

/** The first direct child of `box` with this type. */
export function findChild(bytes: Uint8Array, box: Box, type: string): Box | undefined {
  return childBoxes(bytes, box).find((b) => b.type === type);
}

/** Follows a path of types from the top level (or from `within`), taking the first match at each step. */
export function findPath(bytes: Uint8Array, path: readonly string[], within?: Box): Box | undefined {
  let level = within ? childBoxes(bytes, within) : readBoxes(bytes);
  let found: Box | undefined;
  for (const [i, type] of path.entries()) {
    found = level.find((b) => b.type === type);
    if (!found) return undefined;
    if (i < path.length - 1) level = childBoxes(bytes, found);
  }
  return found;
}

/** Like `findPath`, but a missing box is a format error naming what was expected where. */
export function requirePath(bytes: Uint8Array, path: readonly string[], within?: Box): Box {
  const found = findPath(bytes, path, within);
  if (!found) {
    const where = within ?? { type: 'file', start: 0 };
    throw new Mp4FormatError(`no ${path.join('/')} box inside`, where.type, where.start);
  }
  return found;
}

/** The version and flags of a full box, and where its fields begin. */
export interface FullBoxHeader {
  readonly version: number;
  readonly flags: number;
  readonly fieldsStart: number;
}

/** A cursor over one box's payload that refuses to read outside it. */
export class BoxReader {
  private readonly view: DataView;
  private at: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly box: Box,
    from: number = box.payloadStart,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = from;
  }

  get offset(): number {
    return this.at;
  }

  private take(count: number, what: string): number {
    if (this.at + count > this.box.end) {
      throw new Mp4FormatError(`${what} at byte ${this.at} runs past the end of the box`, this.box.type, this.box.start);
    }
    const here = this.at;
    this.at += count;
    return here;
  }

  u8(what: string): number {
    return this.view.getUint8(this.take(1, what));
  }

  u16(what: string): number {
    return this.view.getUint16(this.take(2, what));
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what));
  }

  /** A 64-bit unsigned field; beyond 2^53 it can't be a real time or size in this app. */
  u64(what: string): number {
    const value = this.view.getBigUint64(this.take(8, what));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Mp4FormatError(`${what} ${value} exceeds 2^53`, this.box.type, this.box.start);
    }
    return Number(value);
  }

  skip(count: number, what: string): void {
    this.take(count, what);
  }

  slice(count: number, what: string): Uint8Array {
    const from = this.take(count, what);
    return this.bytes.subarray(from, from + count);
  }

  fullBoxHeader(): FullBoxHeader {
    const word = this.u32('version and flags');
    return { version: word >>> 24, flags: word & 0xffffff, fieldsStart: this.at };
  }
}

/** Encodes a box: 32-bit size and type, then `parts` back to back (payload bytes or encoded child boxes). */
export function encodeBox(type: string, ...parts: readonly Uint8Array[]): Uint8Array {
  if (!/^[\x20-\x7e]{4}$/.test(type)) throw new RangeError(`a box type is four printable characters, got '${type}'`);
  const size = 8 + parts.reduce((sum, p) => sum + p.length, 0);
  if (size > 0xffffffff) throw new RangeError(`box '${type}' of ${size} bytes needs a 64-bit size`);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  let at = 8;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Encodes a full box: version (8 bits) and flags (24 bits) before the payload. */
export function encodeFullBox(type: string, version: number, flags: number, ...parts: readonly Uint8Array[]): Uint8Array {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, ((version & 0xff) << 24) | (flags & 0xffffff));
  return encodeBox(type, header, ...parts);
}
