/** Real inputs for the media tests: the committed demo clips, and small clips made with ffmpeg on the spot. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Clip } from '../../../emulator/media/api';
import { CLIPS_DIRECTORY, loadClip } from '../../../emulator/media/clip-loader';

const run = promisify(execFile);

export const demoClipPath = (slug: string): string => join(CLIPS_DIRECTORY, `${slug}.mp4`);

const loaded = new Map<string, Promise<Clip>>();
export function demoClip(slug = 'gate-2'): Promise<Clip> {
  let clip = loaded.get(slug);
  if (!clip) {
    clip = loadClip(demoClipPath(slug));
    loaded.set(slug, clip);
  }
  return clip;
}

export async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kvs-media-test-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs ffmpeg quietly; these tests need it as the make-clips script does. */
export async function ffmpeg(args: readonly string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

/** A small 25 fps H.264 test pattern with key frames only at `keyframeTimes` (seconds), as a fragmented MP4. */
export async function makeFragmentedClip(path: string, seconds: number, keyframeTimes: readonly number[]): Promise<void> {
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=s=160x90:r=25:d=${seconds}`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-bf', '0', '-g', '1000', '-sc_threshold', '0',
    '-force_key_frames', keyframeTimes.join(','),
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash', '-f', 'mp4', path,
  ]);
}
