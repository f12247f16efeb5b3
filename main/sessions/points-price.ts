/**
 * What KVS charges each call against a stream's two point budgets (AWS's current playback quotas,
 * shared by every session and every archived-media API on the stream; anchors: the KVS limits page).
 * Going over either budget answers ClientLimitExceededException.
 */

export interface Points {
  /** Fragment-media points. */
  media: number;
  /** Fragment-metadata points. */
  metadata: number;
}

/** Per stream, per second. */
export const STREAM_POINTS_PER_SECOND: Readonly<Points> = Object.freeze({ media: 500, metadata: 10_000 });

/** GetDASHStreamingSessionURL: 25 calls per second per stream (no points). */
export const SESSION_URL_CALLS_PER_SECOND = 25;

export type PricedCall =
  | { api: 'GetDASHManifest'; maxManifestFragmentResults: number }
  | { api: 'GetMP4InitFragment' }
  | { api: 'GetMP4MediaFragment' }
  | { api: 'ListFragments'; maxResults: number }
  /** The fragments in the clip, from both budgets. */
  | { api: 'GetClip'; fragments: number }
  /** Per request (each page too): 400 metadata points plus the images asked for (MaxResults), which are also media points. */
  | { api: 'GetImages'; images: number };

/** The points `times` such calls cost. */
export function pointsOf(call: PricedCall, times = 1): Points {
  switch (call.api) {
    case 'GetDASHManifest':
      return { media: 0, metadata: call.maxManifestFragmentResults * times };
    case 'GetMP4InitFragment':
      return { media: 0, metadata: 0 };
    case 'GetMP4MediaFragment':
      return { media: times, metadata: 0 };
    case 'ListFragments':
      return { media: 0, metadata: call.maxResults * times };
    case 'GetClip':
      return { media: call.fragments * times, metadata: call.fragments * times };
    case 'GetImages':
      return { media: call.images * times, metadata: (400 + call.images) * times };
  }
}

export function addPoints(a: Points, b: Points): Points {
  return { media: a.media + b.media, metadata: a.metadata + b.metadata };
}

export const NO_POINTS: Readonly<Points> = Object.freeze({ media: 0, metadata: 0 });
