import { decodeG711, type G711Law } from './g711';
import { flacFrame, streamInfoBlock, type FlacStreamInfo } from './flac';
import { box, child, children, concat, fullBox, Mp4Error, path, readBoxes, replaceBox, u32, type Box } from './mp4-boxes';

/**
 * KVS's G.711 audio track (fragmented MP4 with an `alaw`/`ulaw` sample entry, which Chromium's MSE
 * refuses) rewritten as FLAC in MP4, which it plays: the init's sample entry becomes `fLaC` + `dfLa`,
 * and each fragment's samples are expanded to 16-bit PCM (ITU-T G.711 tables) and framed as verbatim
 * FLAC, one frame per sample, with the same timing. The media element then plays the sound in step
 * with the picture, and Shaka fetches, buffers and evicts it like any other track.
 */

export interface G711Track {
  law: G711Law;
  channels: number;
  sampleRate: number;
  /** The track's media timescale (mdhd). */
  timescale: number;
  /** Fragment defaults from the init's `trex`. */
  defaults: { duration: number; size: number };
}

/** FLAC frames here are one per MP4 sample; a KVS G.711 sample is a few hundred bytes. */
const MAX_BLOCK = 65535;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a G.711 init segment and returns its FLAC twin. */
export function convertG711Init(init: Uint8Array): { init: Uint8Array; track: G711Track } {
  const v = view(init);
  const trail = path(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd']);
  const stsd = trail[trail.length - 1]!;
  const entries = children(init, stsd, 8);
  if (entries.length !== 1) throw new Mp4Error(`stsd holds ${entries.length} sample entries; one expected`);
  const entry = entries[0]!;
  const law: G711Law | undefined = entry.type === 'alaw' ? 'alaw' : entry.type === 'ulaw' ? 'ulaw' : undefined;
  if (!law) throw new Mp4Error(`sample entry '${entry.type}' is not G.711 (alaw/ulaw)`);
  // AudioSampleEntry / QuickTime sound description: reserved(6) data_reference_index(2) version(2) …
  if (entry.body + 28 > entry.end) throw new Mp4Error(`'${entry.type}' sample entry too short`);
  const version = v.getUint16(entry.body + 8);
  let channels = v.getUint16(entry.body + 16);
  let sampleRate = v.getUint32(entry.body + 24) >>> 16;
  if (version === 2) {
    // Sound description v2: a float64 rate and a 32-bit channel count after the v0 fields.
    if (entry.body + 44 > entry.end) throw new Mp4Error(`'${entry.type}' v2 sound description too short`);
    sampleRate = Math.round(v.getFloat64(entry.body + 32));
    channels = v.getUint32(entry.body + 40);
  }
  const mdhd = child(init, trail[2]!, 'mdhd');
  const timescale = v.getUint8(mdhd.body) === 1 ? v.getUint32(mdhd.body + 20) : v.getUint32(mdhd.body + 12);
  if (!sampleRate) sampleRate = timescale;
  if (channels < 1 || channels > 8) throw new Mp4Error(`G.711 track with ${channels} channels`);
  if (!timescale) throw new Mp4Error('G.711 track with timescale 0');

  const info: FlacStreamInfo = { sampleRate, channels, minBlock: 16, maxBlock: MAX_BLOCK };
  const fields = new Uint8Array(28);
  const fv = new DataView(fields.buffer);
  fv.setUint16(6, 1); // data_reference_index
  fv.setUint16(16, channels);
  fv.setUint16(18, 16); // sample size
  fv.setUint32(24, (sampleRate & 0xffff) * 65536); // 16.16; G.711 rates fit
  const flacEntry = box('fLaC', fields, fullBox('dfLa', 0, 0, streamInfoBlock(info)));
  const converted = replaceBox(init, trail, fullBox('stsd', 0, 0, u32(1), flacEntry));

  let defaults = { duration: 0, size: 0 };
  const mvex = readBoxes(init).find((b) => b.type === 'moov');
  const trex = mvex && children(init, mvex).find((b) => b.type === 'mvex');
  const trexBox = trex && children(init, trex).find((b) => b.type === 'trex');
  if (trexBox) defaults = { duration: v.getUint32(trexBox.body + 12), size: v.getUint32(trexBox.body + 16) };
  return { init: converted, track: { law, channels, sampleRate, timescale, defaults } };
}

const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION = 0x2;
const TFHD_DURATION = 0x8;
const TFHD_SIZE = 0x10;
const TFHD_FLAGS = 0x20;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_FLAGS = 0x4;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_CTO = 0x800;

interface Sample {
  offset: number;
  size: number;
  duration: number;
}

/** The samples of a single-track fragment: where their bytes are and how long each lasts. */
function samplesOf(bytes: Uint8Array, moof: Box, track: G711Track): { trackId: number; sequence: number; decodeTime: number; samples: Sample[] } {
  const v = view(bytes);
  const mfhd = child(bytes, moof, 'mfhd');
  const trafs = children(bytes, moof).filter((b) => b.type === 'traf');
  if (trafs.length !== 1) throw new Mp4Error(`fragment has ${trafs.length} track fragments; KVS serves one track per fragment`);
  const traf = trafs[0]!;
  const tfhd = child(bytes, traf, 'tfhd');
  const tfhdFlags = v.getUint32(tfhd.body) & 0xffffff;
  const trackId = v.getUint32(tfhd.body + 4);
  let at = tfhd.body + 8;
  let base = moof.start;
  if (tfhdFlags & TFHD_BASE_DATA_OFFSET) {
    base = Number(v.getBigUint64(at));
    at += 8;
  }
  if (tfhdFlags & TFHD_SAMPLE_DESCRIPTION) at += 4;
  let defaultDuration = track.defaults.duration;
  let defaultSize = track.defaults.size;
  if (tfhdFlags & TFHD_DURATION) (defaultDuration = v.getUint32(at)), (at += 4);
  if (tfhdFlags & TFHD_SIZE) (defaultSize = v.getUint32(at)), (at += 4);
  if (tfhdFlags & TFHD_FLAGS) at += 4;
  const tfdt = child(bytes, traf, 'tfdt');
  const decodeTime = v.getUint8(tfdt.body) === 1 ? Number(v.getBigUint64(tfdt.body + 4)) : v.getUint32(tfdt.body + 4);

  const samples: Sample[] = [];
  let next: number | undefined;
  for (const trun of children(bytes, traf).filter((b) => b.type === 'trun')) {
    const flags = v.getUint32(trun.body) & 0xffffff;
    const count = v.getUint32(trun.body + 4);
    let p = trun.body + 8;
    let offset = next ?? base;
    if (flags & TRUN_DATA_OFFSET) (offset = base + v.getInt32(p)), (p += 4);
    if (flags & TRUN_FIRST_FLAGS) p += 4;
    const entryBytes = 4 * [TRUN_DURATION, TRUN_SIZE, TRUN_FLAGS, TRUN_CTO].filter((f) => flags & f).length;
    if (p + count * entryBytes > trun.end) throw new Mp4Error(`trun at offset ${trun.start} lists ${count} samples it has no room for`);
    for (let i = 0; i < count; i++) {
      let duration = defaultDuration;
      let size = defaultSize;
      if (flags & TRUN_DURATION) (duration = v.getUint32(p)), (p += 4);
      if (flags & TRUN_SIZE) (size = v.getUint32(p)), (p += 4);
      if (flags & TRUN_FLAGS) p += 4;
      if (flags & TRUN_CTO) p += 4;
      if (offset + size > bytes.length) throw new Mp4Error(`sample ${samples.length} (${size} bytes at offset ${offset}) runs past the ${bytes.length}-byte fragment`);
      samples.push({ offset, size, duration });
      offset += size;
    }
    next = offset;
  }
  return { trackId, sequence: v.getUint32(mfhd.body + 4), decodeTime, samples };
}

/** A G.711 media fragment (`[styp][sidx] moof mdat`) as a FLAC one: same track, times and sample durations. */
export function convertG711Fragment(bytes: Uint8Array, track: G711Track): Uint8Array {
  const moof = readBoxes(bytes).find((b) => b.type === 'moof');
  if (!moof) throw new Mp4Error('fragment without moof');
  const { trackId, sequence, decodeTime, samples } = samplesOf(bytes, moof, track);
  const info: FlacStreamInfo = { sampleRate: track.sampleRate, channels: track.channels, minBlock: 16, maxBlock: MAX_BLOCK };
  // FLAC numbers frames by their first sample; derived from the decode time so it runs on across fragments.
  let sampleNumber = Math.round((decodeTime * track.sampleRate) / track.timescale);
  const frames: Uint8Array[] = [];
  for (const s of samples) {
    if (s.size % track.channels !== 0) throw new Mp4Error(`G.711 sample of ${s.size} bytes does not split into ${track.channels} channels`);
    const block = s.size / track.channels;
    if (block > MAX_BLOCK || block === 0) throw new Mp4Error(`G.711 sample of ${block} samples per channel; 1–${MAX_BLOCK} supported`);
    frames.push(flacFrame(decodeG711(track.law, bytes.subarray(s.offset, s.offset + s.size)), info, sampleNumber));
    sampleNumber += block;
  }
  const entries = new Uint8Array(8 * frames.length);
  const ev = new DataView(entries.buffer);
  frames.forEach((f, i) => {
    ev.setUint32(8 * i, samples[i]!.duration);
    ev.setUint32(8 * i + 4, f.length);
  });
  const decodeTimeBytes = new Uint8Array(8);
  new DataView(decodeTimeBytes.buffer).setBigUint64(0, BigInt(decodeTime));
  const build = (dataOffset: number): Uint8Array =>
    box(
      'moof',
      fullBox('mfhd', 0, 0, u32(sequence)),
      box(
        'traf',
        fullBox('tfhd', 0, 0x020000, u32(trackId)), // default-base-is-moof
        fullBox('tfdt', 1, 0, decodeTimeBytes),
        fullBox('trun', 0, TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE, u32(frames.length), u32(dataOffset), entries),
      ),
    );
  const moofSize = build(0).length;
  return concat([build(moofSize + 8), box('mdat', ...frames)]);
}
