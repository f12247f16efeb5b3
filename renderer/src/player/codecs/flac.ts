/**
 * A FLAC encoder of the simplest kind: every subframe VERBATIM (raw 16-bit PCM), so no prediction or
 * entropy coding, just framing and checksums (FLAC format §frame). It turns decoded G.711 into
 * something Chromium's MSE accepts (`audio/mp4; codecs="flac"`); size doubles, which for 8 kHz
 * telephony sound is 16 kB/s.
 */

export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  /** Smallest and largest block (samples per channel in a frame) the stream will use. */
  minBlock: number;
  maxBlock: number;
}

const BITS_PER_SAMPLE = 16;

/** CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), initial 0: the frame header's check. */
const CRC8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

/** CRC-16, polynomial x^16 + x^15 + x^2 + 1 (0x8005), initial 0: the whole frame's check. */
const CRC16 = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc8(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = 0;
  for (let i = from; i < to; i++) c = CRC8[c ^ bytes[i]!]!;
  return c;
}

export function crc16(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = 0;
  for (let i = from; i < to; i++) c = ((c << 8) & 0xffff) ^ CRC16[(c >> 8) ^ bytes[i]!]!;
  return c;
}

/** The `dfLa` payload (after version/flags): one STREAMINFO metadata block, marked last. */
export function streamInfoBlock(info: FlacStreamInfo): Uint8Array {
  if (info.channels < 1 || info.channels > 8) throw new RangeError(`FLAC carries 1–8 channels, not ${info.channels}`);
  if (info.sampleRate < 1 || info.sampleRate >= 1 << 20) throw new RangeError(`FLAC sample rate ${info.sampleRate} out of range`);
  if (info.minBlock < 1 || info.maxBlock > 65535 || info.minBlock > info.maxBlock) throw new RangeError(`FLAC block sizes ${info.minBlock}–${info.maxBlock} out of range`);
  const out = new Uint8Array(4 + 34);
  out[0] = 0x80; // last metadata block, type 0 STREAMINFO
  out[3] = 34;
  const v = new DataView(out.buffer);
  v.setUint16(4, info.minBlock);
  v.setUint16(6, info.maxBlock);
  // min/max frame size (24 bits each) unknown: 0.
  // sample rate (20) | channels − 1 (3) | bits per sample − 1 (5) | total samples (36, unknown: 0)
  out[14] = (info.sampleRate >> 12) & 0xff;
  out[15] = (info.sampleRate >> 4) & 0xff;
  out[16] = ((info.sampleRate & 0x0f) << 4) | ((info.channels - 1) << 1) | ((BITS_PER_SAMPLE - 1) >> 4);
  out[17] = ((BITS_PER_SAMPLE - 1) & 0x0f) << 4;
  // MD5 of the audio: unknown, zeros.
  return out;
}

const RATE_CODES: Record<number, number> = { 8000: 0b0100, 16000: 0b0101, 22050: 0b0110, 24000: 0b0111, 32000: 0b1000, 44100: 0b1001, 48000: 0b1010, 96000: 0b1011 };

/** FLAC's "UTF-8" coding of a frame's first sample number (variable block size streams), up to 36 bits. */
function codedNumber(n: number): number[] {
  if (n < 0x80) return [n];
  const tail: number[] = [];
  let value = n;
  let k = 0; // continuation bytes; the leading byte then has k + 1 high bits set and 6 − k bits of value
  while (value >= 2 ** (6 - k)) {
    tail.unshift(0x80 | (value & 0x3f));
    value = Math.floor(value / 64);
    k++;
  }
  return [((0xff << (7 - k)) & 0xff) | value, ...tail];
}

/**
 * One FLAC frame of interleaved 16-bit samples (`samples.length` = block × channels), verbatim
 * subframes, numbered by its first sample (variable-block-size stream, so blocks may differ in length).
 */
export function flacFrame(samples: Int16Array, info: FlacStreamInfo, firstSample: number): Uint8Array {
  const block = samples.length / info.channels;
  if (!Number.isInteger(block) || block < 1 || block > 65536) throw new RangeError(`a FLAC frame holds 1–65536 samples per channel, not ${block}`);
  const header: number[] = [0xff, 0xf9]; // sync, variable block size
  const rate = RATE_CODES[info.sampleRate] ?? 0; // 0: as STREAMINFO says
  header.push((0b0111 << 4) | rate); // block size: 16-bit (block − 1) after the number
  header.push(((info.channels - 1) << 4) | (0b100 << 1)); // independent channels, 16 bits per sample
  header.push(...codedNumber(firstSample % 2 ** 36));
  header.push(((block - 1) >> 8) & 0xff, (block - 1) & 0xff);
  const size = header.length + 1 + info.channels * (1 + 2 * block) + 2;
  const out = new Uint8Array(size);
  out.set(header, 0);
  let at = header.length;
  out[at] = crc8(out, 0, at);
  at++;
  for (let ch = 0; ch < info.channels; ch++) {
    out[at++] = 0x02; // subframe: VERBATIM, no wasted bits
    for (let i = ch; i < samples.length; i += info.channels) {
      const s = samples[i]!;
      out[at++] = (s >> 8) & 0xff;
      out[at++] = s & 0xff;
    }
  }
  const crc = crc16(out, 0, at);
  out[at++] = crc >> 8;
  out[at] = crc & 0xff;
  return out;
}
