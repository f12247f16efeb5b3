import type { Clip } from './media/api';
import { buildVariants, type CameraBuild, planVariants } from './media/camera-variants';
import { listDemoCameras, loadClip, loadDemoCameras, type CodecCameraChoice } from './media/clip-loader';
import type { JobLimiter } from './media/job-limiter';
import { createTimeline } from './media/timeline';
import { DEFAULT_CAMERA_RETENTION_HOURS, type CameraSpec } from './options';
import type { NewStream } from './streams/stream-registry';

/** The MediaType a KVS producer would declare for a clip's tracks: 'video/h264', 'video/h265,audio/aac', … */
function mediaTypeOf(clip: Clip): string {
  const video = clip.kvsCodecId === 'V_MPEGH/ISO/HEVC' ? 'video/h265' : clip.kvsCodecId === 'V_MPEG4/ISO/AVC' ? 'video/h264' : 'video/x-unknown';
  const audio = clip.audio;
  if (!audio) return video;
  const sound = audio.codec.startsWith('mp4a') ? 'audio/aac' : audio.codec === 'alaw' ? 'audio/alaw' : audio.codec === 'ulaw' ? 'audio/mulaw' : 'audio/x-unknown';
  return `${video},${sound}`;
}

export interface CameraSetup {
  /** With the default cameras: serve the codec cameras too (all, or those named). */
  readonly codecCameras: CodecCameraChoice;
  /** With the default cameras: serve their sub-streams too. */
  readonly subStreams: boolean;
  /** With a number of cameras: where their encodes are cached, the ffmpeg that makes them, and how many run at once. */
  readonly cacheDir: string;
  readonly ffmpegPath: string;
  readonly limiter: JobLimiter;
  readonly notice: (message: string) => void;
}

/** `count` distinct cameras made from the shipped H.264 demo clips (see media/camera-variants.ts). */
async function distinctCameras(count: number, setup: CameraSetup): Promise<{ specs: CameraSpec[]; build: CameraBuild }> {
  const sources = (await listDemoCameras()).filter((c) => !c.codecCamera && c.subStreamOf === undefined);
  const { cameras, build } = await buildVariants(planVariants(count, sources), setup);
  return {
    specs: cameras.map((c) => ({ name: c.streamName, file: c.file, tags: c.source.tags, startOffsetMs: c.startOffsetMs })),
    build,
  };
}

/**
 * Loads each camera's clip (default: the demo cameras; a number: that many distinct cameras) and lays
 * it onto a timeline that began at `originMs` (earlier by the camera's own offset). Cameras that share
 * a file share its loaded clip.
 */
export async function loadCameras(cameras: readonly CameraSpec[] | number | undefined, originMs: number, setup: CameraSetup): Promise<{ streams: NewStream[]; build?: CameraBuild }> {
  let specs: CameraSpec[];
  let build: CameraBuild | undefined;
  if (typeof cameras === 'number') {
    ({ specs, build } = await distinctCameras(cameras, setup));
  } else if (cameras) {
    specs = [...cameras];
  } else {
    // Demo cameras are named by slug: display names have spaces, which stream names may not.
    specs = (await loadDemoCameras(undefined, { codecCameras: setup.codecCameras, subStreams: setup.subStreams })).map((d) => ({ name: d.slug, clip: d.clip, tags: d.tags }));
  }
  const loaded = new Map<string, Promise<Clip>>();
  const clipOf = (spec: CameraSpec): Promise<Clip> => {
    if (spec.clip) return Promise.resolve(spec.clip);
    const file = spec.file ?? '';
    let clip = loaded.get(file);
    if (!clip) {
      clip = loadClip(file, spec.name);
      loaded.set(file, clip);
    }
    return clip;
  };
  const streams: NewStream[] = [];
  for (const spec of specs) {
    const clip = await clipOf(spec);
    streams.push({
      name: spec.name,
      mediaType: spec.mediaType ?? mediaTypeOf(clip),
      dataRetentionInHours: spec.dataRetentionInHours ?? DEFAULT_CAMERA_RETENTION_HOURS,
      deviceName: spec.deviceName ?? spec.name,
      tags: spec.tags,
      media: { clip, timeline: createTimeline(clip, { originMs: originMs - (spec.startOffsetMs ?? 0), fragmentNumberSeed: spec.name }) },
    });
  }
  return { streams, ...(build ? { build } : {}) };
}
