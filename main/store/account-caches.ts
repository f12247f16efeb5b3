import { z } from 'zod';
import { EpochMsSchema, IdSchema, StreamInfoSchema, StreamNameSchema, StreamTagsSchema } from '../../shared/model';
import { openJsonFile, type JsonFile } from './atomic-json';
import type { StoreContext } from './store-context';

/**
 * Per-account caches of what AWS told us: the stream catalogue (so the picker works offline) and
 * data endpoints (so a wall starts without a GetDataEndpoint storm). One file per account and kind,
 * so removing an account is deleting its files. Nothing here is secret.
 */
export const CachedPageSchema = z.object({
  streams: z.array(StreamInfoSchema),
  nextToken: z.string().max(512).optional(),
  fetchedAt: EpochMsSchema,
});
export type CachedPage = z.infer<typeof CachedPageSchema>;

export const StreamCacheSchema = z.object({
  /** Keyed by the query (prefix, page token, page size). */
  pages: z.record(z.string().max(1100), CachedPageSchema),
  /** The newest description of each stream seen, for `describe` when offline. */
  streams: z.record(StreamNameSchema, z.object({ info: StreamInfoSchema, fetchedAt: EpochMsSchema })),
  /** The names of every stream, in AWS's order, from the last full listing (for search and offline use). */
  all: z.object({ names: z.array(StreamNameSchema), truncated: z.boolean(), fetchedAt: EpochMsSchema }).optional(),
  /** Each stream's tags (ListTagsForStream), for grouping cameras. */
  tags: z.record(StreamNameSchema, z.object({ tags: StreamTagsSchema, fetchedAt: EpochMsSchema })).optional(),
});
export type StreamCache = z.infer<typeof StreamCacheSchema>;

export const DATA_API_NAMES = [
  'GET_DASH_STREAMING_SESSION_URL',
  'GET_HLS_STREAMING_SESSION_URL',
  'LIST_FRAGMENTS',
  'GET_MEDIA',
  'GET_MEDIA_FOR_FRAGMENT_LIST',
  'GET_CLIP',
  'GET_IMAGES',
  'PUT_MEDIA',
] as const;
export type DataApiName = (typeof DATA_API_NAMES)[number];

export const HttpUrlSchema = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'an http(s) URL');

export const EndpointCacheSchema = z.object({
  entries: z.array(
    z.object({ streamName: StreamNameSchema, apiName: z.enum(DATA_API_NAMES), endpoint: HttpUrlSchema, fetchedAt: EpochMsSchema }),
  ),
});
export type EndpointCacheDoc = z.infer<typeof EndpointCacheSchema>;

export interface AccountCaches {
  streams(accountId: string): JsonFile<StreamCache>;
  endpoints(accountId: string): JsonFile<EndpointCacheDoc>;
  /** Deletes every cache file of the account. */
  removeAccount(accountId: string): Promise<void>;
}

export function createAccountCaches(ctx: StoreContext): AccountCaches {
  const checkedId = (accountId: string): string => IdSchema.parse(accountId);
  const streams = (accountId: string) =>
    openJsonFile<StreamCache>({ ...ctx, name: `cache/streams-${checkedId(accountId)}.json`, version: 1, schema: StreamCacheSchema, defaults: () => ({ pages: {}, streams: {} }) });
  const endpoints = (accountId: string) =>
    openJsonFile<EndpointCacheDoc>({ ...ctx, name: `cache/endpoints-${checkedId(accountId)}.json`, version: 1, schema: EndpointCacheSchema, defaults: () => ({ entries: [] }) });
  return {
    streams,
    endpoints,
    async removeAccount(accountId) {
      await Promise.all([streams(accountId).remove(), endpoints(accountId).remove()]);
    },
  };
}
