/**
 * KVS's per-stream "quota points" (developer guide, "Service quotas" → "Fragment-metadata and
 * fragment-media quotas"): every archived-media request on a stream spends fragment-media and/or
 * fragment-metadata points from two budgets that all sessions and APIs of that stream share.
 */
export interface Points {
  readonly media: number;
  readonly metadata: number;
}

export const NO_POINTS: Points = { media: 0, metadata: 0 };

/**
 * What one request costs, per API, as the quotas page states it. An API the emulator serves later
 * (GetClip, GetImages) is charged by calling its line here; nothing else in the accounting changes.
 */
export const POINT_COSTS = {
  /** MaxManifestFragmentResults of the session, however many fragments the manifest lists. */
  getDASHManifest: (maxManifestFragmentResults: number): Points => ({ media: 0, metadata: maxManifestFragmentResults }),
  /** One per fragment GET, whatever its track: an audio fragment costs as much as a video one. */
  getMP4MediaFragment: (): Points => ({ media: 1, metadata: 0 }),
  /** The request's MaxResults, even when fewer fragments come back. */
  listFragments: (maxResults: number): Points => ({ media: 0, metadata: maxResults }),
  /** The fragments in the clip, from both budgets. */
  getClip: (fragmentsInClip: number): Points => ({ media: fragmentsInClip, metadata: fragmentsInClip }),
  /** 400 metadata points plus one of each per image requested. */
  getImages: (imagesRequested: number): Points => ({ media: imagesRequested, metadata: 400 + imagesRequested }),
} as const;
