/**
 * RFC 6381 `codecs` strings for a DASH Representation, built from a sample entry's decoder
 * configuration record, plus the KVS codec id the same track would carry in a real stream.
 */
import { type Box, BoxReader, Mp4FormatError, findChild } from './mp4-boxes';

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/** avc1.PPCCLL: profile, constraint flags and level from the avcC record. */
function avcCodecString(bytes: Uint8Array, entry: Box, avcC: Box): string {
  const reader = new BoxReader(bytes, avcC);
  reader.u8('configurationVersion');
  const profile = reader.u8('AVCProfileIndication');
  const compatibility = reader.u8('profile_compatibility');
  const level = reader.u8('AVCLevelIndication');
  return `${entry.type}.${hex2(profile)}${hex2(compatibility)}${hex2(level)}`;
}

function reverseBits32(value: number): number {
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) reversed = (reversed << 1) | ((value >>> bit) & 1);
  return reversed >>> 0;
}

/** hvc1.A.B.TL.CC…: ISO/IEC 14496-15 annex E, from the hvcC record's general profile/tier/level fields. */
function hevcCodecString(bytes: Uint8Array, entry: Box, hvcC: Box): string {
  const reader = new BoxReader(bytes, hvcC);
  reader.u8('configurationVersion');
  const packed = reader.u8('general_profile_space/tier/idc');
  const compatibility = reader.u32('general_profile_compatibility_flags');
  const constraints = [...reader.slice(6, 'general_constraint_indicator_flags')];
  const level = reader.u8('general_level_idc');
  const space = ['', 'A', 'B', 'C'][packed >> 6] ?? '';
  const tier = packed & 0x20 ? 'H' : 'L';
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const parts = [entry.type, `${space}${packed & 0x1f}`, reverseBits32(compatibility).toString(16), `${tier}${level}`];
  return [...parts, ...constraints.map((b) => b.toString(16).toUpperCase())].join('.');
}

/**
 * The codecs string for a visual sample entry: exact for H.264, best effort for H.265 (its record is
 * read; a missing one leaves the bare fourcc), and the bare fourcc for anything else.
 */
export function codecString(bytes: Uint8Array, entry: Box): string {
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    const avcC = findChild(bytes, entry, 'avcC');
    if (!avcC) throw new Mp4FormatError(`an ${entry.type} sample entry without its avcC configuration`, entry.type, entry.start);
    return avcCodecString(bytes, entry, avcC);
  }
  if (entry.type === 'hvc1' || entry.type === 'hev1') {
    const hvcC = findChild(bytes, entry, 'hvcC');
    return hvcC ? hevcCodecString(bytes, entry, hvcC) : entry.type;
  }
  return entry.type;
}

/**
 * Reads one MPEG-4 descriptor header (ISO/IEC 14496-1 §8.3.3): a tag byte and a size in up to four
 * 7-bit groups. Returns where its payload starts and ends, bounded by `end`.
 */
function descriptor(bytes: Uint8Array, at: number, end: number, where: Box): { tag: number; start: number; end: number } {
  if (at >= end) throw new Mp4FormatError('a descriptor runs past the end of esds', 'esds', where.start);
  const tag = bytes[at] as number;
  let size = 0;
  let i = at + 1;
  for (let n = 0; n < 4; n++, i++) {
    if (i >= end) throw new Mp4FormatError('a descriptor size runs past the end of esds', 'esds', where.start);
    const byte = bytes[i] as number;
    size = (size << 7) | (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      i++;
      break;
    }
  }
  if (i + size > end) throw new Mp4FormatError(`descriptor ${tag} of ${size} bytes runs past the end of esds`, 'esds', where.start);
  return { tag, start: i, end: i + size };
}

const ES_DESCRIPTOR = 0x03;
const DECODER_CONFIG_DESCRIPTOR = 0x04;
const DECODER_SPECIFIC_INFO = 0x05;
/** objectTypeIndication of MPEG-4 audio (AAC and its relatives). */
const MPEG4_AUDIO = 0x40;

/** What an audio track's decoder configuration says: its codecs value and, for AAC, its channel count. */
export interface AudioConfig {
  readonly codec: string;
  /** From the AudioSpecificConfig; a sample entry's channelcount is often a placeholder 2. */
  readonly channels?: number;
}

/**
 * mp4a.OO[.A]: the esds record's objectTypeIndication and, for MPEG-4 audio, the audio object type from
 * the AudioSpecificConfig (2 = AAC LC, so 'mp4a.40.2').
 */
function aacConfig(bytes: Uint8Array, esds: Box): AudioConfig {
  const es = descriptor(bytes, esds.payloadStart + 4, esds.end, esds);
  if (es.tag !== ES_DESCRIPTOR) throw new Mp4FormatError(`esds opens with descriptor ${es.tag}, not an ES_Descriptor`, 'esds', esds.start);
  const esFlags = bytes[es.start + 2] ?? 0;
  let at = es.start + 3;
  if (esFlags & 0x80) at += 2; // dependsOn_ES_ID
  if (esFlags & 0x40) at += 1 + (bytes[at] ?? 0); // URL
  if (esFlags & 0x20) at += 2; // OCR_ES_Id
  const config = descriptor(bytes, at, es.end, esds);
  if (config.tag !== DECODER_CONFIG_DESCRIPTOR) throw new Mp4FormatError(`no DecoderConfigDescriptor in esds (found tag ${config.tag})`, 'esds', esds.start);
  const objectType = bytes[config.start] ?? 0;
  if (objectType !== MPEG4_AUDIO) return { codec: `mp4a.${hex2(objectType)}` };
  // objectTypeIndication, streamType, bufferSizeDB (3), maxBitrate (4), avgBitrate (4): 13 bytes.
  const specific = config.start + 13 < config.end ? descriptor(bytes, config.start + 13, config.end, esds) : undefined;
  if (!specific || specific.tag !== DECODER_SPECIFIC_INFO || specific.end - specific.start < 2) return { codec: 'mp4a.40' };
  // AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), read bit by bit: a 5-bit audioObjectType (31 escapes
  // to 32 + 6 more bits), a 4-bit sampling frequency index (15: 24 explicit bits), a 4-bit channel configuration.
  let bit = specific.start * 8;
  const bits = (count: number): number => {
    let value = 0;
    for (let i = 0; i < count; i++, bit++) {
      if (bit >= specific.end * 8) throw new Mp4FormatError('the AudioSpecificConfig is cut off', 'esds', esds.start);
      value = (value << 1) | (((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1);
    }
    return value;
  };
  let audioObjectType = bits(5);
  if (audioObjectType === 31) audioObjectType = 32 + bits(6);
  if (bits(4) === 15) bits(24);
  const channelConfiguration = bits(4);
  // Configuration 0 defers to a program config element; 1–6 are that many channels, 7 is 7.1.
  const channels = channelConfiguration >= 1 && channelConfiguration <= 6 ? channelConfiguration : channelConfiguration === 7 ? 8 : undefined;
  return { codec: `mp4a.40.${audioObjectType}`, ...(channels ? { channels } : {}) };
}

/**
 * The codecs string for an audio sample entry as DASH manifests (and KVS's) carry it: 'mp4a.40.2' for
 * AAC LC, 'alaw' and 'ulaw' for G.711, the bare fourcc for anything else.
 */
export function audioConfig(bytes: Uint8Array, entry: Box): AudioConfig {
  if (entry.type === 'mp4a') {
    const esds = findChild(bytes, entry, 'esds');
    if (!esds) throw new Mp4FormatError('an mp4a sample entry without its esds configuration', entry.type, entry.start);
    return aacConfig(bytes, esds);
  }
  return { codec: entry.type };
}

/** The CodecID a KVS stream's audio track would carry (Matroska codec ids; G.711 is carried as MS/ACM). */
export function kvsAudioCodecIdFor(sampleEntryType: string): string {
  switch (sampleEntryType) {
    case 'mp4a':
      return 'A_AAC';
    case 'alaw':
    case 'ulaw':
      return 'A_MS/ACM';
    case 'Opus':
      return 'A_OPUS';
    case '.mp3':
      return 'A_MPEG/L3';
    case 'ac-3':
      return 'A_AC3';
    case 'ec-3':
      return 'A_EAC3';
    default:
      return `A_QUICKTIME/${sampleEntryType}`;
  }
}

/** The CodecID a KVS stream would carry for a track with this sample entry (Matroska codec ids). */
export function kvsCodecIdFor(sampleEntryType: string): string {
  switch (sampleEntryType) {
    case 'avc1':
    case 'avc3':
      return 'V_MPEG4/ISO/AVC';
    case 'hvc1':
    case 'hev1':
      return 'V_MPEGH/ISO/HEVC';
    case 'mp4v':
      return 'V_MPEG4/ISO/ASP';
    case 'vp08':
      return 'V_VP8';
    case 'vp09':
      return 'V_VP9';
    case 'av01':
      return 'V_AV1';
    default:
      return `V_MS/VFW/FOURCC/${sampleEntryType}`;
  }
}
