import { decodeAbilities } from './codecs/decode-abilities';
import { codecsOfMediaType, planPlayback, type StreamCodecs } from './codecs/playback-plan';

/** Whether this machine's MediaSource can play a codec string such as 'avc1.64001e' or 'hvc1.1.6.L93.B0'. */
export function canPlayCodec(codec: string, mimeType = 'video/mp4'): boolean {
  if (typeof MediaSource === 'undefined') return false;
  return MediaSource.isTypeSupported(`${mimeType}; codecs="${codec}"`);
}

/** The video codec named in a manifest's Representation, if any. */
export function videoCodecOf(mpd: string): string | undefined {
  for (const m of mpd.matchAll(/<(?:Representation|AdaptationSet)\b[^>]*>/g)) {
    const codecs = /\bcodecs="([^"]+)"/.exec(m[0])?.[1];
    if (codecs && /^(avc|hvc|hev|vp0?9|av01)/i.test(codecs)) return codecs;
  }
  return undefined;
}

/** The audio codec of a manifest: the `codecs` of an AdaptationSet (or its Representation) that is audio. */
export function audioCodecOf(mpd: string): string | undefined {
  for (const set of mpd.matchAll(/<AdaptationSet\b([^>]*)>([\s\S]*?)<\/AdaptationSet>/g)) {
    const attributes = set[1] ?? '';
    const isAudio = /\bcontentType="audio"/.test(attributes) || /\bmimeType="audio\//.test(attributes) || /<Representation\b[^>]*\bmimeType="audio\//.test(set[2] ?? '');
    if (!isAudio) continue;
    const codecs = /\bcodecs="([^"]+)"/.exec(attributes)?.[1] ?? /<Representation\b[^>]*\bcodecs="([^"]+)"/.exec(set[2] ?? '')?.[1];
    if (codecs) return codecs;
  }
  return undefined;
}

/** Both codecs of a manifest. */
export function codecsOf(mpd: string): StreamCodecs {
  return { video: videoCodecOf(mpd), audio: audioCodecOf(mpd) };
}

/**
 * Why this machine can't play a stream's video (its KVS MediaType), or undefined when it can — by the
 * platform decoder or the software H.265 path — or we can't tell.
 */
export function undecodableReason(mediaType: string | undefined): string | undefined {
  const codecs = codecsOfMediaType(mediaType);
  if (!codecs.video) return undefined;
  const plan = planPlayback(codecs, decodeAbilities(codecs), { muted: true, softwareSlotFree: true });
  return plan.video.kind === 'unsupported' ? plan.video.reason : undefined;
}
