import { DescribeStreamCommand, ListStreamsCommand, ListTagsForStreamCommand, type StreamInfo as AwsStreamInfo } from '@aws-sdk/client-kinesis-video';
import { StreamInfoSchema, StreamTagsSchema, type StreamCatalogue as StreamCatalogueView, type StreamInfo, type StreamPage, type StreamRef, type StreamTagsPage } from '../../shared/model';
import { appError, type AppError } from '../../shared/errors';
import type { AccountConnections } from '../accounts/connection';
import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { AccountCaches, CachedPage, StreamCache } from '../store/account-caches';
import type { KvsClients } from './clients';
import { toAppError } from './errors';
import { trackIdentityGenerations } from './identity-generations';
import { createRateLimiter, type RateLimit } from './rate-limiter';

export interface ListQuery {
  accountId: string;
  prefix?: string;
  nextToken?: string;
  maxResults?: number;
  /** Ask AWS even when a recent copy is on disk. */
  refresh?: boolean;
}

export interface StreamCatalogue {
  /**
   * One page of streams. A copy younger than `freshForMs` is reused unless `refresh` (so reopening
   * the picker doesn't call AWS again); when AWS can't be reached (network, outage, throttling) the
   * last copy of any age is served with `fromCache: true`, its `fetchedAt` telling how old it is. Credential and permission errors are thrown, never hidden behind the cache.
   */
  list(query: ListQuery): Promise<StreamPage>;
  /** DescribeStream, with the same offline fallback. */
  describe(ref: StreamRef): Promise<StreamInfo>;
  /**
   * Every stream of the account (all ListStreams pages, up to MAX_ALL_STREAMS), for search by any part
   * of a name. Same freshness and offline rules as `list`.
   */
  all(accountId: string, options?: { refresh?: boolean }): Promise<StreamCatalogueView>;
  /**
   * Tags of the named streams (ListTagsForStream within its quota), from the on-disk cache when fresh.
   * Partial answers carry the reason the rest are missing.
   */
  tags(accountId: string, streamNames: readonly string[], options?: { refresh?: boolean }): Promise<StreamTagsPage>;
}

export interface StreamCatalogueDeps {
  clients: Pick<KvsClients, 'control'>;
  /** When given, answers AWS gave an account's old identity are never cached for its new one. */
  accounts?: Pick<AccountConnections, 'onChange'>;
  caches: Pick<AccountCaches, 'streams'>;
  clock: Clock;
  logger: Logger;
  freshForMs?: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_FRESH_FOR_MS = 30_000;
/** The most streams `all` lists; an account with more is searched by name prefix instead. */
export const MAX_ALL_STREAMS = 5000;
const ALL_PAGE_SIZE = 1000;
/** Tags change rarely; they are asked for again after this long, or on Refresh. */
export const TAGS_FRESH_FOR_MS = 10 * 60_000;
/** Parallel ListTagsForStream calls; the rate limiter keeps them within the quota. */
const TAG_CONCURRENCY = 8;
/** Bounds the cache file: the most recently fetched pages and stream descriptions are kept. */
const MAX_CACHED_PAGES = 50;
const MAX_CACHED_STREAMS = 5000;
/** KVS quotas: ListStreams 50/s per account; DescribeStream 5/s per stream and 300/s per account. */
const LIST_LIMIT: RateLimit = { calls: 50, perMs: 1000 };
const DESCRIBE_PER_STREAM: RateLimit = { calls: 5, perMs: 1000 };
const DESCRIBE_PER_ACCOUNT: RateLimit = { calls: 300, perMs: 1000 };
/** KVS quotas: ListTagsForStream 50/s per account and 5/s per stream. */
const TAGS_PER_ACCOUNT: RateLimit = { calls: 50, perMs: 1000 };
const TAGS_PER_STREAM: RateLimit = { calls: 5, perMs: 1000 };

const PLAYABLE_VIDEO = /^video\/(h264|avc|h265|hevc)$/i;

/** Why a stream can't be played, checked before a session is wasted on it; undefined when it can. */
export function unplayableReason(info: { status: string; retentionHours: number; mediaType?: string }): string | undefined {
  if (info.status !== 'ACTIVE') return `the stream is ${info.status.toLowerCase()}, not active`;
  if (info.retentionHours === 0) return 'keeps no media — data retention is 0 hours';
  if (info.mediaType) {
    // Track 1 carries the video; KVS plays H.264 and H.265 only. No media type means "decided at playback".
    const first = info.mediaType.split(',')[0]?.trim() ?? '';
    if (!PLAYABLE_VIDEO.test(first)) return `media type ${info.mediaType.slice(0, 100)} is not H.264 or H.265 video`;
  }
  return undefined;
}

/** Converts AWS's answer (untrusted) into the shared model; undefined for an entry that isn't valid. */
export function toStreamInfo(raw: AwsStreamInfo): StreamInfo | undefined {
  const status = raw.Status ?? 'ACTIVE';
  const retentionHours = raw.DataRetentionInHours ?? 0;
  const mediaType = raw.MediaType || undefined;
  const reason = unplayableReason({ status, retentionHours, mediaType });
  const candidate = {
    name: raw.StreamName,
    arn: raw.StreamARN ?? '',
    status,
    ...(mediaType ? { mediaType } : {}),
    retentionHours,
    ...(raw.CreationTime instanceof Date && !Number.isNaN(raw.CreationTime.getTime()) ? { createdAt: raw.CreationTime.getTime() } : {}),
    playable: reason === undefined,
    ...(reason ? { unplayableReason: reason } : {}),
  };
  const checked = StreamInfoSchema.safeParse(candidate);
  return checked.success ? checked.data : undefined;
}

export function createStreamCatalogue(deps: StreamCatalogueDeps): StreamCatalogue {
  const freshFor = deps.freshForMs ?? DEFAULT_FRESH_FOR_MS;
  const limiter = createRateLimiter(deps.clock);
  const generations = trackIdentityGenerations(deps.accounts);

  const pageKey = (q: ListQuery, size: number) => JSON.stringify([q.prefix ?? '', q.nextToken ?? '', size]);

  function usableOffline(err: unknown): boolean {
    const code = toAppError(err).code;
    return code === 'NetworkError' || code === 'ServiceUnavailable' || code === 'ClientLimitExceededException';
  }

  async function cacheOf(accountId: string): Promise<StreamCache> {
    try {
      return (await deps.caches.streams(accountId).read()).value;
    } catch {
      return { pages: {}, streams: {} };
    }
  }

  /**
   * Saves what AWS answered under `generation`. The check runs inside the file's serialised update, so
   * an answer for an identity the account no longer has is dropped even if it arrives after the change
   * (the account's files are deleted right after its change event, in the same queue).
   */
  async function remember(accountId: string, generation: number, change: (cache: StreamCache) => void): Promise<void> {
    try {
      await deps.caches.streams(accountId).update((cache) => {
        generations.check(accountId, generation);
        change(cache);
        return trim(cache);
      });
    } catch (err) {
      if (toAppError(err).code === 'AccountChanged') throw err;
      deps.logger.warn('stream catalogue cache not saved', { accountId, code: toAppError(err).code });
    }
  }

  async function fetchPage(query: ListQuery, size: number): Promise<CachedPage> {
    const { client, connection } = await deps.clients.control(query.accountId);
    await limiter.acquire([{ key: query.accountId, limit: LIST_LIMIT }]);
    try {
      const out = await client.send(
        new ListStreamsCommand({
          MaxResults: size,
          ...(query.nextToken ? { NextToken: query.nextToken } : {}),
          ...(query.prefix ? { StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: query.prefix } } : {}),
        }),
      );
      const raw = Array.isArray(out.StreamInfoList) ? out.StreamInfoList : [];
      const streams: StreamInfo[] = [];
      for (const entry of raw) {
        const info = toStreamInfo(entry);
        if (info) streams.push(info);
        else deps.logger.warn('ignored a stream entry AWS described incompletely', { accountId: query.accountId });
      }
      const nextToken = typeof out.NextToken === 'string' && out.NextToken.length > 0 && out.NextToken.length <= 512 ? out.NextToken : undefined;
      return { streams, ...(nextToken ? { nextToken } : {}), fetchedAt: deps.clock.now() };
    } catch (err) {
      throw new AppFailure(toAppError(err, { operation: 'ListStreams', region: connection.region, endpoint: connection.endpoint, now: deps.clock.now() }));
    }
  }

  return {
    async list(query) {
      const generation = generations.current(query.accountId);
      const size = query.maxResults ?? DEFAULT_PAGE_SIZE;
      const key = pageKey(query, size);
      const cache = await cacheOf(query.accountId);
      const cached = cache.pages[key];
      if (cached && !query.refresh && deps.clock.now() - cached.fetchedAt < freshFor) {
        // Current enough to count as an answer from AWS: `fromCache` is kept for "AWS unreachable".
        return { ...cached, fromCache: false };
      }
      let page: CachedPage;
      try {
        page = await fetchPage(query, size);
      } catch (err) {
        if (cached && usableOffline(err)) {
          deps.logger.info('stream list served from the offline cache', { accountId: query.accountId, code: toAppError(err).code });
          return { ...cached, fromCache: true };
        }
        throw err;
      }
      await remember(query.accountId, generation, (c) => {
        c.pages[key] = page;
        for (const info of page.streams) c.streams[info.name] = { info, fetchedAt: page.fetchedAt };
      });
      return { ...page, fromCache: false };
    },

    async describe(ref) {
      const generation = generations.current(ref.accountId);
      const { client, connection } = await deps.clients.control(ref.accountId);
      await limiter.acquire([
        { key: `${ref.accountId}/${ref.streamName}`, limit: DESCRIBE_PER_STREAM },
        { key: `describe:${ref.accountId}`, limit: DESCRIBE_PER_ACCOUNT },
      ]);
      let info: StreamInfo | undefined;
      try {
        const out = await client.send(new DescribeStreamCommand({ StreamName: ref.streamName }));
        info = out.StreamInfo ? toStreamInfo(out.StreamInfo) : undefined;
      } catch (err) {
        const known = (await cacheOf(ref.accountId)).streams[ref.streamName];
        if (known && usableOffline(err)) return known.info;
        throw new AppFailure(toAppError(err, { operation: 'DescribeStream', region: connection.region, endpoint: connection.endpoint, now: deps.clock.now() }));
      }
      if (!info) throw new AppFailure(appError('ServiceUnavailable', 'AWS described the stream incompletely; try again.', { retryable: true }));
      const described = info;
      await remember(ref.accountId, generation, (c) => {
        c.streams[described.name] = { info: described, fetchedAt: deps.clock.now() };
      });
      return described;
    },

    async all(accountId, options = {}) {
      const generation = generations.current(accountId);
      const cache = await cacheOf(accountId);
      const cachedView = cache.all ? viewOf(cache, cache.all) : undefined;
      if (cachedView && !options.refresh && deps.clock.now() - cachedView.fetchedAt < freshFor) return { ...cachedView, fromCache: false };
      let streams: StreamInfo[] = [];
      let truncated = false;
      try {
        let nextToken: string | undefined;
        do {
          const page = await fetchPage({ accountId, ...(nextToken ? { nextToken } : {}) }, ALL_PAGE_SIZE);
          streams.push(...page.streams);
          nextToken = page.nextToken;
        } while (nextToken && streams.length < MAX_ALL_STREAMS);
        truncated = nextToken !== undefined || streams.length > MAX_ALL_STREAMS;
        streams = streams.slice(0, MAX_ALL_STREAMS);
      } catch (err) {
        if (cachedView && usableOffline(err)) {
          deps.logger.info('stream catalogue served from the offline cache', { accountId, code: toAppError(err).code });
          return { ...cachedView, fromCache: true };
        }
        throw err;
      }
      const fetchedAt = deps.clock.now();
      await remember(accountId, generation, (c) => {
        for (const info of streams) c.streams[info.name] = { info, fetchedAt };
        c.all = { names: streams.map((info) => info.name), truncated, fetchedAt };
      });
      return { streams, truncated, fromCache: false, fetchedAt };
    },

    async tags(accountId, streamNames, options = {}) {
      const generation = generations.current(accountId);
      const cached = (await cacheOf(accountId)).tags ?? {};
      const now = deps.clock.now();
      const out: Record<string, Record<string, string>> = {};
      const wanted: string[] = [];
      for (const name of new Set(streamNames)) {
        const known = cached[name];
        if (known && !options.refresh && now - known.fetchedAt < TAGS_FRESH_FOR_MS) out[name] = known.tags;
        else wanted.push(name);
      }
      if (wanted.length === 0) return { tags: out };
      const { client, connection } = await deps.clients.control(accountId);
      const fetched: Record<string, Record<string, string>> = {};
      let stop: AppError | undefined;
      const queue = [...wanted];
      const worker = async () => {
        for (let name = queue.shift(); name !== undefined && !stop; name = queue.shift()) {
          await limiter.acquire([
            { key: `tags:${accountId}/${name}`, limit: TAGS_PER_STREAM },
            { key: `tags:${accountId}`, limit: TAGS_PER_ACCOUNT },
          ]);
          try {
            const answer = await client.send(new ListTagsForStreamCommand({ StreamName: name }));
            const tags = StreamTagsSchema.safeParse(answer.Tags ?? {});
            if (tags.success) fetched[name] = tags.data;
            else deps.logger.warn('ignored tags AWS described incompletely', { accountId });
          } catch (err) {
            const error = toAppError(err, { operation: 'ListTagsForStream', region: connection.region, endpoint: connection.endpoint, now: deps.clock.now() });
            // A stream deleted since it was listed just has no tags; anything else stops the round.
            if (error.code !== 'ResourceNotFoundException') stop ??= error;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(TAG_CONCURRENCY, wanted.length) }, worker));
      const fetchedAt = deps.clock.now();
      if (Object.keys(fetched).length > 0) {
        await remember(accountId, generation, (c) => {
          c.tags ??= {};
          for (const [name, tags] of Object.entries(fetched)) c.tags[name] = { tags, fetchedAt };
        });
      }
      // What could not be fetched now is served from an older copy when there is one.
      for (const name of wanted) {
        const value = fetched[name] ?? cached[name]?.tags;
        if (value) out[name] = value;
      }
      return { tags: out, ...(stop ? { error: stop } : {}) };
    },
  };
}

/** The full list as cached: names in AWS's order, each with its last description. */
function viewOf(cache: StreamCache, all: NonNullable<StreamCache['all']>): StreamCatalogueView {
  const streams = all.names.map((name) => cache.streams[name]?.info).filter((info): info is StreamInfo => info !== undefined);
  return { streams, truncated: all.truncated, fromCache: true, fetchedAt: all.fetchedAt };
}

function trim(cache: StreamCache): StreamCache {
  const pages = Object.entries(cache.pages).sort(([, a], [, b]) => b.fetchedAt - a.fetchedAt).slice(0, MAX_CACHED_PAGES);
  const streams = Object.entries(cache.streams).sort(([, a], [, b]) => b.fetchedAt - a.fetchedAt).slice(0, MAX_CACHED_STREAMS);
  const tags = cache.tags ? Object.entries(cache.tags).sort(([, a], [, b]) => b.fetchedAt - a.fetchedAt).slice(0, MAX_CACHED_STREAMS) : undefined;
  return { pages: Object.fromEntries(pages), streams: Object.fromEntries(streams), ...(cache.all ? { all: cache.all } : {}), ...(tags ? { tags: Object.fromEntries(tags) } : {}) };
}
