import { softwareHevcAvailable } from '../hevc/availability';
import { g711PlayableThroughMse } from './g711-mse';
import type { DecodeAbilities, StreamCodecs } from './playback-plan';

function mse(type: string): boolean {
  return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(type);
}

/**
 * What this browser decodes for a stream's codecs, asked synchronously (MediaSource.isTypeSupported),
 * so it can be answered inside Shaka's manifest response filter, before the manifest is parsed and any
 * media is fetched.
 */
export function decodeAbilities(codecs: StreamCodecs): DecodeAbilities {
  return {
    platformVideo: codecs.video !== undefined && mse(`video/mp4; codecs="${codecs.video}"`),
    platformAudio: codecs.audio !== undefined && mse(`audio/mp4; codecs="${codecs.audio}"`),
    softwareHevc: softwareHevcAvailable(),
    g711ToMse: g711PlayableThroughMse(),
  };
}

/**
 * The same question for a video codec asked of MediaCapabilities, which also knows about hardware
 * acceleration being off, GPU workarounds and resolution limits (DESIGN §5): used before a tile picks
 * its player. Falls back on isTypeSupported where the API is missing.
 */
export async function platformDecodesVideo(codec: string, width = 640, height = 360): Promise<boolean> {
  const contentType = `video/mp4; codecs="${codec}"`;
  if (typeof navigator === 'undefined' || !navigator.mediaCapabilities) return mse(contentType);
  try {
    const info = await navigator.mediaCapabilities.decodingInfo({ type: 'media-source', video: { contentType, width, height, bitrate: 1_000_000, framerate: 25 } });
    return info.supported;
  } catch {
    return mse(contentType);
  }
}
