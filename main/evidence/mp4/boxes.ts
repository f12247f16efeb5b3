/**
 * ISO-BMFF (MP4) boxes: a bounds-checked reader for the parts of a file KVS Wall reads (a clip's
 * `moov`), and writers for the boxes it writes. Every size and offset read is a claim to check: a
 * cut-off or lying file raises `Mp4Error` naming the box, never a RangeError from a DataView.
 */

export class Mp4Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Mp4Error';
  }
}

export interface Box {
  readonly type: string;
  /** Offset of the box's size field. */
  readonly start: number;
  /** Offset of its payload. */
  readonly payload: number;
  /** Offset just past it. */
  readonly end: number;
}

const printable = (type: string) => (/^[\x20-\x7e]{4}$/.test(type) ? type : 'a box with an unreadable type');

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

/** The size, type and header length of the box at `at`, from its first 8 or 16 bytes. */
export function boxHeader(head: Uint8Array, at: number, available: number): { type: string; size: number; header: number } {
  if (available < 8) throw new Mp4Error(`the file ends inside a box header (${available} bytes left)`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const type = printable(fourcc(head, at + 4));
  let size = view.getUint32(at);
  let header = 8;
  if (size === 1) {
    if (available < 16) throw new Mp4Error(`the file ends inside ${type}'s 64-bit size`);
    const large = view.getBigUint64(at + 8);
    if (large > BigInt(Number.MAX_SAFE_INTEGER)) throw new Mp4Error(`${type} claims an impossible size`);
    size = Number(large);
    header = 16;
  } else if (size === 0) {
    size = available;
  }
  if (type === 'uuid') header += 16;
  if (size < header) throw new Mp4Error(`${type} is smaller than its own header`);
  if (size > available) throw new Mp4Error(`${type} claims ${size} bytes but only ${available} follow`);
  return { type, size, header };
}

/** The boxes laid end to end in `bytes[from, to)`. */
export function readBoxes(bytes: Uint8Array, from = 0, to = bytes.length): Box[] {
  const boxes: Box[] = [];
  for (let at = from; at < to; ) {
    const { type, size, header } = boxHeader(bytes, at, to - at);
    boxes.push({ type, start: at, payload: at + header, end: at + size });
    at += size;
  }
  return boxes;
}

export function childrenOf(bytes: Uint8Array, parent: Box): Box[] {
  return readBoxes(bytes, parent.payload, parent.end);
}

export function childOf(bytes: Uint8Array, parent: Box, type: string): Box | undefined {
  return childrenOf(bytes, parent).find((b) => b.type === type);
}

export function requireChild(bytes: Uint8Array, parent: Box, type: string): Box {
  const box = childOf(bytes, parent, type);
  if (!box) throw new Mp4Error(`${parent.type} has no ${type}`);
  return box;
}

/** A reader over one box's payload that refuses to read past it. */
export class PayloadReader {
  private at: number;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly box: Box,
  ) {
    this.at = box.payload;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (this.at + n > this.box.end) throw new Mp4Error(`${this.box.type} ends before its fields do`);
    const at = this.at;
    this.at += n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2));
  }
  u32(): number {
    return this.view.getUint32(this.need(4));
  }
  i32(): number {
    return this.view.getInt32(this.need(4));
  }
  u64(): number {
    const value = this.view.getBigUint64(this.need(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Mp4Error(`${this.box.type} holds a value too large to use`);
    return Number(value);
  }
  i64(): number {
    const value = this.view.getBigInt64(this.need(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new Mp4Error(`${this.box.type} holds a value too large to use`);
    return Number(value);
  }
  skip(n: number): void {
    this.need(n);
  }
  /** The version and flags of a full box. */
  fullHeader(): { version: number; flags: number } {
    const word = this.u32();
    return { version: word >>> 24, flags: word & 0xffffff };
  }
  /** A count read from the file, checked against the bytes left (each entry `entryBytes` long). */
  count(entryBytes: number): number {
    const n = this.u32();
    if (n * entryBytes > this.box.end - this.at) throw new Mp4Error(`${this.box.type} claims ${n} entries, more than it holds`);
    return n;
  }
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.at, this.box.end);
    this.at = this.box.end;
    return out;
  }
}

// ── Writing ───────────────────────────────────────────────────────────────────

export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  u8(v: number): this {
    return this.push(Uint8Array.of(v & 0xff));
  }
  u16(v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v);
    return this.push(b);
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0);
    return this.push(b);
  }
  i32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v);
    return this.push(b);
  }
  u64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v));
    return this.push(b);
  }
  i64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(v));
    return this.push(b);
  }
  push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.length += bytes.length;
    return this;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

const ascii = (type: string) => new TextEncoder().encode(type);

/** A box of `payload` parts (32-bit size; `moov` and its children are never near 4 GiB). */
export function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((n, p) => n + p.length, 0);
  if (size >= 2 ** 32) throw new RangeError(`a ${type} box of ${size} bytes needs a 64-bit size`);
  const w = new ByteWriter().u32(size).push(ascii(type));
  for (const p of payload) w.push(p);
  return w.bytes();
}

export function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, new ByteWriter().u32(((version & 0xff) << 24) | (flags & 0xffffff)).bytes(), ...payload);
}

/** The header of an `mdat` holding `dataBytes`: 8 bytes, or 16 with a 64-bit size when it must. */
export function mdatHeader(dataBytes: number): Uint8Array {
  if (dataBytes + 8 < 2 ** 32) return new ByteWriter().u32(dataBytes + 8).push(ascii('mdat')).bytes();
  return new ByteWriter().u32(1).push(ascii('mdat')).u64(dataBytes + 16).bytes();
}
