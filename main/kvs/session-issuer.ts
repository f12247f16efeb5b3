import {
  GetDASHStreamingSessionURLCommand,
  ListFragmentsCommand,
  type GetDASHStreamingSessionURLInput,
  type Fragment as AwsFragment,
} from '@aws-sdk/client-kinesis-video-archived-media';
import { FragmentSchema, type Fragment, type Playback, type StreamRef } from '../../shared/model';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { HttpUrlSchema } from '../store/account-caches';
import type { KvsClients } from './clients';
import type { EndpointCache } from './endpoint-cache';
import { dataEndpointCaller } from './data-endpoint-call';
import { createRateLimiter, type RateLimit } from './rate-limiter';

/** A DASH session as KVS handed it out (the URL is a bearer token: never log it). */
export interface IssuedSession {
  url: string;
  /** The MaxManifestFragmentResults asked for: what each manifest GET of this session costs in metadata points. */
  maxManifestFragmentResults: number;
}

/** What the session broker needs to obtain one DASH session URL. */
export interface SessionIssuer {
  issue(stream: StreamRef, playback: Playback, expiresSeconds: number): Promise<IssuedSession>;
}

export type TimestampSelector = 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP';

export interface FragmentLister {
  /** Fragments in [start, end) by the selector's clock, oldest first, without duplicates. */
  listFragments(ref: StreamRef, start: number, end: number, selector: TimestampSelector): Promise<Fragment[]>;
  /**
   * Fragments starting in [start, end] (ListFragments' own inclusive selector), oldest first, without
   * duplicates; at most `limit` (`truncated` then: KVS lists in no order, so the ones kept are a sample).
   */
  fragmentsIn(ref: StreamRef, start: number, end: number, selector: TimestampSelector, limit: number): Promise<{ fragments: Fragment[]; truncated: boolean }>;
}

/** A call this issuer makes on its own account that spends a stream's KVS quota points. */
export interface SpendingCall {
  api: 'ListFragments';
  maxResults: number;
}

export interface SessionIssuerDeps {
  clients: Pick<KvsClients, 'archived'>;
  endpoints: Pick<EndpointCache, 'get' | 'invalidate'>;
  clock: Clock;
  logger: Logger;
  /** The scrubber shows at most this many fragments (about 5.5 h of 2-s fragments). */
  maxFragments?: number;
  /**
   * Asked before every call that spends the stream's quota points; it may wait, or refuse by
   * throwing, when this app's share of the stream's points is spent. Absent: no accounting.
   */
  beforeSpending?: (stream: StreamRef, call: SpendingCall) => Promise<void>;
  /** KVS throttled one of these calls (ClientLimitExceededException): the stream backs off. */
  onThrottled?: (stream: StreamRef, retryAt?: number) => void;
}

/** KVS: Expires is 300–43200 s. Lower values are only accepted by the emulator's test mode. */
export const MAX_EXPIRES_SECONDS = 43_200;
/**
 * The most an ON_DEMAND manifest asks for. KVS's current API takes up to 5,000, its older quota
 * table 1,000; 1,000 is accepted under both and covers a 16-minute clip even at 1-s fragments
 * (33 minutes at the usual 2 s). Each manifest GET costs this many metadata points.
 */
export const MAX_MANIFEST_FRAGMENT_RESULTS = 1_000;
/**
 * LIVE and LIVE_REPLAY manifests: the newest 5 fragments, KVS's own default and what its docs advise
 * for live (3–10). Every manifest poll costs this many metadata points, so more would only cost more.
 */
export const LIVE_MANIFEST_FRAGMENT_RESULTS = 5;
/** KVS's shortest fragment: an ON_DEMAND range holds at most one fragment per second of it, plus one. */
const MIN_FRAGMENT_MS = 1_000;
export const DEFAULT_MAX_FRAGMENTS = 10_000;
const FRAGMENT_PAGE_SIZE = 1000;
/** KVS quota for ListFragments: 5 calls/s per stream. */
const LIST_FRAGMENTS_LIMIT: RateLimit = { calls: 5, perMs: 1000 };

export function createSessionIssuer(deps: SessionIssuerDeps): SessionIssuer & FragmentLister {
  const maxFragments = deps.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
  const limiter = createRateLimiter(deps.clock);

  const onDataEndpoint = dataEndpointCaller(deps);

  /** Tells the stream's backoff when KVS throttled the call, then fails as the call did. */
  async function throttleNoted<T>(ref: StreamRef, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof AppFailure && err.appError.code === 'ClientLimitExceededException') deps.onThrottled?.(ref, err.appError.retryAt);
      throw err;
    }
  }

  async function fragmentsIn(ref: StreamRef, start: number, end: number, selector: TimestampSelector, limit: number): Promise<{ fragments: Fragment[]; truncated: boolean }> {
    if (!(Number.isFinite(start) && Number.isFinite(end) && end > start)) {
      throw new AppFailure(appError('InvalidRequest', 'The end of the time range must be after its start.', { field: 'end' }));
    }
    const byNumber = new Map<string, Fragment>();
    let nextToken: string | undefined;
    do {
      await limiter.acquire([{ key: `${ref.accountId}/${ref.streamName}`, limit: LIST_FRAGMENTS_LIMIT }]);
      await deps.beforeSpending?.(ref, { api: 'ListFragments', maxResults: FRAGMENT_PAGE_SIZE });
      const token = nextToken;
      const out = await throttleNoted(ref, () => onDataEndpoint(ref, 'LIST_FRAGMENTS', 'ListFragments', 'general', (client) =>
        client.send(
          new ListFragmentsCommand({
            StreamName: ref.streamName,
            MaxResults: FRAGMENT_PAGE_SIZE,
            ...(token ? { NextToken: token } : { FragmentSelector: { FragmentSelectorType: selector, TimestampRange: { StartTimestamp: new Date(start), EndTimestamp: new Date(end) } } }),
          }),
        ),
      ));
      for (const raw of out.Fragments ?? []) {
        const fragment = toFragment(raw);
        if (fragment) byNumber.set(fragment.fragmentNumber, fragment);
      }
      nextToken = typeof out.NextToken === 'string' && out.NextToken.length > 0 ? out.NextToken : undefined;
    } while (nextToken && byNumber.size < limit);
    const truncated = nextToken !== undefined || byNumber.size > limit;
    const timeOf = (f: Fragment) => (selector === 'PRODUCER_TIMESTAMP' ? f.producerTimestamp : f.serverTimestamp);
    // KVS returns fragments "in no specific order, even across pages".
    const sorted = [...byNumber.values()].sort((a, b) => timeOf(a) - timeOf(b) || compareFragmentNumbers(a.fragmentNumber, b.fragmentNumber));
    if (truncated) deps.logger.info('fragment list truncated', { accountId: ref.accountId, stream: ref.streamName, kept: limit });
    return { fragments: sorted.slice(0, limit), truncated };
  }

  return {
    async issue(stream, playback, expiresSeconds) {
      if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_EXPIRES_SECONDS) {
        throw new AppFailure(appError('InvalidRequest', `A session lasts 300–${MAX_EXPIRES_SECONDS} seconds, not ${String(expiresSeconds).slice(0, 20)}.`));
      }
      const input = sessionRequest(stream.streamName, playback, expiresSeconds);
      const out = await onDataEndpoint(stream, 'GET_DASH_STREAMING_SESSION_URL', 'GetDASHStreamingSessionURL', 'session-url', (client) =>
        client.send(new GetDASHStreamingSessionURLCommand(input)),
      );
      const url = HttpUrlSchema.safeParse(out.DASHStreamingSessionURL);
      if (!url.success) {
        // KVS answered 200, so a session exists; we just can't use it.
        throw new AppFailure(appError('ServiceUnavailable', 'AWS answered GetDASHStreamingSessionURL without a usable session URL.', { retryable: true }), { effect: 'unknown' });
      }
      deps.logger.info('session issued', { accountId: stream.accountId, stream: stream.streamName, mode: playback.mode, expiresSeconds });
      return { url: url.data, maxManifestFragmentResults: input.MaxManifestFragmentResults ?? LIVE_MANIFEST_FRAGMENT_RESULTS };
    },

    async listFragments(ref, start, end, selector) {
      const { fragments } = await fragmentsIn(ref, start, end, selector, maxFragments);
      return fragments;
    },
    fragmentsIn,
  };
}

/** The GetDASHStreamingSessionURL request for a playback choice. Exported for the broker's tests. */
export function sessionRequest(streamName: string, playback: Playback, expiresSeconds: number): GetDASHStreamingSessionURLInput {
  const base: GetDASHStreamingSessionURLInput = {
    StreamName: streamName,
    PlaybackMode: playback.mode,
    // kvs:ts on every S element lets the tile show the camera's real clock time.
    DisplayFragmentTimestamp: 'ALWAYS',
    Expires: expiresSeconds,
    // Said explicitly: it prices every manifest GET of the session (metadata points).
    MaxManifestFragmentResults: manifestFragmentsFor(playback),
  };
  switch (playback.mode) {
    case 'LIVE':
      return base;
    case 'LIVE_REPLAY':
      return { ...base, DASHFragmentSelector: { FragmentSelectorType: playback.selector, TimestampRange: { StartTimestamp: new Date(playback.start) } } };
    case 'ON_DEMAND':
      return {
        ...base,
        DASHFragmentSelector: { FragmentSelectorType: playback.selector, TimestampRange: { StartTimestamp: new Date(playback.start), EndTimestamp: new Date(playback.end) } },
      };
  }
}

/** LIVE and LIVE_REPLAY: the newest few; ON_DEMAND: enough for every fragment the range can hold. */
export function manifestFragmentsFor(playback: Playback): number {
  if (playback.mode !== 'ON_DEMAND') return LIVE_MANIFEST_FRAGMENT_RESULTS;
  const most = Math.ceil(Math.max(0, playback.end - playback.start) / MIN_FRAGMENT_MS) + 1;
  return Math.min(MAX_MANIFEST_FRAGMENT_RESULTS, Math.max(1, most));
}

function toFragment(raw: AwsFragment): Fragment | undefined {
  const checked = FragmentSchema.safeParse({
    fragmentNumber: raw.FragmentNumber,
    producerTimestamp: raw.ProducerTimestamp?.getTime(),
    serverTimestamp: raw.ServerTimestamp?.getTime(),
    durationMs: raw.FragmentLengthInMilliseconds,
    ...(typeof raw.FragmentSizeInBytes === 'number' ? { sizeBytes: raw.FragmentSizeInBytes } : {}),
  });
  return checked.success ? checked.data : undefined;
}

/** Fragment numbers are long decimal strings: compare by length, then text, to avoid float rounding. */
function compareFragmentNumbers(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

