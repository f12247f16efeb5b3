/**
 * Many distinct cameras out of the few shipped clips, for large walls: camera i re-encodes shipped
 * clip i mod n with its own name burned into the picture (over the clip's own name), at 320×180 so a
 * wall of 64 stays light to decode, with the GOP and profile rules of make-clips.sh (H.264 main, no
 * B-frames, a key frame every 2 s and no others, one fragment per GOP). Each encode is cached on disk,
 * keyed by the recipe, the name and the source clip's bytes, so only the first start pays for it; at
 * most two run at once (the shared ffmpeg job limiter). Without ffmpeg the cameras reuse the shipped
 * clips under their own names and offsets, and the names burned into the pictures repeat.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JobLimiter } from './job-limiter';

/** The size of the re-encoded cameras: an 8×8 wall's tile is about this big on a 1080p screen. */
export const VARIANT_WIDTH = 320;
export const VARIANT_HEIGHT = 180;
/** Part of every cache key: change it whenever the encode below changes, so older files are never reused. */
const RECIPE = 'kvs-wall-camera-variant/1 320x180 libx264 main bf0 g50 crf30 maxrate150k';
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
/** Fragment length of the shipped clips: camera offsets spread over one fragment. */
const FRAGMENT_MS = 2000;
const STDERR_KEEP = 2000;

/** Where encodes are kept between starts unless told otherwise: the user's cache directory. */
export function defaultCameraCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kvs-wall', 'emulator-cameras');
}

/** A shipped clip the cameras are made from. */
export interface VariantSource {
  readonly slug: string;
  /** Its display name, burned into its picture top left (the part the new name covers). */
  readonly name: string;
  readonly file: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** One camera of the wall: its stream name, the name burned into it, its source and its offset. */
export interface VariantPlan {
  readonly streamName: string;
  readonly title: string;
  readonly source: VariantSource;
  /** How much earlier than the others its timeline began, so cameras don't change fragments in lockstep. */
  readonly startOffsetMs: number;
}

export interface VariantCamera extends VariantPlan {
  /** The clip to serve: the cached encode, or the shipped clip when there is no encode. */
  readonly file: string;
}

/** How a set of cameras came about: encoded now, found in the cache, or left as the shipped clip. */
export interface CameraBuild {
  encoded: number;
  cacheHits: number;
  shippedClips: number;
}

export interface VariantOptions {
  readonly cacheDir: string;
  readonly ffmpegPath: string;
  readonly limiter: JobLimiter;
  /** Told once when the cameras fall back on the shipped clips, and why. */
  readonly notice: (message: string) => void;
}

/**
 * Camera i: stream `cam-NN`, burned-in name `Cam NN`, source clip i mod n. Its offset puts it at its own
 * moment within a fragment (i × 2 s / count) and cameras sharing a source a few fragments apart, so
 * they show different moments of the clip too.
 */
export function planVariants(count: number, sources: readonly VariantSource[]): VariantPlan[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`the number of cameras must be a positive integer, not ${count}`);
  if (sources.length === 0) throw new RangeError('there are no source clips to make cameras from');
  const digits = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => {
    const number = String(i + 1).padStart(digits, '0');
    const round = Math.floor(i / sources.length);
    return {
      streamName: `cam-${number}`,
      title: `Cam ${number}`,
      source: sources[i % sources.length] as VariantSource,
      startOffsetMs: Math.round((i * FRAGMENT_MS) / count) + (round % 10) * 3 * FRAGMENT_MS,
    };
  });
}

/** The filter graph: cover the clip's own name, scale down, burn in the new one in the same style. */
function filterGraph(plan: VariantPlan): string {
  // The shipped clips' name label: 28 px bold at (14, 14) in a box 8 px wider all round, on 640×360.
  const coverWidth = Math.min(640, 40 + plan.source.name.length * 19);
  const font = existsSync(FONT) ? `fontfile=${FONT}` : 'font=Sans';
  const scale = VARIANT_HEIGHT / 360;
  return [
    `drawbox=x=0:y=0:w=${coverWidth}:h=62:color=black:t=fill`,
    `scale=${VARIANT_WIDTH}:${VARIANT_HEIGHT}`,
    `drawtext=${font}:text='${plan.title}':fontsize=${Math.round(28 * scale)}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=${Math.round(8 * scale)}:x=${Math.round(14 * scale)}:y=${Math.round(14 * scale)}`,
  ].join(',');
}

function encodeArguments(plan: VariantPlan, output: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-i', `file:${resolve(plan.source.file)}`,
    '-map', '0:v:0', '-vf', filterGraph(plan),
    // One thread each: the limiter already runs two encodes side by side on two cores.
    '-c:v', 'libx264', '-preset', 'veryfast', '-threads', '1', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-bf', '0', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-crf', '30', '-maxrate', '150k', '-bufsize', '300k',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash', '-f', 'mp4', `file:${output}`,
  ];
}

class FfmpegMissing extends Error {}

function encode(ffmpegPath: string, args: readonly string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ENOENT' ? new FfmpegMissing(`ffmpeg was not found at '${ffmpegPath}'`) : error));
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`ffmpeg exited with ${code}: ${stderr.trim().split('\n').slice(-2).join(' / ')}`))));
  });
}

async function digestOf(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function isCached(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

/** Makes (or finds) every planned camera's clip. Never fails for want of ffmpeg or a cache: it falls back. */
export async function buildVariants(plans: readonly VariantPlan[], options: VariantOptions): Promise<{ cameras: VariantCamera[]; build: CameraBuild }> {
  const build: CameraBuild = { encoded: 0, cacheHits: 0, shippedClips: 0 };
  let fallbackReason: string | undefined;
  const fallBack = (plan: VariantPlan, reason: string): VariantCamera => {
    if (fallbackReason === undefined) {
      fallbackReason = reason;
      options.notice(`${reason}; cameras without a cached encode reuse the shipped clips under their own names and offsets, so the names burned into their pictures repeat`);
    }
    build.shippedClips += 1;
    return { ...plan, file: plan.source.file };
  };

  const digests = new Map<string, Promise<string>>();
  const digest = (file: string) => {
    let pending = digests.get(file);
    if (!pending) {
      pending = digestOf(file);
      digests.set(file, pending);
    }
    return pending;
  };
  const cacheReady = mkdir(options.cacheDir, { recursive: true }).then(
    () => undefined,
    (error: Error) => `the camera cache '${options.cacheDir}' can't be created (${error.message})`,
  );

  const cameras = await Promise.all(
    plans.map(async (plan): Promise<VariantCamera> => {
      const key = createHash('sha256').update(JSON.stringify([RECIPE, plan.title, await digest(plan.source.file)])).digest('hex').slice(0, 16);
      const file = join(options.cacheDir, `${plan.streamName}-${key}.mp4`);
      if (await isCached(file)) {
        build.cacheHits += 1;
        return { ...plan, file };
      }
      const unwritable = await cacheReady;
      if (unwritable) return fallBack(plan, unwritable);
      if (fallbackReason !== undefined) return fallBack(plan, fallbackReason);
      const partial = join(options.cacheDir, `.${plan.streamName}-${key}.${randomBytes(4).toString('hex')}.partial`);
      try {
        await options.limiter.run(async () => {
          // Another camera may have found ffmpeg missing while this one waited for its turn.
          if (fallbackReason !== undefined) throw new FfmpegMissing(fallbackReason);
          await encode(options.ffmpegPath, encodeArguments(plan, partial));
        });
        // Renamed into place only when whole, so a stopped or failed encode never looks cached.
        await rename(partial, file);
        build.encoded += 1;
        return { ...plan, file };
      } catch (error) {
        await rm(partial, { force: true });
        return fallBack(plan, error instanceof Error ? error.message : String(error));
      }
    }),
  );
  return { cameras, build };
}
