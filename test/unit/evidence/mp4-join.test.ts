import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeClipMp4 } from '../../../emulator/media/mp4-clip-writer';
import { box, fullBox, Mp4Error, readBoxes } from '../../../main/evidence/mp4/boxes';
import { planJoin } from '../../../main/evidence/mp4/join';
import { readMovie, type Movie, type Track } from '../../../main/evidence/mp4/movie';
import { durationMs, joinMp4Files, readMp4File } from '../../../main/evidence/mp4/mp4-file';
import { demoClip, ffmpeg, withTempDir } from '../emulator-media/media-fixtures';

const run = promisify(execFile);

/** Every packet ffprobe sees: stream, decode and presentation time, size, key flag. */
async function packets(path: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'packet=stream_index,pts,dts,size,flags', '-of', 'csv=p=0', path], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim().split('\n');
}

async function probe(path: string): Promise<{ duration: number; codecs: string[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', path]);
  const parsed = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_name: string }> };
  return { duration: Number(parsed.format.duration), codecs: parsed.streams.map((s) => s.codec_name) };
}

/** Decodes every frame; ffmpeg prints nothing at level `error` when the file is sound. */
async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-f', 'null', '-']);
  return stderr.trim();
}

/** The media data of a traditional MP4: its mdat's payload. */
async function mdatPayload(path: string): Promise<Buffer> {
  const bytes = await readFile(path);
  const mdat = readBoxes(bytes).find((b) => b.type === 'mdat');
  if (!mdat) throw new Error('no mdat');
  return bytes.subarray(mdat.payload, mdat.end);
}

describe('joining GetClip parts into one MP4', () => {
  it.each([
    ['gate-2', ['h264']],
    ['reception', ['h264', 'aac']],
    ['rooftop', ['hevc']],
    ['intercom', ['h264', 'pcm_alaw']],
  ] as const)('%s: three parts join into exactly the clip of all their fragments (%s)', async (slug, codecs) => {
    const clip = await demoClip(slug);
    const n = clip.fragments.length;
    expect(n).toBeGreaterThanOrEqual(3);
    const cuts = [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n];
    const source = (from: number, to: number) => ({
      video: { init: clip.init, fragments: clip.fragments.slice(from, to).map((f) => f.data) },
      audio: clip.audio ? { init: clip.audio.init, fragments: clip.audio.fragments.slice(from, to).map((f) => f.data) } : undefined,
    });
    await withTempDir(async (dir) => {
      const whole = source(0, n);
      await writeFile(join(dir, 'whole.mp4'), writeClipMp4(whole.video, whole.audio));
      const parts = [];
      for (let p = 0; p < 3; p++) {
        const s = source(cuts[p]!, cuts[p + 1]!);
        const path = join(dir, `part${p + 1}.mp4`);
        await writeFile(path, writeClipMp4(s.video, s.audio));
        parts.push(await readMp4File(path));
      }
      const progress: number[] = [];
      const result = await joinMp4Files(parts, join(dir, 'joined.mp4'), { onProgress: (copied) => progress.push(copied) });
      expect(result).toMatchObject({ joined: true, bytes: (await stat(join(dir, 'joined.mp4'))).size });
      expect(progress.at(-1)).toBe(parts.reduce((sum, p) => sum + p.span.end - p.span.start, 0));

      // The same samples, in the same order, with the same times, as the clip made in one go.
      expect(await packets(join(dir, 'joined.mp4'))).toEqual(await packets(join(dir, 'whole.mp4')));
      expect((await mdatPayload(join(dir, 'joined.mp4'))).equals(await mdatPayload(join(dir, 'whole.mp4')))).toBe(true);
      const probed = await probe(join(dir, 'joined.mp4'));
      expect(probed.codecs).toEqual(codecs);
      expect(probed.duration * 1000).toBeCloseTo(durationMs((await readMp4File(join(dir, 'whole.mp4'))).movie), -1);
      if (slug !== 'rooftop') expect(await decodeErrors(join(dir, 'joined.mp4'))).toBe('');
    });
  });

  it('joins an encoder\'s own MP4s with B-frames and an edit list, keeping the first part\'s edit', async () => {
    await withTempDir(async (dir) => {
      // Three parts encoded alike (same codec configuration), each starting its picture two frames in.
      for (let p = 0; p < 3; p++) {
        await ffmpeg([
          '-f', 'lavfi', '-i', `testsrc2=s=160x90:r=25:d=6`, '-ss', String(2 * p), '-t', '2',
          '-c:v', 'libx264', '-bf', '2', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', join(dir, `part${p}.mp4`),
        ]);
      }
      const parts = await Promise.all([0, 1, 2].map((p) => readMp4File(join(dir, `part${p}.mp4`))));
      const firstEdit = parts[0]!.movie.tracks[0]!.edit;
      expect(firstEdit).toMatchObject({ mediaTime: expect.any(Number) });
      expect(parts[0]!.movie.tracks[0]!.compositionOffsets).toBeDefined();

      const result = await joinMp4Files(parts, join(dir, 'joined.mp4'));
      expect(result.joined).toBe(true);
      const joined = await readMp4File(join(dir, 'joined.mp4'));
      expect(joined.movie.tracks[0]!.edit).toEqual(firstEdit);
      expect(joined.movie.tracks[0]!.sizes).toHaveLength(150);
      expect(joined.movie.tracks[0]!.sync).toEqual([1, 51, 101]);
      const probed = await probe(join(dir, 'joined.mp4'));
      expect(probed.codecs).toEqual(['h264']);
      expect(probed.duration).toBeCloseTo(6, 1);
      expect(await decodeErrors(join(dir, 'joined.mp4'))).toBe('');
      const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(dir, 'joined.mp4')]);
      expect(Number(stdout.trim())).toBe(150);
    });
  });

  it('keeps parts apart when their edit lists differ (an encoder\'s audio priming per segment)', async () => {
    await withTempDir(async (dir) => {
      await ffmpeg([
        '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=6', '-f', 'lavfi', '-i', 'sine=f=440:d=6',
        '-c:v', 'libx264', '-bf', '2', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '64k', join(dir, 'source.mp4'),
      ]);
      await ffmpeg(['-i', join(dir, 'source.mp4'), '-c', 'copy', '-f', 'segment', '-segment_time', '2', '-reset_timestamps', '1', '-segment_format', 'mp4', join(dir, 'seg%d.mp4')]);
      const names = (await readdir(dir)).filter((n) => /^seg\d\.mp4$/.test(n)).sort();
      const parts = await Promise.all(names.map((n) => readMp4File(join(dir, n))));
      const result = await joinMp4Files(parts, join(dir, 'joined.mp4'));
      expect(result).toEqual({ joined: false, reason: expect.stringMatching(/edit list|starts its picture/) });
    });
  });

  it('refuses to join parts whose codec configuration differs, and writes nothing', async () => {
    await withTempDir(async (dir) => {
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'a.mp4')]);
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=25:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'b.mp4')]);
      const parts = [await readMp4File(join(dir, 'a.mp4')), await readMp4File(join(dir, 'b.mp4'))];
      const result = await joinMp4Files(parts, join(dir, 'joined.mp4'));
      expect(result).toEqual({ joined: false, reason: expect.stringContaining('another codec configuration') });
      await expect(stat(join(dir, 'joined.mp4'))).rejects.toMatchObject({ code: 'ENOENT' });

      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=2', '-f', 'lavfi', '-i', 'sine=d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', join(dir, 'c.mp4')]);
      const withSound = await joinMp4Files([parts[0]!, await readMp4File(join(dir, 'c.mp4'))], join(dir, 'joined.mp4'));
      expect(withSound).toEqual({ joined: false, reason: 'part 2 has 2 tracks, part 1 has 1' });
    });
  });

  it('reads a cut-off or damaged file as an Mp4Error, never a crash', async () => {
    const clip = await demoClip('gate-2');
    const good = writeClipMp4({ init: clip.init, fragments: clip.fragments.slice(0, 2).map((f) => f.data) });
    await withTempDir(async (dir) => {
      const path = join(dir, 'bad.mp4');
      await writeFile(path, good.subarray(0, good.length - 1000));
      await expect(readMp4File(path)).rejects.toBeInstanceOf(Mp4Error);
      await writeFile(path, Buffer.from('not an mp4 file at all, just text'));
      await expect(readMp4File(path)).rejects.toBeInstanceOf(Mp4Error);

      // Damage the moov byte by byte (a deterministic sample of positions): each read either works or says Mp4Error.
      const moov = readBoxes(good).find((b) => b.type === 'moov')!;
      let refused = 0;
      for (let at = moov.start; at < moov.end; at += 7) {
        const damaged = Uint8Array.from(good);
        damaged[at] = (damaged[at]! + 0x5b) & 0xff;
        await writeFile(path, damaged);
        try {
          await readMp4File(path);
        } catch (err) {
          expect(err).toBeInstanceOf(Mp4Error);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
    });
  });
});

describe('the joined moov', () => {
  /** A one-track movie with `chunks` chunks of one 1000-byte sample each, whose data spans `span` bytes. */
  function movie(chunks: number, span: number): Movie {
    const stsd = fullBox('stsd', 0, 0, Uint8Array.of(0, 0, 0, 1), box('avc1', new Uint8Array(78)));
    const track: Track = {
      id: 1,
      handler: 'vide',
      timescale: 90_000,
      language: 0x55c4,
      stsd,
      hdlr: fullBox('hdlr', 0, 0, new Uint8Array(4), new TextEncoder().encode('vide'), new Uint8Array(13)),
      mediaHeader: fullBox('vmhd', 0, 1, new Uint8Array(8)),
      dinf: box('dinf', fullBox('dref', 0, 0, Uint8Array.of(0, 0, 0, 1), fullBox('url ', 0, 1))),
      tkhd: { flags: 3, rest: new Uint8Array(60) },
      edit: undefined,
      selfContained: true,
      sizes: new Array<number>(chunks).fill(1000),
      durations: [[chunks, 3600]],
      compositionOffsets: undefined,
      sync: [1],
      chunks: Array.from({ length: chunks }, (_, i) => ({ offset: 100 + Math.floor((i * (span - 1000)) / Math.max(1, chunks - 1)), samples: 1, descriptionIndex: 1 })),
    };
    return { timescale: 1000, mvhdRest: new Uint8Array(80), tracks: [track], fragmented: false };
  }

  it('uses 64-bit chunk offsets and a 64-bit mdat size when the joined data passes 4 GiB', () => {
    const threeGiB = 3 * 2 ** 30;
    const parts = [movie(3, threeGiB), movie(3, threeGiB)].map((m) => ({ movie: m, span: { start: 100, end: 100 + threeGiB } }));
    const plan = planJoin(parts);
    if (!plan.ok) throw new Error(plan.reason);
    const ftyp = box('ftyp', new TextEncoder().encode('isom'), new Uint8Array(4));
    const head = plan.layout.head(ftyp);
    const [, moovBox, mdat] = readBoxes(head.subarray(0, head.length - 16)).concat([]);
    expect(moovBox!.type).toBe('moov');
    expect(mdat).toBeUndefined();
    // The mdat header: size 1, then the 64-bit size.
    const tail = head.subarray(head.length - 16);
    expect(new TextDecoder().decode(tail.subarray(4, 8))).toBe('mdat');
    expect(new DataView(tail.buffer, tail.byteOffset).getUint32(0)).toBe(1);
    expect(Number(new DataView(tail.buffer, tail.byteOffset).getBigUint64(8))).toBe(2 * threeGiB + 16);
    const joined = readMovie(head.subarray(moovBox!.start, moovBox!.end));
    const offsets = joined.tracks[0]!.chunks.map((c) => c.offset);
    const dataStart = head.length;
    expect(offsets[0]).toBe(dataStart);
    expect(offsets[3]).toBe(dataStart + threeGiB);
    expect(offsets[5]).toBeGreaterThan(2 ** 32);
    expect(joined.tracks[0]!.sizes).toHaveLength(6);
    expect(joined.tracks[0]!.sync).toEqual([1, 4]);
  });
});
