/**
 * Turns an MP4 file into a clip the emulator can loop onto a live timeline. Any MP4 a user names can
 * become a stream: fragmented MP4 is read as is, anything else ffmpeg understands is remuxed (no
 * re-encoding), and everything else is refused with a `ClipLoadError` saying what is wrong.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { tagSetProblem } from '../streams/tags';
import type { Clip } from './api';
import { ClipLoadError } from './clip-load-error';
import { remuxToFragmentedMp4 } from './ffmpeg-remux';
import { splitFragmentedMp4 } from './fmp4-splitter';

export { ClipLoadError, type ClipLoadErrorCode } from './clip-load-error';

/** Clips are held in memory for the emulator's lifetime; this keeps a mistaken pick from exhausting it. */
export const MAX_CLIP_BYTES = 200 * 1024 * 1024;

export interface LoadClipOptions {
  /** ffmpeg used to remux non-fragmented files; default 'ffmpeg' on PATH. */
  readonly ffmpegPath?: string;
  readonly maxBytes?: number;
}

/** Where the committed demo clips live (made by make-clips.sh). */
export const CLIPS_DIRECTORY = join(import.meta.dirname, '..', 'clips');

/** Codec samples beside the demo cameras, for the paths where a stream's codec can't be played. */
export const CODEC_SAMPLE_CLIPS = {
  /** H.265: KVS serves it, but Chromium's MSE (the renderer here) can't decode it. */
  hevc: join(CLIPS_DIRECTORY, 'sample-hevc.mp4'),
  /** MPEG-4 Part 2: not a codec KVS playback supports. */
  mpeg4Part2: join(CLIPS_DIRECTORY, 'sample-mpeg4-part2.mp4'),
} as const;

async function readBoundedFile(path: string, label: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ClipLoadError('NOT_A_FILE', `${label} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof ClipLoadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ClipLoadError('NOT_FOUND', `${label} does not exist`, { cause: error });
    throw new ClipLoadError('NOT_FOUND', `${label} cannot be read (${code ?? String(error)})`, { cause: error });
  }
  if (size === 0) throw new ClipLoadError('EMPTY', `${label} is empty (0 bytes)`);
  if (size > maxBytes) {
    throw new ClipLoadError('TOO_LARGE', `${label} is ${size} bytes; clips are limited to ${maxBytes} bytes (${Math.floor(maxBytes / 1048576)} MiB) because they are held in memory`);
  }
  return new Uint8Array(await readFile(path));
}

/** Loads `path` as a clip named `name` (default: the file name without its extension). */
export async function loadClip(path: string, name?: string, options: LoadClipOptions = {}): Promise<Clip> {
  const label = `'${path}'`;
  if (path.trim() === '') throw new ClipLoadError('NOT_FOUND', 'no clip file was named');
  const maxBytes = options.maxBytes ?? MAX_CLIP_BYTES;
  const clipName = name ?? basename(path, extname(path));

  const bytes = await readBoundedFile(path, label, maxBytes);
  const first = splitFragmentedMp4(bytes, label);
  if (first.kind === 'clip') return { name: clipName, ...first.media };

  const remuxed = await remuxToFragmentedMp4(path, label, { ffmpegPath: options.ffmpegPath ?? 'ffmpeg', maxBytes });
  const second = splitFragmentedMp4(remuxed, `${label} (converted because ${first.reason})`);
  if (second.kind === 'clip') return { name: clipName, ...second.media };
  throw new ClipLoadError('REMUX_FAILED', `${label} could not be made streamable: ${first.reason}, and after conversion ${second.reason}`);
}

export interface DemoCamera {
  readonly slug: string;
  readonly name: string;
  readonly clip: Clip;
  /**
   * One of the codec cameras (H.265, H.264 with AAC, H.264 with G.711), which not every player can
   * play; the emulator serves them only when asked (`codecCameras`).
   */
  readonly codecCamera: boolean;
  /** A camera's second, low-resolution stream: the slug of the camera it belongs to. */
  readonly subStreamOf?: string;
  /** The stream's tags, as ListTagsForStream returns them. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The tag by which a camera names its sub-stream (its value: the sub-stream's name), as KVS Wall reads
 * it; a camera carries it only while its sub-stream is served.
 */
export const SUB_STREAM_TAG = 'kvs-wall:sub-stream';

const CameraListing = z.array(
  z.object({
    slug: z.string(),
    name: z.string(),
    file: z.string().refine((file) => basename(file) === file, { error: 'must be a plain file name' }),
    codecCamera: z.boolean().optional(),
    subStreamOf: z.string().optional(),
    tags: z
      .record(z.string(), z.string())
      .superRefine((tags, ctx) => {
        const problem = tagSetProblem(tags);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  }),
);

function parseCameraListing(text: string, label: string): z.infer<typeof CameraListing> {
  const parsed = CameraListing.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${label} must be an array of { slug, name, file, codecCamera?, subStreamOf?, tags? } with plain file names: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/** A demo camera as clips/cameras.json lists it, before its clip is loaded. */
export interface DemoCameraListing {
  readonly slug: string;
  readonly name: string;
  /** The clip's absolute path. */
  readonly file: string;
  readonly codecCamera: boolean;
  /** A sub-stream: the slug of its camera. */
  readonly subStreamOf?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The demo cameras listed in clips/cameras.json (codec cameras and sub-streams too), their clips not yet loaded. */
export async function listDemoCameras(directory: string = CLIPS_DIRECTORY): Promise<DemoCameraListing[]> {
  const listingPath = join(directory, 'cameras.json');
  const listing = parseCameraListing(await readFile(listingPath, 'utf8'), listingPath);
  const slugs = new Set(listing.map((camera) => camera.slug));
  for (const camera of listing) {
    const of = camera.subStreamOf;
    if (of !== undefined && (of === camera.slug || !slugs.has(of) || listing.some((c) => c.slug === of && c.subStreamOf !== undefined))) {
      throw new Error(`${listingPath}: ${camera.slug} is a sub-stream of '${of}', which is not another camera of the list`);
    }
  }
  return listing.map((camera) => ({
    slug: camera.slug,
    name: camera.name,
    file: join(directory, camera.file),
    codecCamera: camera.codecCamera ?? false,
    ...(camera.subStreamOf !== undefined ? { subStreamOf: camera.subStreamOf } : {}),
    tags: camera.tags ?? {},
  }));
}

/**
 * Which codec cameras to serve beside the H.264 ones: all (`true`), none (`false`), or those slugs.
 */
export type CodecCameraChoice = boolean | readonly string[];

/**
 * The demo cameras listed in clips/cameras.json, each loaded; `codecCameras` picks the codec cameras
 * among them (a slug that names no codec camera is an error, not silently nothing). With `subStreams`,
 * the sub-streams of the cameras served are served too, and each such camera names its sub-stream in
 * its `kvs-wall:sub-stream` tag.
 */
export async function loadDemoCameras(
  directory: string = CLIPS_DIRECTORY,
  { codecCameras = true, subStreams = false }: { codecCameras?: CodecCameraChoice; subStreams?: boolean } = {},
): Promise<DemoCamera[]> {
  const all = await listDemoCameras(directory);
  if (typeof codecCameras !== 'boolean') {
    const known = all.filter((camera) => camera.codecCamera).map((camera) => camera.slug);
    const unknown = codecCameras.filter((slug) => !known.includes(slug));
    if (unknown.length) throw new Error(`codecCameras: no codec camera called ${unknown.map((s) => `'${s}'`).join(', ')}; there are ${known.map((s) => `'${s}'`).join(', ')}`);
  }
  const wanted = (camera: DemoCameraListing): boolean => !camera.codecCamera || (typeof codecCameras === 'boolean' ? codecCameras : codecCameras.includes(camera.slug));
  const cameras = all.filter((camera) => camera.subStreamOf === undefined && wanted(camera));
  const served = new Set(cameras.map((camera) => camera.slug));
  const subs = subStreams ? all.filter((camera) => camera.subStreamOf !== undefined && served.has(camera.subStreamOf)) : [];
  const subOf = new Map(subs.map((sub) => [sub.subStreamOf, sub.slug]));
  const listing = [...cameras, ...subs].map((camera) => {
    const sub = subOf.get(camera.slug);
    return sub === undefined ? camera : { ...camera, tags: { ...camera.tags, [SUB_STREAM_TAG]: sub } };
  });
  return Promise.all(listing.map(async ({ file, ...camera }) => ({ ...camera, clip: await loadClip(file, camera.name) })));
}
