import { g711LawOf, type G711Law } from './g711';

/**
 * How one tile plays its stream, decided before its player loads: which decoder the video goes to,
 * whether the audio track is fetched at all, and what the tile may say about sound. Pure: the
 * browser's answers come in as `DecodeAbilities` (decode-abilities.ts asks them).
 */

/** The codecs of a stream: RFC 6381 strings from its manifest, or representative ones from its KVS MediaType. */
export interface StreamCodecs {
  video?: string | undefined;
  audio?: string | undefined;
}

/** What this machine can decode, as asked of the browser. */
export interface DecodeAbilities {
  /** The platform decoders play this video codec through MSE (MediaCapabilities / isTypeSupported). */
  platformVideo: boolean;
  /** The platform decoders play this audio codec through MSE. */
  platformAudio: boolean;
  /** The software H.265 decoder can run here (WebAssembly, workers, WebCodecs VideoFrame). */
  softwareHevc: boolean;
  /** G.711 decoded in the renderer can be handed to MSE (it takes FLAC in MP4). */
  g711ToMse: boolean;
}

export type VideoRoute =
  | { kind: 'platform'; codec: string }
  /** Decoded in a worker (WebAssembly) and drawn on a canvas; costs CPU, so the decode budget admits it. */
  | { kind: 'software'; codec: string }
  | { kind: 'unsupported'; codec: string; reason: string }
  | { kind: 'none' };

export type AudioRoute =
  | { kind: 'none' }
  | { kind: 'platform'; codec: string }
  /** G.711 expanded to PCM in the renderer on its way into MSE. */
  | { kind: 'g711'; codec: string; law: G711Law }
  | { kind: 'unsupported'; codec: string; reason: string };

export interface PlaybackPlan {
  video: VideoRoute;
  audio: AudioRoute;
  /**
   * Fetch the audio track: only when it can be played and the tile is not muted. A muted tile skips it
   * (Shaka `manifest.disableAudio`): in the points quota model every audio fragment costs a media point.
   */
  fetchAudio: boolean;
  /** The stream carries sound at all (the tile offers Mute/Unmute only then). */
  hasAudio: boolean;
  /** Its sound can be played on this machine (Unmute would be heard). */
  audioPlayable: boolean;
}

export interface PlanOptions {
  muted: boolean;
  /** The decode budget has room for one more software-decoded tile. */
  softwareSlotFree: boolean;
}

const HEVC = /^(hvc1|hev1)\b/i;

export function isHevc(codec: string | undefined): boolean {
  return codec !== undefined && HEVC.test(codec);
}

/** A short codec name for the operator. */
export function codecLabel(codec: string): string {
  if (/^avc[13]/i.test(codec)) return 'H.264';
  if (HEVC.test(codec)) return 'H.265';
  if (/^mp4a\./i.test(codec)) return 'AAC';
  const law = g711LawOf(codec);
  if (law) return law === 'alaw' ? 'G.711 A-law' : 'G.711 µ-law';
  return codec;
}

export function planPlayback(codecs: StreamCodecs, abilities: DecodeAbilities, options: PlanOptions): PlaybackPlan {
  const video = videoRoute(codecs.video, abilities, options);
  const audio = audioRoute(codecs.audio, abilities);
  const audioPlayable = audio.kind === 'platform' || audio.kind === 'g711';
  return { video, audio, hasAudio: audio.kind !== 'none', audioPlayable, fetchAudio: audioPlayable && !options.muted };
}

function videoRoute(codec: string | undefined, abilities: DecodeAbilities, options: PlanOptions): VideoRoute {
  if (!codec) return { kind: 'none' };
  // The platform decoder first: hardware where it exists, and no CPU spent in a worker.
  if (abilities.platformVideo) return { kind: 'platform', codec };
  if (isHevc(codec) && abilities.softwareHevc) {
    if (options.softwareSlotFree) return { kind: 'software', codec };
    return { kind: 'unsupported', codec, reason: 'H.265: software decode limit reached on this machine' };
  }
  return { kind: 'unsupported', codec, reason: `This machine can't decode ${codecLabel(codec)}` };
}

function audioRoute(codec: string | undefined, abilities: DecodeAbilities): AudioRoute {
  if (!codec) return { kind: 'none' };
  if (abilities.platformAudio) return { kind: 'platform', codec };
  const law = g711LawOf(codec);
  if (law && abilities.g711ToMse) return { kind: 'g711', codec, law };
  return { kind: 'unsupported', codec, reason: `audio: ${law ? 'G.711' : codecLabel(codec)} not supported` };
}

/**
 * Representative codec strings for a KVS stream's MediaType (`video/h265,audio/alaw`), to decide before
 * a session is spent. Unknown entries are kept as they are, so the plan calls them unsupported by name.
 */
const MEDIA_TYPE_CODECS: Record<string, string> = {
  'video/h264': 'avc1.42E01E',
  'video/h265': 'hvc1.1.6.L93.B0',
  'video/hevc': 'hvc1.1.6.L93.B0',
  'audio/aac': 'mp4a.40.2',
  'audio/alaw': 'alaw',
  'audio/ulaw': 'ulaw',
  'audio/mulaw': 'ulaw',
};

export function codecsOfMediaType(mediaType: string | undefined): StreamCodecs {
  const out: StreamCodecs = {};
  for (const part of (mediaType ?? '').split(',')) {
    const type = part.trim().toLowerCase();
    if (!type) continue;
    const codec = MEDIA_TYPE_CODECS[type] ?? type.slice(type.indexOf('/') + 1);
    if (type.startsWith('video/')) out.video ??= codec;
    else if (type.startsWith('audio/')) out.audio ??= codec;
  }
  return out;
}
