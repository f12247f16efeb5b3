import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClip } from '../../../emulator/media/clip-loader';
import { crc16, crc8, flacFrame, streamInfoBlock } from '../../../renderer/src/player/codecs/flac';
import { convertG711Fragment, convertG711Init } from '../../../renderer/src/player/codecs/g711-to-flac';
import { Mp4Error } from '../../../renderer/src/player/codecs/mp4-boxes';

const run = promisify(execFile);
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kvs-g711-flac-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The intercom demo camera's G.711 A-law track, split as the emulator serves it (KVS's TrackNumber=2). */
async function intercomAudio() {
  const clip = await loadClip(join(import.meta.dirname, '..', '..', '..', 'emulator', 'clips', 'intercom.mp4'));
  if (!clip.audio) throw new Error('intercom has no audio');
  return clip.audio;
}

/** What ffmpeg makes of a file: codec, rate, channels, and the PCM it decodes to. */
async function decode(name: string, bytes: Uint8Array): Promise<{ codec: string; rate: number; channels: number; pcm: Buffer }> {
  const file = join(scratch, name);
  await writeFile(file, bytes);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', file]);
  const s = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; sample_rate: string; channels: number }> }).streams[0]!;
  const { stdout: pcm } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-'], { encoding: 'buffer', maxBuffer: 64 << 20 });
  return { codec: s.codec_name, rate: Number(s.sample_rate), channels: s.channels, pcm };
}

describe('G.711 in MP4 → FLAC in MP4', () => {
  it('gives the same PCM as ffmpeg decoding the G.711 track, as FLAC that ffmpeg verifies (CRCs)', async () => {
    const audio = await intercomAudio();
    const { init, track } = convertG711Init(audio.init);
    expect(track).toMatchObject({ law: 'alaw', channels: 1, sampleRate: 8000, timescale: 8000 });
    const fragments = audio.fragments.slice(0, 3).map((f) => f.data);
    const original = await decode('alaw.mp4', Buffer.concat([audio.init, ...fragments]));
    const flac = await decode('flac.mp4', Buffer.concat([init, ...fragments.map((f) => convertG711Fragment(f, track))]));
    expect(original).toMatchObject({ codec: 'pcm_alaw', rate: 8000, channels: 1 });
    expect(flac).toMatchObject({ codec: 'flac', rate: 8000, channels: 1 });
    expect(flac.pcm.length).toBe(original.pcm.length);
    expect(flac.pcm.length).toBeGreaterThan(3 * 8000); // three 2 s fragments of 8 kHz 16-bit sound
    expect(flac.pcm.equals(original.pcm)).toBe(true);
    // ffmpeg's FLAC parser checks each frame's CRC-8 and CRC-16 and logs (then drops) bad ones.
    const { stderr } = await run('ffmpeg', ['-v', 'warning', '-err_detect', 'crccheck', '-i', join(scratch, 'flac.mp4'), '-f', 'null', '-']);
    expect(stderr).toBe('');
  });

  it('does the same for a µ-law track (the intercom camera re-muxed by ffmpeg with pcm_mulaw, `ulaw` entry)', async () => {
    const source = join(import.meta.dirname, '..', '..', '..', 'emulator', 'clips', 'intercom.mp4');
    const file = join(scratch, 'ulaw-camera.mp4');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', source, '-map', '0', '-c:v', 'copy', '-c:a', 'pcm_mulaw', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash', '-f', 'mov', file]);
    const audio = (await loadClip(file)).audio!;
    const { init, track } = convertG711Init(audio.init);
    expect(track).toMatchObject({ law: 'ulaw', channels: 1, sampleRate: 8000 });
    const fragments = audio.fragments.slice(0, 2).map((f) => f.data);
    const original = await decode('ulaw.mp4', Buffer.concat([audio.init, ...fragments]));
    const flac = await decode('flac-ulaw.mp4', Buffer.concat([init, ...fragments.map((f) => convertG711Fragment(f, track))]));
    expect(original).toMatchObject({ codec: 'pcm_mulaw', rate: 8000, channels: 1 });
    expect(flac).toMatchObject({ codec: 'flac', rate: 8000, channels: 1 });
    expect(flac.pcm.length).toBeGreaterThan(2 * 8000);
    expect(flac.pcm.equals(original.pcm)).toBe(true);
  });

  it('keeps each fragment on its timeline: same decode time, durations and sequence number', async () => {
    const audio = await intercomAudio();
    const { track } = convertG711Init(audio.init);
    const fragment = audio.fragments[1]!.data;
    const out = convertG711Fragment(fragment, track);
    const tfdtOf = (b: Uint8Array) => {
      const at = Buffer.from(b).indexOf('tfdt');
      return b[at + 4] === 1 ? Number(Buffer.from(b).readBigUInt64BE(at + 8)) : Buffer.from(b).readUInt32BE(at + 8);
    };
    const seqOf = (b: Uint8Array) => Buffer.from(b).readUInt32BE(Buffer.from(b).indexOf('mfhd') + 8);
    expect(tfdtOf(out)).toBe(tfdtOf(fragment));
    expect(seqOf(out)).toBe(seqOf(fragment));
    expect(tfdtOf(out)).toBeGreaterThan(0);
  });

  it('refuses what it cannot convert, saying what it found', async () => {
    const audio = await intercomAudio();
    const aac = (await loadClip(join(import.meta.dirname, '..', '..', '..', 'emulator', 'clips', 'reception.mp4'))).audio!;
    expect(() => convertG711Init(aac.init)).toThrow(/sample entry 'mp4a' is not G.711/);
    expect(() => convertG711Init(audio.init.subarray(0, 100))).toThrow(Mp4Error);
    const { track } = convertG711Init(audio.init);
    const cut = audio.fragments[0]!.data.subarray(0, 2000);
    expect(() => convertG711Fragment(cut, track)).toThrow(Mp4Error);
    expect(() => convertG711Fragment(new Uint8Array(16), track)).toThrow(Mp4Error);
  });
});

describe('verbatim FLAC framing', () => {
  it('uses the FLAC checksums (CRC-8 0x07, CRC-16 0x8005) with their check values', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc8(check)).toBe(0xf4); // CRC-8/SMBUS check value
    expect(crc16(check)).toBe(0xfee8); // CRC-16/UMTS (BUYPASS) check value
  });

  it('writes STREAMINFO as FLAC lays it out', () => {
    const block = streamInfoBlock({ sampleRate: 8000, channels: 1, minBlock: 16, maxBlock: 65535 });
    expect(block.length).toBe(38);
    expect(Array.from(block.subarray(0, 4))).toEqual([0x80, 0, 0, 34]);
    // 8000 Hz = 0x01F40 in 20 bits, mono (0), 16 bits (15).
    expect(Array.from(block.subarray(14, 18))).toEqual([0x01, 0xf4, 0x00, 0xf0]);
    expect(() => streamInfoBlock({ sampleRate: 8000, channels: 9, minBlock: 16, maxBlock: 100 })).toThrow(/1–8 channels/);
  });

  it('numbers frames by their first sample in FLAC’s UTF-8 coding', () => {
    const info = { sampleRate: 8000, channels: 1, minBlock: 16, maxBlock: 65535 };
    const header = (n: number) => Array.from(flacFrame(new Int16Array(4), info, n).subarray(4, 11));
    expect(header(5)[0]).toBe(5);
    expect(header(0x80).slice(0, 2)).toEqual([0xc2, 0x80]);
    expect(header(0x1_0000).slice(0, 4)).toEqual([0xf0, 0x90, 0x80, 0x80]);
    expect(header(2 ** 36 - 1).slice(0, 7)).toEqual([0xfe, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf]);
    expect(() => flacFrame(new Int16Array(3), { ...info, channels: 2 }, 0)).toThrow(/not 1.5/);
  });
});
