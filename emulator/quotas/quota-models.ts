/**
 * The two sets of KVS playback quotas the emulator can enforce.
 *
 * - `sessions`: the rule this project started from (KVS's older quota table): at most N active DASH
 *   sessions per stream, the next one silently revoking the oldest; GetDASHStreamingSessionURL 5 TPS
 *   burst / 1 TPS sustained per stream; per session 5 manifests, 5 inits and 10 media fragments per
 *   second; ListFragments 5 TPS per stream; MaxManifestFragmentResults up to 1,000.
 * - `points`: AWS's current quota page: no session cap; per stream 500 fragment-media and 10,000
 *   fragment-metadata points per second shared by every session and archived-media API (costs in
 *   point-costs.ts); GetDASHStreamingSessionURL 25 TPS per stream; per session 5 manifests, 5 inits
 *   and 20 media fragments per second; ListFragments limited by points only; MaxManifestFragmentResults
 *   up to 5,000.
 *
 * Control-plane rows are the same in both (current page: per-stream 5 TPS, ListStreams 50 TPS per account).
 */
export const QUOTA_MODEL_NAMES = ['sessions', 'points'] as const;
export type QuotaModelName = (typeof QUOTA_MODEL_NAMES)[number];

export interface Rate {
  readonly capacity: number;
  readonly ratePerSecond: number;
}

/** What a rate limit is counted per: each stream, each DASH session, or the whole account. */
export type RateScope = 'stream' | 'session' | 'account';

export const RATE_SCOPES = {
  sessionUrl: 'stream',
  getDataEndpoint: 'stream',
  describeStream: 'stream',
  listFragments: 'stream',
  listTagsForStream: 'stream',
  tagStream: 'stream',
  untagStream: 'stream',
  listStreams: 'account',
  manifest: 'session',
  init: 'session',
  media: 'session',
} as const satisfies Record<string, RateScope>;

export type RateQuota = keyof typeof RATE_SCOPES;

export interface QuotaModel {
  readonly name: QuotaModelName;
  /** Active DASH sessions per stream before the oldest is revoked; undefined: no cap. */
  readonly sessionsPerStream: number | undefined;
  readonly maxManifestFragmentResults: number;
  /** TPS rows; a quota missing here is not rate-limited in this model. */
  readonly rates: Readonly<Partial<Record<RateQuota, Rate>>>;
  /** Per-stream point budgets; undefined: points are counted but not enforced. */
  readonly points: { readonly media: Rate; readonly metadata: Rate } | undefined;
}

const tps = (n: number): Rate => ({ capacity: n, ratePerSecond: n });

const CONTROL_PLANE = {
  getDataEndpoint: tps(5),
  describeStream: tps(5),
  listTagsForStream: tps(5),
  tagStream: tps(5),
  untagStream: tps(5),
  listStreams: tps(50),
} as const;

export const DEFAULT_SESSIONS_PER_STREAM = 10;

export function quotaModel(name: QuotaModelName, sessionsPerStream = DEFAULT_SESSIONS_PER_STREAM): QuotaModel {
  if (name === 'sessions') {
    return {
      name,
      sessionsPerStream,
      maxManifestFragmentResults: 1000,
      rates: { ...CONTROL_PLANE, sessionUrl: { capacity: 5, ratePerSecond: 1 }, listFragments: tps(5), manifest: tps(5), init: tps(5), media: tps(10) },
      points: undefined,
    };
  }
  return {
    name,
    sessionsPerStream: undefined,
    maxManifestFragmentResults: 5000,
    rates: { ...CONTROL_PLANE, sessionUrl: tps(25), manifest: tps(5), init: tps(5), media: tps(20) },
    points: { media: tps(500), metadata: tps(10_000) },
  };
}
