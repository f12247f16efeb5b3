import type { Clip } from './media/api';
import { loadClip, loadDemoCameras } from './media/clip-loader';
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

/** Loads each camera's clip (default: the demo cameras) and lays it onto a timeline that began at `originMs`. */
export async function loadCameras(specs: readonly CameraSpec[] | undefined, originMs: number, { codecCameras = false }: { codecCameras?: boolean } = {}): Promise<NewStream[]> {
  // Demo cameras are named by slug: display names have spaces, which stream names may not.
  const resolved: CameraSpec[] = specs ? [...specs] : (await loadDemoCameras(undefined, { codecCameras })).map((d) => ({ name: d.slug, clip: d.clip, tags: d.tags }));
  const streams: NewStream[] = [];
  for (const spec of resolved) {
    const clip = spec.clip ?? (await loadClip(spec.file ?? '', spec.name));
    streams.push({
      name: spec.name,
      mediaType: spec.mediaType ?? mediaTypeOf(clip),
      dataRetentionInHours: spec.dataRetentionInHours ?? DEFAULT_CAMERA_RETENTION_HOURS,
      deviceName: spec.deviceName ?? spec.name,
      tags: spec.tags,
      media: { clip, timeline: createTimeline(clip, { originMs, fragmentNumberSeed: spec.name }) },
    });
  }
  return streams;
}
