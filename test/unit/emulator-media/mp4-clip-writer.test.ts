import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { clipSelection, MAX_CLIP_BYTES, MAX_CLIP_FRAGMENTS } from '../../../emulator/archived-media/get-clip';
import { loadClip } from '../../../emulator/media/clip-loader';
import { writeClipMp4 } from '../../../emulator/media/mp4-clip-writer';
import { readBoxes } from '../../../emulator/media/mp4-boxes';
import { demoClip, ffmpeg, withTempDir } from './media-fixtures';

const run = promisify(execFile);

async function probe(path: string): Promise<Array<{ codec_name: string; nb_frames: string; duration: string; has_b_frames?: number }>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_frames,duration,has_b_frames', '-of', 'json', path]);
  return (JSON.parse(stdout) as { streams: Array<{ codec_name: string; nb_frames: string; duration: string }> }).streams;
}

describe('a clip written as a traditional MP4', () => {
  it('holds every sample of the fragments given, in ftyp, moov, mdat order, and decodes as long as they last', async () => {
    const clip = await demoClip('intercom');
    const picked = [3, 4, 5];
    const bytes = writeClipMp4(
      { init: clip.init, fragments: picked.map((i) => clip.fragments[i]!.data) },
      { init: clip.audio!.init, fragments: picked.map((i) => clip.audio!.fragments[i]!.data) },
    );
    expect(readBoxes(bytes).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    await withTempDir(async (dir) => {
      const path = join(dir, 'clip.mp4');
      await writeFile(path, bytes);
      const [video, audio] = await probe(path);
      expect(video).toMatchObject({ codec_name: 'h264', nb_frames: '150' });
      expect(Number(video!.duration)).toBeCloseTo(6, 3);
      expect(audio).toMatchObject({ codec_name: 'pcm_alaw' });
      expect(Number(audio!.duration)).toBeCloseTo(6, 3);
    });
  });

  it('keeps B-frames\' composition offsets (ctts) so every frame decodes in order', async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, 'b-frames.mp4');
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=4', '-c:v', 'libx264', '-bf', '3', '-g', '25', '-sc_threshold', '0', source]);
      const clip = await loadClip(source);
      const bytes = writeClipMp4({ init: clip.init, fragments: clip.fragments.map((f) => f.data) });
      expect(Buffer.from(bytes).includes('ctts')).toBe(true);
      const path = join(dir, 'clip.mp4');
      await writeFile(path, bytes);
      const [video] = await probe(path);
      expect(video).toMatchObject({ codec_name: 'h264', nb_frames: '100' });
      expect(video!.has_b_frames).toBeGreaterThan(0);
    });
  });

  it('refuses an empty clip and tracks that disagree on their fragments', async () => {
    const clip = await demoClip('reception');
    expect(() => writeClipMp4({ init: clip.init, fragments: [] })).toThrow(/at least one fragment/);
    expect(() => writeClipMp4({ init: clip.init, fragments: [clip.fragments[0]!.data] }, { init: clip.audio!.init, fragments: [] })).toThrow(/one fragment each/);
  });
});

describe('which fragments a clip takes', () => {
  it('the first 200 fragments, or the first 100 MB, whichever comes first; never none', () => {
    const many = Array.from({ length: 250 }, (_, i) => i);
    expect(clipSelection(many, () => 1000)).toHaveLength(MAX_CLIP_FRAGMENTS);
    const heavy = clipSelection(many, () => 1024 * 1024);
    expect(heavy).toHaveLength(100);
    expect(heavy.length * 1024 * 1024).toBeLessThanOrEqual(MAX_CLIP_BYTES);
    expect(clipSelection([7], () => MAX_CLIP_BYTES + 1)).toEqual([7]);
    expect(clipSelection([], () => 1)).toEqual([]);
  });
});
