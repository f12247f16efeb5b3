import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeG711, g711LawOf, g711Table } from '../../../renderer/src/player/codecs/g711';

const run = promisify(execFile);

/** Every code 0..255 decoded by ffmpeg's own pcm_alaw / pcm_mulaw decoder: an independent implementation. */
async function ffmpegTable(format: 'alaw' | 'mulaw'): Promise<Int16Array> {
  const child = execFile('ffmpeg', ['-v', 'error', '-f', format, '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 's16le', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 20 });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`)))));
  child.stdin!.end(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  await done;
  const bytes = Buffer.concat(chunks);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('G.711 expansion', () => {
  it('matches the ITU-T G.711 A-law decoder outputs (Table 1a, ×8 to 16 bits)', () => {
    const a = g711Table('alaw');
    // Line codes are the table's codes with even bits inverted (xor 0x55); bit 7 set = positive.
    expect(a[0xd5]).toBe(8); // segment 0, step 0: decoder output 1
    expect(a[0x55]).toBe(-8);
    expect(a[0xd4]).toBe(24); // segment 0, step 1: 3
    expect(a[0xc5]).toBe(264); // segment 1, step 0: 33
    expect(a[0xf5]).toBe(528); // segment 2, step 0: 66
    expect(a[0xe5]).toBe(1056); // segment 3, step 0: 132
    expect(a[0xaa]).toBe(32256); // segment 7, step 15: 4032, the largest
    expect(a[0x2a]).toBe(-32256);
  });

  it('matches the ITU-T G.711 µ-law decoder outputs (Table 2a, ×4 to 16 bits)', () => {
    const u = g711Table('ulaw');
    expect(u[0xff]).toBe(0); // positive zero
    expect(u[0x7f]).toBe(0); // negative zero
    expect(u[0xfe]).toBe(8); // segment 0, step 1: 2
    expect(u[0xef]).toBe(132); // segment 1, step 0: 33
    expect(u[0x80]).toBe(32124); // segment 7, step 15: 8031, the largest
    expect(u[0x00]).toBe(-32124);
  });

  it('is odd-symmetric: flipping the sign bit negates the sample', () => {
    for (const law of ['alaw', 'ulaw'] as const) {
      const t = g711Table(law);
      for (let code = 0; code < 128; code++) expect(t[code]! + t[code | 0x80]!, `${law} ${code}`).toBe(0);
    }
  });

  it('agrees with ffmpeg on all 256 codes of both laws', async () => {
    expect(Array.from(g711Table('alaw'))).toEqual(Array.from(await ffmpegTable('alaw')));
    expect(Array.from(g711Table('ulaw'))).toEqual(Array.from(await ffmpegTable('mulaw')));
  });

  it('decodes a buffer, into a given output or a new one, and refuses a short output', () => {
    const codes = new Uint8Array([0xd5, 0x55, 0xaa]);
    expect(Array.from(decodeG711('alaw', codes))).toEqual([8, -8, 32256]);
    const out = new Int16Array(4);
    expect(decodeG711('ulaw', new Uint8Array([0x80, 0x00]), out)).toBe(out);
    expect(Array.from(out)).toEqual([32124, -32124, 0, 0]);
    expect(() => decodeG711('alaw', codes, new Int16Array(2))).toThrow(/holds 2 samples, input has 3/);
  });

  it('names the law of a codec string', () => {
    expect(g711LawOf('alaw')).toBe('alaw');
    expect(g711LawOf(' ULAW ')).toBe('ulaw');
    expect(g711LawOf('mulaw')).toBe('ulaw');
    expect(g711LawOf('mp4a.40.2')).toBeUndefined();
    expect(g711LawOf(undefined)).toBeUndefined();
  });
});
