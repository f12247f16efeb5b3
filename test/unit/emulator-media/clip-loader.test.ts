import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODEC_SAMPLE_CLIPS, ClipLoadError, type ClipLoadErrorCode, loadClip, loadDemoCameras } from '../../../emulator/media/clip-loader';
import { readFragmentInfo } from '../../../emulator/media/fragment-info';
import { readBoxes } from '../../../emulator/media/mp4-boxes';
import { demoClipPath, ffmpeg, withTempDir } from './media-fixtures';

async function loadError(promise: Promise<unknown>): Promise<ClipLoadError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClipLoadError) return error;
    throw error;
  }
  throw new Error('expected the load to fail');
}

async function expectRejection(promise: Promise<unknown>, code: ClipLoadErrorCode, message: RegExp): Promise<void> {
  const error = await loadError(promise);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
}

describe('the demo cameras', () => {
  it('load from cameras.json as six named H.264 clips of ten 2 s fragments', async () => {
    const listing = JSON.parse(await readFile(join(import.meta.dirname, '../../../emulator/clips/cameras.json'), 'utf8')) as Array<{ slug: string; name: string; tags: Record<string, string> }>;
    const cameras = await loadDemoCameras();
    expect(cameras.map((c) => [c.slug, c.name, c.tags])).toEqual(listing.map((c) => [c.slug, c.name, c.tags]));
    for (const { tags } of cameras) expect(Object.keys(tags).sort()).toEqual(['floor', 'site', 'zone']);
    expect(new Set(cameras.map((c) => c.slug)).size).toBe(6);
    for (const { name, clip } of cameras) {
      expect(clip.name).toBe(name);
      expect(clip).toMatchObject({ kvsCodecId: 'V_MPEG4/ISO/AVC', width: 640, height: 360, frameRate: '25', mimeType: 'video/mp4' });
      expect(clip.codec).toMatch(/^avc1\.[0-9a-f]{6}$/);
      expect(clip.fragments).toHaveLength(10);
      clip.fragments.forEach((f, i) => {
        expect(f.durationTicks).toBe(2 * clip.timescale);
        expect(f.startTicks).toBe(i * 2 * clip.timescale);
      });
      expect(clip.totalDurationTicks).toBe(20 * clip.timescale);
      expect(readBoxes(clip.init).map((b) => b.type)).toEqual(['ftyp', 'moov']);
    }
  });

  it('refuse a listing whose tags KVS would not accept, naming the problem', async () => {
    await withTempDir(async (dir) => {
      const write = (tags: unknown) => writeFile(join(dir, 'cameras.json'), JSON.stringify([{ slug: 'a', name: 'A', file: 'a.mp4', tags }]));
      await write({ site: 3 });
      await expect(loadDemoCameras(dir)).rejects.toThrow(/cameras\.json must be an array .* 0\.tags\.site/);
      await write(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])));
      await expect(loadDemoCameras(dir)).rejects.toThrow(/has 51 tags; a stream may have at most 50/);
      await write({ ['k'.repeat(129)]: 'v' });
      await expect(loadDemoCameras(dir)).rejects.toThrow(/tag key of 129 characters/);
    });
  });

  it('split into self-contained fragments: sidx, moof, mdat, each readable on its own', async () => {
    const [camera] = await loadDemoCameras();
    for (const fragment of camera!.clip.fragments) {
      expect(readBoxes(fragment.data).map((b) => b.type)).toEqual(['sidx', 'moof', 'mdat']);
      expect(readFragmentInfo(fragment.data).baseMediaDecodeTime).toBe(fragment.startTicks);
    }
  });
});

describe('codecs other than H.264', () => {
  it('an H.265 clip loads as HEVC', async () => {
    const clip = await loadClip(CODEC_SAMPLE_CLIPS.hevc);
    expect(clip.kvsCodecId).toBe('V_MPEGH/ISO/HEVC');
    expect(clip.codec).toMatch(/^hvc1\./);
    expect(clip.fragments).toHaveLength(2);
  });

  it('an MPEG-4 Part 2 clip loads with a non-AVC codec id', async () => {
    const clip = await loadClip(CODEC_SAMPLE_CLIPS.mpeg4Part2, 'Old Camera');
    expect(clip.name).toBe('Old Camera');
    expect(clip.kvsCodecId).toBe('V_MPEG4/ISO/ASP');
    expect(clip.codec).toBe('mp4v');
  });
});

describe('files that need reshaping first', () => {
  it('a plain (non-fragmented) MP4 with audio is remuxed to video-only fragments, one per GOP', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'plain camera.mp4');
      await ffmpeg([
        '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=25:d=2', '-f', 'lavfi', '-i', 'sine=d=2',
        '-c:v', 'libx264', '-g', '25', '-c:a', 'aac', '-shortest', path,
      ]);
      expect(readBoxes(new Uint8Array(await readFile(path))).some((b) => b.type === 'moof')).toBe(false);
      const clip = await loadClip(path);
      expect(clip.name).toBe('plain camera');
      expect(clip.codec).toMatch(/^avc1\./);
      expect(clip.fragments).toHaveLength(2);
      expect(clip.totalDurationTicks).toBe(2 * clip.timescale);
      expect(readBoxes(clip.init).map((b) => b.type)).toEqual(['ftyp', 'moov']);
    });
  });

  it('fragments that cut GOPs in the middle are re-cut at key frames', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'half-second-fragments.mp4');
      await ffmpeg([
        '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=4', '-c:v', 'libx264', '-bf', '0', '-g', '50', '-sc_threshold', '0',
        '-movflags', '+empty_moov+default_base_moof', '-frag_duration', '500000', '-f', 'mp4', path,
      ]);
      expect(readBoxes(new Uint8Array(await readFile(path))).filter((b) => b.type === 'moof').length).toBeGreaterThan(2);
      const clip = await loadClip(path);
      expect(clip.fragments.map((f) => f.durationTicks / clip.timescale)).toEqual([2, 2]);
    });
  });

  it('without ffmpeg, a plain MP4 is refused with a message saying how to convert it', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'plain.mp4');
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=1', '-c:v', 'libx264', path]);
      await expectRejection(loadClip(path, undefined, { ffmpegPath: join(dir, 'no-such-ffmpeg') }), 'REMUX_UNAVAILABLE', /not a fragmented MP4.*ffmpeg.*was not found.*-movflags/);
    });
  });
});

describe('files that cannot become a stream', () => {
  it('a truncated clip', async () => {
    await withTempDir(async (dir) => {
      const whole = await readFile(demoClipPath('lobby'));
      const path = join(dir, 'cut.mp4');
      await writeFile(path, whole.subarray(0, Math.floor(whole.length * 0.6)));
      await expectRejection(loadClip(path), 'TRUNCATED', /cut\.mp4' is cut off: .*box 'mdat' at byte \d+.*incomplete/);
    });
  });

  it('a text file', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'notes.mp4');
      await writeFile(path, 'These are not the frames you are looking for.\n');
      await expectRejection(loadClip(path), 'NOT_MP4', /notes\.mp4' is not an MP4 file/);
    });
  });

  it('a zero-byte file', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'empty.mp4');
      await writeFile(path, '');
      await expectRejection(loadClip(path), 'EMPTY', /empty\.mp4' is empty \(0 bytes\)/);
    });
  });

  it('a missing file, a folder, and no name at all', async () => {
    await withTempDir(async (dir) => {
      await expectRejection(loadClip(join(dir, 'nope.mp4')), 'NOT_FOUND', /nope\.mp4' does not exist/);
      await mkdir(join(dir, 'folder.mp4'));
      await expectRejection(loadClip(join(dir, 'folder.mp4')), 'NOT_A_FILE', /folder\.mp4' is not a file/);
      await expectRejection(loadClip(''), 'NOT_FOUND', /no clip file was named/);
    });
  });

  it('a file over the size cap, refused before it is read', async () => {
    await expectRejection(loadClip(demoClipPath('gate-2'), undefined, { maxBytes: 100_000 }), 'TOO_LARGE', /is \d+ bytes; clips are limited to 100000 bytes/);
  });

  it('an MP4 with no video track', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'sound.mp4');
      await ffmpeg(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', path]);
      await expectRejection(loadClip(path), 'NO_VIDEO_TRACK', /sound\.mp4' has no video track \(its tracks: soun\)/);
    });
  });

  it('a fragmented MP4 header with no fragments', async () => {
    await withTempDir(async (dir) => {
      const whole = new Uint8Array(await readFile(demoClipPath('gate-2')));
      const moov = readBoxes(whole).find((b) => b.type === 'moov')!;
      const path = join(dir, 'header-only.mp4');
      await writeFile(path, whole.subarray(0, moov.end));
      await expectRejection(loadClip(path), 'NO_FRAGMENTS', /header-only\.mp4' is a fragmented MP4 with no fragments/);
    });
  });

  it('a movie header whose boxes contradict each other', async () => {
    await withTempDir(async (dir) => {
      const whole = new Uint8Array(await readFile(demoClipPath('gate-2')));
      const trak = readBoxes(whole, readBoxes(whole).find((b) => b.type === 'moov')!.payloadStart).find((b) => b.type === 'trak')!;
      const lying = whole.slice();
      new DataView(lying.buffer).setUint32(trak.start, 0x7fff); // trak now claims to run far past moov
      const path = join(dir, 'lying.mp4');
      await writeFile(path, lying);
      await expectRejection(loadClip(path), 'MALFORMED', /lying\.mp4' has an unreadable movie header: .*box 'trak' at byte \d+/);
    });
  });
});
