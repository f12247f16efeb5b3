/** Just enough ISO-BMFF for rewriting one audio track: bounds-checked box reading and writing. */

export class Mp4Error extends Error {
  override readonly name = 'Mp4Error';
}

export interface Box {
  type: string;
  /** Offset of the box's first byte (its size field). */
  start: number;
  /** Offset of its payload. */
  body: number;
  end: number;
}

/** The boxes laid end to end in `bytes[from, to)`. */
export function readBoxes(bytes: Uint8Array, from = 0, to = bytes.length): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let at = from;
  while (at < to) {
    if (at + 8 > to) throw new Mp4Error(`truncated box header at offset ${at}`);
    let size = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) throw new Mp4Error(`truncated 64-bit size of '${type}' at offset ${at}`);
      size = Number(view.getBigUint64(at + 8));
      body = at + 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < body - at || at + size > to) throw new Mp4Error(`box '${type}' at offset ${at} claims ${size} bytes; ${to - at} are left`);
    boxes.push({ type, start: at, body, end: at + size });
    at += size;
  }
  return boxes;
}

/** The children of a container box; `skip` bytes of its payload come first (e.g. stsd's 8). */
export function children(bytes: Uint8Array, box: Box, skip = 0): Box[] {
  return readBoxes(bytes, box.body + skip, box.end);
}

/** The one child of `type`, or an error naming the path. */
export function child(bytes: Uint8Array, box: Box, type: string, skip = 0): Box {
  const found = children(bytes, box, skip).find((b) => b.type === type);
  if (!found) throw new Mp4Error(`no '${type}' in '${box.type}' at offset ${box.start}`);
  return found;
}

/** Follows a path of container types from the top level. */
export function path(bytes: Uint8Array, types: readonly string[]): Box[] {
  const trail: Box[] = [];
  let level = readBoxes(bytes);
  for (const type of types) {
    const found = level.find((b) => b.type === type);
    if (!found) throw new Mp4Error(`no '${type}' under '${trail.map((b) => b.type).join('/') || '(top)'}'`);
    trail.push(found);
    level = children(bytes, found);
  }
  return trail;
}

export function u32(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function box(type: string, ...parts: readonly Uint8Array[]): Uint8Array {
  const body = concat(parts);
  const out = new Uint8Array(8 + body.length);
  out.set(u32(out.length), 0);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  return out;
}

export function fullBox(type: string, version: number, flags: number, ...parts: readonly Uint8Array[]): Uint8Array {
  return box(type, new Uint8Array([version, (flags >>> 16) & 0xff, (flags >>> 8) & 0xff, flags & 0xff]), ...parts);
}

/**
 * `bytes` with the box at the end of `trail` replaced by `replacement`, every enclosing box's size
 * adjusted. The enclosing boxes must have 32-bit sizes (init segments do).
 */
export function replaceBox(bytes: Uint8Array, trail: readonly Box[], replacement: Uint8Array): Uint8Array {
  const target = trail[trail.length - 1]!;
  const delta = replacement.length - (target.end - target.start);
  const out = concat([bytes.subarray(0, target.start), replacement, bytes.subarray(target.end)]);
  const view = new DataView(out.buffer);
  for (const parent of trail.slice(0, -1)) {
    if (parent.body - parent.start !== 8) throw new Mp4Error(`'${parent.type}' has a 64-bit size; not rewritten`);
    view.setUint32(parent.start, view.getUint32(parent.start) + delta);
  }
  return out;
}
