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

/** A representative codec string per KVS media type, to ask MediaSource before a session is spent. */
const PROBE_CODECS: Record<string, { codec: string; label: string }> = {
  'video/h264': { codec: 'avc1.42E01E', label: 'H.264' },
  'video/h265': { codec: 'hvc1.1.6.L93.B0', label: 'H.265' },
};

/** Why this machine can't decode a stream's media type, or undefined when it can (or we can't tell). */
export function undecodableReason(mediaType: string | undefined): string | undefined {
  const probe = mediaType ? PROBE_CODECS[mediaType.toLowerCase()] : undefined;
  if (!probe || canPlayCodec(probe.codec)) return undefined;
  return `This machine can't decode ${probe.label}`;
}
