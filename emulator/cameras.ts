import { loadClip, loadDemoCameras } from './media/clip-loader';
import { createTimeline } from './media/timeline';
import { DEFAULT_CAMERA_RETENTION_HOURS, type CameraSpec } from './options';
import type { NewStream } from './streams/stream-registry';

/** H.264 and H.265 clips map to the MediaType a KVS producer would declare. */
function mediaTypeOf(kvsCodecId: string): string {
  if (kvsCodecId === 'V_MPEGH/ISO/HEVC') return 'video/h265';
  if (kvsCodecId === 'V_MPEG4/ISO/AVC') return 'video/h264';
  return 'video/x-unknown';
}

/** Loads each camera's clip and lays it onto a timeline that began at `originMs`. */
export async function loadCameras(specs: readonly CameraSpec[] | undefined, originMs: number): Promise<NewStream[]> {
  // Demo cameras are named by slug: display names have spaces, which stream names may not.
  const resolved: CameraSpec[] = specs ? [...specs] : (await loadDemoCameras()).map((d) => ({ name: d.slug, clip: d.clip, tags: d.tags }));
  const streams: NewStream[] = [];
  for (const spec of resolved) {
    const clip = spec.clip ?? (await loadClip(spec.file ?? '', spec.name));
    streams.push({
      name: spec.name,
      mediaType: spec.mediaType ?? mediaTypeOf(clip.kvsCodecId),
      dataRetentionInHours: spec.dataRetentionInHours ?? DEFAULT_CAMERA_RETENTION_HOURS,
      deviceName: spec.deviceName ?? spec.name,
      tags: spec.tags,
      media: { clip, timeline: createTimeline(clip, { originMs, fragmentNumberSeed: spec.name }) },
    });
  }
  return streams;
}
