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
