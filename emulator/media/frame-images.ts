/**
 * Still images of a clip's video frames for GetImages: JPEG or PNG, at any size, made by ffmpeg from
 * the GOPs that hold the frames asked for (every fragment opens on a key frame, so the init segment
 * and those fragments decode on their own). One ffmpeg run renders every missing image of a request
 * page; the images are kept in a cache bounded by bytes. A looped camera shows the same clip frames
 * again every loop, so a timeline of thumbnails is mostly served from the cache.
 *
 * Nothing is rendered ahead of time: a camera's frames cost ffmpeg time only once someone asks for
 * them, so starting an emulator with many cameras (or many emulators, in tests) stays cheap.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clip } from './api';
import type { JobLimiter } from './job-limiter';
import { LruCache } from './lru-cache';
import { readBoxes } from './mp4-boxes';
import { readMovieTracks } from './track-info';
import { samplesOf } from './track-split';
import { concat } from './bytes';

export type ImageFormat = 'JPEG' | 'PNG';

export interface ImageShape {
  readonly format: ImageFormat;
  /** JPEG quality 1–100 (KVS's FormatConfig JPEGQuality); PNG ignores it. */
  readonly quality: number;
  readonly width: number;
  readonly height: number;
}

/** A frame of a clip: which of its fragments, and which frame (decode order) within it. */
export interface FrameRef {
  readonly clipFragment: number;
  readonly frame: number;
}

export interface FrameImageCounts {
  /** Images made by ffmpeg. */
  rendered: number;
  /** Images answered from the cache. */
  fromCache: number;
  /** Images that could not be made (ffmpeg missing or failing): GetImages says MEDIA_ERROR for them. */
  failed: number;
}

export interface FrameImagesOptions {
  readonly ffmpegPath: string;
  readonly limiter: JobLimiter;
  /** Bytes of images kept; default 32 MiB. */
  readonly cacheBytes?: number;
  /** An ffmpeg run taking longer is killed and its images fail; default 60 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
const STDERR_KEEP = 2000;

/** KVS's JPEGQuality 1–100 onto ffmpeg's mjpeg qscale 31 (worst) … 2 (best). */
function qscale(quality: number): number {
  return Math.round(31 - ((Math.min(100, Math.max(1, quality)) - 1) * 29) / 99);
}

function encoderArguments(shape: ImageShape): string[] {
  return shape.format === 'JPEG'
    ? ['-c:v', 'mjpeg', '-q:v', String(qscale(shape.quality)), '-pix_fmt', 'yuvj420p']
    : ['-c:v', 'png', '-pix_fmt', 'rgb24'];
}

/** Runs ffmpeg with `input` on its stdin; rejects with its last lines of stderr when it fails. */
function runFfmpeg(ffmpegPath: string, args: readonly string[], input: Uint8Array, timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-loglevel', 'error', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    timer.unref();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    // ffmpeg may stop reading early (it has every frame it needs, or it failed): that is not our error.
    child.stdin.on('error', () => {});
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new Error(`ffmpeg ${signal ? `was killed (${signal})` : `exited with ${code}`}: ${stderr.trim().split('\n').slice(-2).join(' / ')}`));
    });
    child.stdin.end(input);
  });
}

export class FrameImages {
  private readonly cache: LruCache<string, Uint8Array>;
  private readonly clipIds = new WeakMap<Clip, number>();
  private readonly frameTimes = new WeakMap<Clip, Map<number, number[]>>();
  private nextClipId = 1;
  private readonly counts: FrameImageCounts = { rendered: 0, fromCache: 0, failed: 0 };

  constructor(private readonly options: FrameImagesOptions) {
    this.cache = new LruCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES, (image) => image.length);
  }

  counters(): FrameImageCounts {
    return { ...this.counts };
  }

  /**
   * The frame of clip fragment `clipFragment` showing at `offsetTicks` (video timescale) after the
   * fragment starts: the last one decoded at or before it.
   */
  frameAt(clip: Clip, clipFragment: number, offsetTicks: number): number {
    const starts = this.frameStarts(clip, clipFragment);
    let frame = 0;
    while (frame + 1 < starts.length && (starts[frame + 1] as number) <= offsetTicks) frame += 1;
    return frame;
  }

  /** The images of `frames` of `clip`'s video at `shape`, in order; undefined where one could not be made. */
  async render(clip: Clip, frames: readonly FrameRef[], shape: ImageShape): Promise<Array<Uint8Array | undefined>> {
    const keyOf = (ref: FrameRef) => `${this.clipId(clip)}/${ref.clipFragment}/${ref.frame}/${shape.format}/${shape.quality}/${shape.width}x${shape.height}`;
    const found = new Map<string, Uint8Array | undefined>();
    const missing = new Map<string, FrameRef>();
    for (const ref of frames) {
      const key = keyOf(ref);
      if (found.has(key) || missing.has(key)) continue;
      const cached = this.cache.get(key);
      if (cached) found.set(key, cached);
      else missing.set(key, ref);
    }
    if (missing.size > 0) {
      const made = await this.options.limiter.run(() => this.extract(clip, [...missing.values()], shape));
      [...missing.keys()].forEach((key, i) => {
        const image = made[i];
        found.set(key, image);
        if (image) this.cache.set(key, image);
      });
    }
    return frames.map((ref) => {
      const image = found.get(keyOf(ref));
      if (!image) this.counts.failed += 1;
      else if (missing.has(keyOf(ref))) this.counts.rendered += 1;
      else this.counts.fromCache += 1;
      return image;
    });
  }

  private clipId(clip: Clip): number {
    let id = this.clipIds.get(clip);
    if (id === undefined) {
      id = this.nextClipId++;
      this.clipIds.set(clip, id);
    }
    return id;
  }

  /** Decode offsets (ticks from the fragment's start) of each frame of a clip fragment. */
  private frameStarts(clip: Clip, clipFragment: number): number[] {
    let byFragment = this.frameTimes.get(clip);
    if (!byFragment) {
      byFragment = new Map();
      this.frameTimes.set(clip, byFragment);
    }
    let starts = byFragment.get(clipFragment);
    if (!starts) {
      const fragment = clip.fragments[clipFragment];
      if (!fragment) throw new RangeError(`clip fragment ${clipFragment} does not exist`);
      const moov = readBoxes(clip.init).find((b) => b.type === 'moov');
      const trex = moov ? readMovieTracks(clip.init, moov).video?.trex : undefined;
      let at = 0;
      starts = samplesOf(fragment.data, trex).map((sample) => {
        const start = at;
        at += sample.duration;
        return start;
      });
      byFragment.set(clipFragment, starts);
    }
    return starts;
  }

  /** One ffmpeg run over the fragments holding `refs`, selecting exactly those frames. */
  private async extract(clip: Clip, refs: readonly FrameRef[], shape: ImageShape): Promise<Array<Uint8Array | undefined>> {
    const fragments = [...new Set(refs.map((r) => r.clipFragment))].sort((a, b) => a - b);
    // Frame numbers count decoded frames across the fragments fed in, in their order.
    const firstFrame = new Map<number, number>();
    let count = 0;
    for (const index of fragments) {
      firstFrame.set(index, count);
      count += this.frameStarts(clip, index).length;
    }
    const numbers = refs.map((r) => (firstFrame.get(r.clipFragment) as number) + r.frame);
    const order = [...new Set(numbers)].sort((a, b) => a - b);
    const input = concat([clip.init, ...fragments.map((i) => (clip.fragments[i] as Clip['fragments'][number]).data)]);
    const dir = await mkdtemp(join(tmpdir(), 'kvs-emulator-images-'));
    try {
      const extension = shape.format === 'JPEG' ? 'jpg' : 'png';
      await runFfmpeg(
        this.options.ffmpegPath,
        [
          '-f', 'mp4', '-i', 'pipe:0',
          '-vf', `select='${order.map((n) => `eq(n\\,${n})`).join('+')}',scale=${shape.width}:${shape.height}:flags=bicubic`,
          '-fps_mode', 'passthrough', ...encoderArguments(shape),
          '-f', 'image2', join(dir, `%05d.${extension}`),
        ],
        input,
        this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
      const files = (await readdir(dir)).sort();
      if (files.length !== order.length) return refs.map(() => undefined);
      const images = await Promise.all(files.map(async (file) => new Uint8Array(await readFile(join(dir, file)))));
      return numbers.map((n) => images[order.indexOf(n)]);
    } catch {
      return refs.map(() => undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
