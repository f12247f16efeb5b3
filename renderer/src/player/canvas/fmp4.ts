/**
 * Just enough of ISO-BMFF (fragmented MP4) to decode a KVS stream ourselves: the video track's codec
 * configuration from the init segment, and the samples of one media fragment (`[styp][sidx] moof mdat`)
 * with their times and key-frame flags. Every read is bounds-checked: a fragment comes from the network,
 * and a bad one must fail with the box and the byte offset, never read past the buffer.
 */

export class Mp4Error extends Error {
  constructor(message: string, readonly box: string, readonly offset: number) {
    super(`${box} at byte ${offset}: ${message}`);
    this.name = 'Mp4Error';
  }
}

interface Box {
  type: string;
  /** Offset of the box header. */
  start: number;
  /** Offset of the first byte after the header (the payload). */
  payload: number;
  end: number;
}

function u32(bytes: Uint8Array, at: number, box: string): number {
  if (at < 0 || at + 4 > bytes.length) throw new Mp4Error('truncated (needs 4 more bytes)', box, at);
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function u16(bytes: Uint8Array, at: number, box: string): number {
  if (at < 0 || at + 2 > bytes.length) throw new Mp4Error('truncated (needs 2 more bytes)', box, at);
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u64(bytes: Uint8Array, at: number, box: string): number {
  const value = u32(bytes, at, box) * 2 ** 32 + u32(bytes, at + 4, box);
  if (!Number.isSafeInteger(value)) throw new Mp4Error('64-bit value beyond 2^53', box, at);
  return value;
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** The boxes laid end to end in `bytes[from, to)`. */
function boxesIn(bytes: Uint8Array, from: number, to: number, parent: string): Box[] {
  const out: Box[] = [];
  let at = from;
  while (at < to) {
    if (to - at < 8) throw new Mp4Error(`${to - at} stray bytes where a box header should be`, parent, at);
    let size = u32(bytes, at, parent);
    const type = fourcc(bytes, at + 4);
    let payload = at + 8;
    if (size === 1) {
      size = u64(bytes, at + 8, type);
      payload = at + 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < payload - at || at + size > to) throw new Mp4Error(`size ${size} runs past its container (${to - at} bytes left)`, type, at);
    out.push({ type, start: at, payload, end: at + size });
    at += size;
  }
  return out;
}

function children(bytes: Uint8Array, box: Box, skip = 0): Box[] {
  return boxesIn(bytes, box.payload + skip, box.end, box.type);
}

function one(boxes: readonly Box[], type: string, where: Box): Box {
  const found = boxes.filter((b) => b.type === type);
  if (found.length !== 1) throw new Mp4Error(`expected one ${type}, found ${found.length}`, where.type, where.start);
  return found[0]!;
}

function optionalOne(boxes: readonly Box[], type: string): Box | undefined {
  return boxes.find((b) => b.type === type);
}

// ---------------------------------------------------------------------------------------------
// Init segment
// ---------------------------------------------------------------------------------------------

/** The video track as a decoder needs it. */
export interface VideoTrack {
  trackId: number;
  /** Ticks per second of the track's times. */
  timescale: number;
  /** Sample entry type: avc1, avc3, hvc1, hev1, … */
  sampleEntry: string;
  /** RFC 6381 codec string derived from the configuration box (avcC/hvcC), when it is one we read. */
  codec: string | undefined;
  width: number;
  height: number;
  /** The configuration record (avcC / hvcC payload): WebCodecs' `description`. */
  description: Uint8Array | undefined;
  /** trex defaults, used where a fragment's tfhd leaves them out. */
  defaults: { duration: number; size: number; flags: number };
}

const VISUAL_SAMPLE_ENTRY_HEADER = 78;
const CONFIG_BOXES: Record<string, string> = { avc1: 'avcC', avc3: 'avcC', hvc1: 'hvcC', hev1: 'hvcC', vp09: 'vpcC', av01: 'av1C' };

/** Reads the first video track (`hdlr` 'vide') of an init segment (`ftyp` + `moov`). */
export function readInit(bytes: Uint8Array): VideoTrack {
  const root: Box = { type: 'init', start: 0, payload: 0, end: bytes.length };
  const moov = one(boxesIn(bytes, 0, bytes.length, 'init'), 'moov', root);
  const moovChildren = children(bytes, moov);
  const traks = moovChildren.filter((b) => b.type === 'trak');
  for (const trak of traks) {
    const trakChildren = children(bytes, trak);
    const mdia = one(trakChildren, 'mdia', trak);
    const mdiaChildren = children(bytes, mdia);
    const hdlr = one(mdiaChildren, 'hdlr', mdia);
    if (fourcc(bytes, hdlr.payload + 8) !== 'vide') continue;
    const tkhd = one(trakChildren, 'tkhd', trak);
    const tkhdVersion = bytes[tkhd.payload] ?? 0;
    const trackId = u32(bytes, tkhd.payload + (tkhdVersion === 1 ? 20 : 12), 'tkhd');
    const mdhd = one(mdiaChildren, 'mdhd', mdia);
    const timescale = u32(bytes, mdhd.payload + ((bytes[mdhd.payload] ?? 0) === 1 ? 20 : 12), 'mdhd');
    if (timescale === 0) throw new Mp4Error('timescale 0', 'mdhd', mdhd.start);
    const stbl = one(children(bytes, one(mdiaChildren, 'minf', mdia)), 'stbl', mdia);
    const stsd = one(children(bytes, stbl), 'stsd', stbl);
    // stsd: full box header (4) + entry_count (4), then the sample entries.
    const entry = boxesIn(bytes, stsd.payload + 8, stsd.end, 'stsd')[0];
    if (!entry) throw new Mp4Error('no sample entry', 'stsd', stsd.start);
    const width = u16(bytes, entry.payload + 24, entry.type);
    const height = u16(bytes, entry.payload + 26, entry.type);
    const configType = CONFIG_BOXES[entry.type];
    const config = configType && entry.end - entry.payload > VISUAL_SAMPLE_ENTRY_HEADER ? optionalOne(children(bytes, entry, VISUAL_SAMPLE_ENTRY_HEADER), configType) : undefined;
    const description = config ? bytes.slice(config.payload, config.end) : undefined;
    const trex = optionalOne(moovChildren, 'mvex') ? children(bytes, optionalOne(moovChildren, 'mvex')!).filter((b) => b.type === 'trex').find((b) => u32(bytes, b.payload + 4, 'trex') === trackId) : undefined;
    return {
      trackId,
      timescale,
      sampleEntry: entry.type,
      codec: description ? codecString(entry.type, description) : undefined,
      width,
      height,
      description,
      defaults: trex
        ? { duration: u32(bytes, trex.payload + 12, 'trex'), size: u32(bytes, trex.payload + 16, 'trex'), flags: u32(bytes, trex.payload + 20, 'trex') }
        : { duration: 0, size: 0, flags: 0 },
    };
  }
  throw new Mp4Error(`no video track among ${traks.length} track(s)`, 'moov', moov.start);
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** RFC 6381 / ISO 14496-15 codec string from an avcC or hvcC record; undefined for others. */
export function codecString(sampleEntry: string, config: Uint8Array): string | undefined {
  if (config.length >= 4 && (sampleEntry === 'avc1' || sampleEntry === 'avc3')) {
    // AVCDecoderConfigurationRecord: version, profile, compatibility, level.
    return `${sampleEntry}.${hex2(config[1]!)}${hex2(config[2]!)}${hex2(config[3]!)}`;
  }
  if (config.length >= 13 && (sampleEntry === 'hvc1' || sampleEntry === 'hev1')) {
    // HEVCDecoderConfigurationRecord: version, then profile_space(2) tier(1) profile_idc(5), 32 compatibility
    // flags, 48 constraint bits, level_idc.
    const b1 = config[1]!;
    const space = ['', 'A', 'B', 'C'][b1 >> 6]!;
    const tier = b1 & 0x20 ? 'H' : 'L';
    const profile = b1 & 0x1f;
    const flags = ((config[2]! << 24) | (config[3]! << 16) | (config[4]! << 8) | config[5]!) >>> 0;
    let reversed = 0;
    for (let i = 0; i < 32; i++) if (flags & (1 << i)) reversed |= 1 << (31 - i);
    const constraints = Array.from(config.subarray(6, 12));
    while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
    const level = config[12]!;
    return [`${sampleEntry}.${space}${profile}`, (reversed >>> 0).toString(16), `${tier}${level}`, ...constraints.map((c) => c.toString(16))].join('.');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Media fragment
// ---------------------------------------------------------------------------------------------

/** One coded picture of a fragment. */
export interface Sample {
  /** Presentation time, in seconds of the track's media timeline (decode time + composition offset). */
  timeSec: number;
  durationSec: number;
  /** A sync sample: decodable on its own (a key frame). */
  key: boolean;
  /** The coded bytes, a view into the fragment. */
  data: Uint8Array;
}

const SAMPLE_IS_NON_SYNC = 0x00010000;
const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x2;
const TFHD_DEFAULT_DURATION = 0x8;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_DEFAULT_FLAGS = 0x20;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
const TRUN_SAMPLE_DURATION = 0x100;
const TRUN_SAMPLE_SIZE = 0x200;
const TRUN_SAMPLE_FLAGS = 0x400;
const TRUN_SAMPLE_CTO = 0x800;

/**
 * The video track's samples in one fragment, in decode order. `limit` stops after that many (1 for
 * the key frame a fragment opens with), without reading the rest of the run.
 */
export function readSamples(bytes: Uint8Array, track: VideoTrack, limit = Infinity): Sample[] {
  const root: Box = { type: 'fragment', start: 0, payload: 0, end: bytes.length };
  const top = boxesIn(bytes, 0, bytes.length, 'fragment');
  const moof = one(top, 'moof', root);
  const samples: Sample[] = [];
  for (const traf of children(bytes, moof).filter((b) => b.type === 'traf')) {
    const trafChildren = children(bytes, traf);
    const tfhd = one(trafChildren, 'tfhd', traf);
    const tfhdFlags = u32(bytes, tfhd.payload, 'tfhd') & 0xffffff;
    if (u32(bytes, tfhd.payload + 4, 'tfhd') !== track.trackId) continue;
    let at = tfhd.payload + 8;
    let base = moof.start;
    if (tfhdFlags & TFHD_BASE_DATA_OFFSET) {
      base = u64(bytes, at, 'tfhd');
      at += 8;
    }
    if (tfhdFlags & TFHD_SAMPLE_DESCRIPTION_INDEX) at += 4;
    const defaultDuration = tfhdFlags & TFHD_DEFAULT_DURATION ? u32(bytes, (at += 4) - 4, 'tfhd') : track.defaults.duration;
    const defaultSize = tfhdFlags & TFHD_DEFAULT_SIZE ? u32(bytes, (at += 4) - 4, 'tfhd') : track.defaults.size;
    const defaultFlags = tfhdFlags & TFHD_DEFAULT_FLAGS ? u32(bytes, (at += 4) - 4, 'tfhd') : track.defaults.flags;
    const tfdt = one(trafChildren, 'tfdt', traf);
    let decodeTime = bytes[tfdt.payload] === 1 ? u64(bytes, tfdt.payload + 4, 'tfdt') : u32(bytes, tfdt.payload + 4, 'tfdt');
    let dataAt = base;
    for (const trun of trafChildren.filter((b) => b.type === 'trun')) {
      const version = bytes[trun.payload] ?? 0;
      const flags = u32(bytes, trun.payload, 'trun') & 0xffffff;
      const count = u32(bytes, trun.payload + 4, 'trun');
      let field = trun.payload + 8;
      if (flags & TRUN_DATA_OFFSET) {
        dataAt = base + (u32(bytes, field, 'trun') | 0);
        field += 4;
      }
      const firstFlags = flags & TRUN_FIRST_SAMPLE_FLAGS ? u32(bytes, (field += 4) - 4, 'trun') : undefined;
      const perSample = [TRUN_SAMPLE_DURATION, TRUN_SAMPLE_SIZE, TRUN_SAMPLE_FLAGS, TRUN_SAMPLE_CTO].filter((f) => flags & f).length * 4;
      if (count * perSample > trun.end - field) throw new Mp4Error(`sample_count ${count} needs more bytes than the box holds`, 'trun', trun.start);
      for (let i = 0; i < count; i++) {
        const duration = flags & TRUN_SAMPLE_DURATION ? u32(bytes, (field += 4) - 4, 'trun') : defaultDuration;
        const size = flags & TRUN_SAMPLE_SIZE ? u32(bytes, (field += 4) - 4, 'trun') : defaultSize;
        const stated = flags & TRUN_SAMPLE_FLAGS ? u32(bytes, (field += 4) - 4, 'trun') : undefined;
        const rawCto = flags & TRUN_SAMPLE_CTO ? u32(bytes, (field += 4) - 4, 'trun') : 0;
        const cto = version === 1 ? rawCto | 0 : rawCto;
        const sampleFlags = (i === 0 ? firstFlags : undefined) ?? stated ?? defaultFlags;
        if (dataAt < 0 || dataAt + size > bytes.length) throw new Mp4Error(`sample ${i} (${size} bytes at ${dataAt}) lies outside the fragment`, 'trun', trun.start);
        samples.push({
          timeSec: (decodeTime + cto) / track.timescale,
          durationSec: duration / track.timescale,
          key: (sampleFlags & SAMPLE_IS_NON_SYNC) === 0,
          data: bytes.subarray(dataAt, dataAt + size),
        });
        if (samples.length >= limit) return samples;
        dataAt += size;
        decodeTime += duration;
      }
    }
  }
  return samples;
}

/** The key frame a fragment opens with (KVS fragments start with one), or undefined when it doesn't. */
export function keyFrameOf(bytes: Uint8Array, track: VideoTrack): Sample | undefined {
  const first = readSamples(bytes, track, 1)[0];
  return first?.key ? first : undefined;
}
