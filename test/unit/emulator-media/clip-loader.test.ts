import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODEC_SAMPLE_CLIPS, ClipLoadError, type ClipLoadErrorCode, loadClip, loadDemoCameras, SUB_STREAM_TAG } from '../../../emulator/media/clip-loader';
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
  it('load from cameras.json: six H.264 clips and three codec cameras, each of ten 2 s fragments', async () => {
    const listing = JSON.parse(await readFile(join(import.meta.dirname, '../../../emulator/clips/cameras.json'), 'utf8')) as Array<{ slug: string; name: string; subStreamOf?: string; tags: Record<string, string> }>;
    const cameras = await loadDemoCameras();
    // Sub-streams are served only when asked (next test).
    expect(cameras.map((c) => [c.slug, c.name, c.tags])).toEqual(listing.filter((c) => c.subStreamOf === undefined).map((c) => [c.slug, c.name, c.tags]));
    for (const { tags } of cameras) expect(Object.keys(tags).sort()).toEqual(['floor', 'site', 'zone']);
    expect(new Set(cameras.map((c) => c.slug)).size).toBe(9);
    expect(cameras.filter((c) => c.codecCamera).map((c) => c.slug)).toEqual(['rooftop', 'reception', 'intercom']);
    expect((await loadDemoCameras(undefined, { codecCameras: false })).map((c) => c.slug)).toEqual(cameras.filter((c) => !c.codecCamera).map((c) => c.slug));
    // Some codec cameras only, by slug (the app's demo serves H.265 and AAC); a slug that is no codec camera is refused.
    const h264 = cameras.filter((c) => !c.codecCamera).map((c) => c.slug);
    expect((await loadDemoCameras(undefined, { codecCameras: ['reception', 'rooftop'] })).map((c) => c.slug)).toEqual([...h264, 'rooftop', 'reception']);
    await expect(loadDemoCameras(undefined, { codecCameras: ['rooftop', 'lobby', 'nope'] })).rejects.toThrow("codecCameras: no codec camera called 'lobby', 'nope'; there are 'rooftop', 'reception', 'intercom'");
    for (const { name, clip, codecCamera, slug } of cameras) {
      expect(clip.name).toBe(name);
      expect(clip).toMatchObject({ width: 640, height: 360, frameRate: '25', mimeType: 'video/mp4' });
      if (slug === 'rooftop') {
        expect(clip.kvsCodecId).toBe('V_MPEGH/ISO/HEVC');
        expect(clip.codec).toMatch(/^hvc1\.1\.6\.L\d+\.[0-9A-F]+/);
      } else {
        expect(clip.kvsCodecId).toBe('V_MPEG4/ISO/AVC');
        expect(clip.codec).toMatch(/^avc1\.[0-9a-f]{6}$/);
      }
      expect(clip.audio !== undefined).toBe(codecCamera && slug !== 'rooftop');
      expect(clip.fragments).toHaveLength(10);
      clip.fragments.forEach((f, i) => {
        expect(f.durationTicks).toBe(2 * clip.timescale);
        expect(f.startTicks).toBe(i * 2 * clip.timescale);
      });
      expect(clip.totalDurationTicks).toBe(20 * clip.timescale);
      expect(readBoxes(clip.init).map((b) => b.type)).toEqual(['ftyp', 'moov']);
    }
  });

  it('carry sound as a track of its own: AAC LC at 32 kHz and G.711 A-law at 8 kHz, exactly as long as the video', async () => {
    const cameras = await loadDemoCameras();
    const reception = cameras.find((c) => c.slug === 'reception')!.clip.audio!;
    const intercom = cameras.find((c) => c.slug === 'intercom')!.clip.audio!;
    expect(reception).toMatchObject({ codec: 'mp4a.40.2', kvsCodecId: 'A_AAC', mimeType: 'audio/mp4', timescale: 32000, sampleRate: 32000, channels: 1, totalDurationTicks: 20 * 32000 });
    expect(intercom).toMatchObject({ codec: 'alaw', kvsCodecId: 'A_MS/ACM', mimeType: 'audio/mp4', timescale: 8000, sampleRate: 8000, channels: 1, totalDurationTicks: 20 * 8000 });
    for (const audio of [reception, intercom]) {
      expect(audio.fragments).toHaveLength(10);
      let start = 0;
      for (const fragment of audio.fragments) {
        // Each audio fragment holds the sound beside its video GOP: within one AAC frame of 2 s.
        expect(fragment.startTicks).toBe(start);
        expect(Math.abs(fragment.durationTicks - 2 * audio.timescale)).toBeLessThanOrEqual(1024);
        const info = readFragmentInfo(fragment.data);
        expect(info.trackId).toBe(2);
        expect(info.baseMediaDecodeTime).toBe(fragment.startTicks);
        start += fragment.durationTicks;
      }
      expect(readBoxes(audio.init).map((b) => b.type)).toEqual(['ftyp', 'moov']);
    }
  });

  it('serve three cameras\' 320×180 sub-streams when asked, each camera naming its own by tag, on the same GOPs', async () => {
    const plain = await loadDemoCameras(undefined, { codecCameras: false });
    const cameras = await loadDemoCameras(undefined, { codecCameras: false, subStreams: true });
    const subs = cameras.filter((c) => c.subStreamOf !== undefined);
    expect(subs.map((c) => [c.slug, c.subStreamOf])).toEqual([
      ['lobby-sub', 'lobby'],
      ['loading-dock-sub', 'loading-dock'],
      ['parking-north-sub', 'parking-north'],
    ]);
    expect(cameras.filter((c) => c.subStreamOf === undefined).map((c) => c.slug)).toEqual(plain.map((c) => c.slug));
    for (const sub of subs) {
      const camera = cameras.find((c) => c.slug === sub.subStreamOf)!;
      expect(camera.tags[SUB_STREAM_TAG]).toBe(sub.slug);
      expect(sub.tags[SUB_STREAM_TAG]).toBeUndefined();
      expect(sub.clip).toMatchObject({ width: 320, height: 180, frameRate: '25', kvsCodecId: 'V_MPEG4/ISO/AVC' });
      // Same fragments (2 s GOPs) as the camera's clip, so both streams show the same moment at a camera time.
      expect(sub.clip.fragments.map((f) => [f.startTicks / sub.clip.timescale, f.durationTicks / sub.clip.timescale])).toEqual(
        camera.clip.fragments.map((f) => [f.startTicks / camera.clip.timescale, f.durationTicks / camera.clip.timescale]),
      );
    }
    // Not asked: no sub-stream, and no camera names one.
    for (const camera of plain) expect(camera.tags[SUB_STREAM_TAG]).toBeUndefined();
  });

  it('refuse a sub-stream of a camera that is not in the listing', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'cameras.json'), JSON.stringify([{ slug: 'a', name: 'A', file: 'a.mp4' }, { slug: 'b-sub', name: 'B sub', file: 'b.mp4', subStreamOf: 'b' }]));
      await expect(loadDemoCameras(dir, { subStreams: true })).rejects.toThrow(/b-sub is a sub-stream of 'b', which is not another camera of the list/);
    });
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
  it('a plain (non-fragmented) MP4 with AAC sound is remuxed to a video track and an audio track, one fragment per GOP', async () => {
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
      // B-frames (libx264's default) keep their composition offsets through the split.
      expect(clip.fragments.map((f) => readFragmentInfo(f.data)).every((info) => info.trackId === 1 && info.startsWithSyncSample)).toBe(true);
      expect(clip.audio).toMatchObject({ codec: 'mp4a.40.2', kvsCodecId: 'A_AAC', channels: 1 });
      expect(clip.audio!.fragments).toHaveLength(2);
      expect(Math.abs(clip.audio!.totalDurationTicks / clip.audio!.timescale - 2)).toBeLessThan(0.1);
    });
  });

  it('G.711 sound, which ffmpeg\'s mp4 muxer refuses, is remuxed through its mov muxer into an alaw track', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'intercom.mov');
      await ffmpeg([
        '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=25:d=2', '-f', 'lavfi', '-i', 'sine=d=2:sample_rate=8000',
        '-c:v', 'libx264', '-bf', '0', '-g', '25', '-c:a', 'pcm_alaw', '-shortest', '-f', 'mov', path,
      ]);
      const clip = await loadClip(path);
      expect(clip.fragments).toHaveLength(2);
      expect(clip.audio).toMatchObject({ codec: 'alaw', kvsCodecId: 'A_MS/ACM', sampleRate: 8000, channels: 1, totalDurationTicks: 2 * 8000 });
      expect(readFragmentInfo(clip.audio!.fragments[1]!.data)).toMatchObject({ trackId: 2, baseMediaDecodeTime: clip.audio!.fragments[1]!.startTicks });
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
