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
import { HttpUrlSchema, type DataApiName } from '../store/account-caches';
import type { KvsClients } from './clients';
import type { EndpointCache } from './endpoint-cache';
import { toAppError, type KvsOperation } from './errors';
import { createRateLimiter, type RateLimit } from './rate-limiter';

/** What the session broker needs to obtain one DASH session URL (a bearer token: never log it). */
export interface SessionIssuer {
  issue(stream: StreamRef, playback: Playback, expiresSeconds: number): Promise<{ url: string }>;
}

export type TimestampSelector = 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP';

export interface FragmentLister {
  /** Fragments in [start, end) by the selector's clock, oldest first, without duplicates. */
  listFragments(ref: StreamRef, start: number, end: number, selector: TimestampSelector): Promise<Fragment[]>;
}

export interface SessionIssuerDeps {
  clients: Pick<KvsClients, 'archived'>;
  endpoints: Pick<EndpointCache, 'get' | 'invalidate'>;
  clock: Clock;
  logger: Logger;
  /** The scrubber shows at most this many fragments (about 5.5 h of 2-s fragments). */
  maxFragments?: number;
}

/** KVS: Expires is 300–43200 s. Lower values are only accepted by the emulator's test mode. */
export const MAX_EXPIRES_SECONDS = 43_200;
export const DEFAULT_MAX_FRAGMENTS = 10_000;
const FRAGMENT_PAGE_SIZE = 1000;
/** KVS quota for ListFragments: 5 calls/s per stream. */
const LIST_FRAGMENTS_LIMIT: RateLimit = { calls: 5, perMs: 1000 };

/**
 * Codes that suggest the cached data endpoint itself is the problem (moved, unreachable, or an answer
 * nothing like KVS's), so the next attempt looks it up again. Errors about the stream, the keys or
 * throttling keep the endpoint: looking it up again would only spend GetDataEndpoint quota.
 */
const ENDPOINT_SUSPECT = new Set(['NetworkError', 'ServiceUnavailable', 'UnknownRegion', 'Internal']);

export function createSessionIssuer(deps: SessionIssuerDeps): SessionIssuer & FragmentLister {
  const maxFragments = deps.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
  const limiter = createRateLimiter(deps.clock);

  async function onDataEndpoint<T>(ref: StreamRef, apiName: DataApiName, operation: KvsOperation, call: (client: Awaited<ReturnType<KvsClients['archived']>>['client']) => Promise<T>): Promise<T> {
    let endpoint = await deps.endpoints.get(ref, apiName);
    for (let attempt = 1; ; attempt++) {
      const { client, connection } = await deps.clients.archived(ref.accountId, endpoint);
      try {
        return await call(client);
      } catch (err) {
        const mapped = toAppError(err, { operation, region: connection.region, endpoint, now: deps.clock.now() });
        if (!ENDPOINT_SUSPECT.has(mapped.code)) throw new AppFailure(mapped);
        await deps.endpoints.invalidate(ref, apiName);
        // A connection that never reached the service (e.g. a cached endpoint of an earlier run, now
        // gone) is retried once on a freshly looked-up endpoint, if that differs; it cost no quota.
        if (attempt > 1 || mapped.code !== 'NetworkError') throw new AppFailure(mapped);
        const fresh = await deps.endpoints.get(ref, apiName);
        if (fresh === endpoint) throw new AppFailure(mapped);
        deps.logger.info('data endpoint moved; retrying on the new one', { accountId: ref.accountId, stream: ref.streamName, apiName });
        endpoint = fresh;
      }
    }
  }

  return {
    async issue(stream, playback, expiresSeconds) {
      if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_EXPIRES_SECONDS) {
        throw new AppFailure(appError('InvalidRequest', `A session lasts 300–${MAX_EXPIRES_SECONDS} seconds, not ${String(expiresSeconds).slice(0, 20)}.`));
      }
      const input = sessionRequest(stream.streamName, playback, expiresSeconds);
      const out = await onDataEndpoint(stream, 'GET_DASH_STREAMING_SESSION_URL', 'GetDASHStreamingSessionURL', (client) => client.send(new GetDASHStreamingSessionURLCommand(input)));
      const url = HttpUrlSchema.safeParse(out.DASHStreamingSessionURL);
      if (!url.success) {
        throw new AppFailure(appError('ServiceUnavailable', 'AWS answered GetDASHStreamingSessionURL without a usable session URL.', { retryable: true }));
      }
      deps.logger.info('session issued', { accountId: stream.accountId, stream: stream.streamName, mode: playback.mode, expiresSeconds });
      return { url: url.data };
    },

    async listFragments(ref, start, end, selector) {
      if (!(Number.isFinite(start) && Number.isFinite(end) && end > start)) {
        throw new AppFailure(appError('InvalidRequest', 'The end of the time range must be after its start.', { field: 'end' }));
      }
      const byNumber = new Map<string, Fragment>();
      let nextToken: string | undefined;
      do {
        await limiter.acquire([{ key: `${ref.accountId}/${ref.streamName}`, limit: LIST_FRAGMENTS_LIMIT }]);
        const token = nextToken;
        const out = await onDataEndpoint(ref, 'LIST_FRAGMENTS', 'ListFragments', (client) =>
          client.send(
            new ListFragmentsCommand({
              StreamName: ref.streamName,
              MaxResults: FRAGMENT_PAGE_SIZE,
              ...(token ? { NextToken: token } : { FragmentSelector: { FragmentSelectorType: selector, TimestampRange: { StartTimestamp: new Date(start), EndTimestamp: new Date(end) } } }),
            }),
          ),
        );
        for (const raw of out.Fragments ?? []) {
          const fragment = toFragment(raw);
          if (fragment) byNumber.set(fragment.fragmentNumber, fragment);
        }
        nextToken = typeof out.NextToken === 'string' && out.NextToken.length > 0 ? out.NextToken : undefined;
      } while (nextToken && byNumber.size < maxFragments);
      const truncated = nextToken !== undefined || byNumber.size > maxFragments;
      const timeOf = (f: Fragment) => (selector === 'PRODUCER_TIMESTAMP' ? f.producerTimestamp : f.serverTimestamp);
      // KVS returns fragments "in no specific order, even across pages".
      const sorted = [...byNumber.values()].sort((a, b) => timeOf(a) - timeOf(b) || compareFragmentNumbers(a.fragmentNumber, b.fragmentNumber));
      if (truncated) deps.logger.info('fragment list truncated', { accountId: ref.accountId, stream: ref.streamName, kept: maxFragments });
      return sorted.slice(0, maxFragments);
    },
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

function toFragment(raw: AwsFragment): Fragment | undefined {
  const checked = FragmentSchema.safeParse({
    fragmentNumber: raw.FragmentNumber,
    producerTimestamp: raw.ProducerTimestamp?.getTime(),
    serverTimestamp: raw.ServerTimestamp?.getTime(),
    durationMs: raw.FragmentLengthInMilliseconds,
  });
  return checked.success ? checked.data : undefined;
}

/** Fragment numbers are long decimal strings: compare by length, then text, to avoid float rounding. */
function compareFragmentNumbers(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

