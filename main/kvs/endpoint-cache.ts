import { GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import type { StreamRef } from '../../shared/model';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { AccountConnections } from '../accounts/connection';
import { HttpUrlSchema, type AccountCaches, type DataApiName, type EndpointCacheDoc } from '../store/account-caches';
import type { KvsClients } from './clients';
import { toAppError } from './errors';
import { trackIdentityGenerations } from './identity-generations';
import { createRateLimiter, type RateLimit } from './rate-limiter';

/** KVS quotas for GetDataEndpoint (hard limits): 5 calls/s per stream, 300 calls/s per account. */
export const GET_DATA_ENDPOINT_LIMITS = {
  perStream: { calls: 5, perMs: 1000 },
  perAccount: { calls: 300, perMs: 1000 },
} as const satisfies Record<string, RateLimit>;

/**
 * KVS says a cached endpoint is safe to use until a call on it fails. A day's limit on top keeps a
 * long-idle cache from pointing at an endpoint retired months ago.
 */
export const DEFAULT_ENDPOINT_MAX_AGE_MS = 24 * 3600_000;

export interface EndpointCacheStats {
  /** Answers from memory or disk. */
  hits: number;
  /** GetDataEndpoint calls made. */
  lookups: number;
  /** Callers that joined a lookup already in flight for the same key. */
  shared: number;
}

export interface EndpointCache {
  /** The data endpoint for a stream and API, from the cache or one GetDataEndpoint call. */
  get(ref: StreamRef, apiName: DataApiName): Promise<string>;
  /** Drops a cached endpoint (after a call on it failed) so the next `get` looks it up again. */
  invalidate(ref: StreamRef, apiName: DataApiName): Promise<void>;
  /**
   * Drops the account's endpoints from memory (its file is removed with the account); lookups still in
   * flight for it fail with AccountChanged instead of writing the old identity's endpoint back.
   */
  forgetAccount(accountId: string): void;
  stats(): EndpointCacheStats;
  /** Resolves when every pending cache write has reached the disk (call before quitting). */
  settled(): Promise<void>;
}

export type EndpointLookup = (ref: StreamRef, apiName: DataApiName) => Promise<string>;

export interface EndpointCacheDeps {
  caches: Pick<AccountCaches, 'endpoints'>;
  /** When given, an account's endpoints are forgotten as soon as its identity changes or it is removed. */
  accounts?: Pick<AccountConnections, 'onChange'>;
  lookup: EndpointLookup;
  clock: Clock;
  logger: Logger;
  limits?: { perStream: RateLimit; perAccount: RateLimit };
  maxAgeMs?: number;
}

interface Entry {
  endpoint: string;
  fetchedAt: number;
}

interface AccountState {
  /** The identity generation the entries belong to; a state of an older one is never written. */
  generation: number;
  entries: Map<string, Entry>;
  /** The latest write (running or waiting); the next one chains after it. */
  running: Promise<void>;
  /** A write that has not started yet and will include any change made now. */
  queued?: Promise<void>;
}

const keyOf = (streamName: string, apiName: DataApiName) => `${streamName}\u0000${apiName}`;

export function createEndpointCache(deps: EndpointCacheDeps): EndpointCache {
  const limits = deps.limits ?? GET_DATA_ENDPOINT_LIMITS;
  const maxAge = deps.maxAgeMs ?? DEFAULT_ENDPOINT_MAX_AGE_MS;
  const limiter = createRateLimiter(deps.clock);
  const accounts = new Map<string, Promise<AccountState>>();
  const inFlight = new Map<string, Promise<string>>();
  const stats: EndpointCacheStats = { hits: 0, lookups: 0, shared: 0 };
  const writes = new Set<Promise<void>>();
  // Runs synchronously inside the account service's change event, before the account's files are deleted.
  const generations = trackIdentityGenerations(deps.accounts, (accountId) => accounts.delete(accountId));

  function stateOf(accountId: string): Promise<AccountState> {
    let state = accounts.get(accountId);
    if (!state) {
      const generation = generations.current(accountId);
      state = deps.caches
        .endpoints(accountId)
        .read()
        .then(({ value }): AccountState => ({ generation, entries: new Map(value.entries.map((e) => [keyOf(e.streamName, e.apiName), { endpoint: e.endpoint, fetchedAt: e.fetchedAt }])), running: Promise.resolve() }))
        .catch((err: unknown) => {
          // An unreadable cache only costs lookups; start empty rather than block playback.
          deps.logger.warn('endpoint cache unreadable; starting empty', { accountId, code: toAppError(err).code });
          return { generation, entries: new Map<string, Entry>(), running: Promise.resolve() };
        });
      accounts.set(accountId, state);
    }
    return state;
  }

  /** The account's state for its current identity (a state read while the identity changed is dropped). */
  async function currentState(accountId: string): Promise<AccountState> {
    for (;;) {
      const state = await stateOf(accountId);
      if (state.generation === generations.current(accountId)) return state;
    }
  }

  /**
   * Write-behind: at most one write running and one waiting per account. A change joins the waiting
   * write if there is one (it snapshots when it starts), so a burst of lookups costs two writes.
   * The promise resolves once a write that includes the caller's change is on disk.
   */
  function persist(accountId: string, state: AccountState): Promise<void> {
    if (state.queued) return state.queued;
    const queued = state.running.then(async () => {
      state.queued = undefined;
      // Never write the entries of an identity the account no longer has.
      if (accounts.get(accountId) === undefined || state.generation !== generations.current(accountId)) return;
      const doc: EndpointCacheDoc = {
        entries: [...state.entries].map(([key, e]) => {
          const [streamName, apiName] = key.split('\u0000') as [string, DataApiName];
          return { streamName, apiName, endpoint: e.endpoint, fetchedAt: e.fetchedAt };
        }),
      };
      try {
        await deps.caches.endpoints(accountId).write(doc);
      } catch (err) {
        deps.logger.warn('endpoint cache not saved', { accountId, code: toAppError(err).code });
      }
    });
    state.queued = queued;
    state.running = queued;
    writes.add(queued);
    void queued.finally(() => writes.delete(queued));
    return queued;
  }

  async function lookUp(ref: StreamRef, apiName: DataApiName, state: AccountState, stale: Entry | undefined): Promise<string> {
    await limiter.acquire([
      { key: `${ref.accountId}/${ref.streamName}`, limit: limits.perStream },
      { key: ref.accountId, limit: limits.perAccount },
    ]);
    stats.lookups++;
    let endpoint: string;
    try {
      endpoint = await deps.lookup(ref, apiName);
      // Looked up with the old identity's credentials and region: useless (and wrong) for the new one.
      generations.check(ref.accountId, state.generation);
    } catch (err) {
      const mapped = toAppError(err);
      if (mapped.code === 'AccountChanged') throw err;
      if (stale && mapped.retryable) {
        deps.logger.warn('GetDataEndpoint failed; using the older cached endpoint', { accountId: ref.accountId, stream: ref.streamName, code: mapped.code });
        return stale.endpoint;
      }
      throw err;
    }
    state.entries.set(keyOf(ref.streamName, apiName), { endpoint, fetchedAt: deps.clock.now() });
    void persist(ref.accountId, state);
    return endpoint;
  }

  return {
    async get(ref, apiName) {
      const state = await currentState(ref.accountId);
      const key = `${ref.accountId}\u0000${state.generation}\u0000${keyOf(ref.streamName, apiName)}`;
      const cached = state.entries.get(keyOf(ref.streamName, apiName));
      if (cached && deps.clock.now() - cached.fetchedAt < maxAge) {
        stats.hits++;
        return cached.endpoint;
      }
      const pending = inFlight.get(key);
      if (pending) {
        stats.shared++;
        return pending;
      }
      const lookup = lookUp(ref, apiName, state, cached).finally(() => inFlight.delete(key));
      inFlight.set(key, lookup);
      return lookup;
    },

    async invalidate(ref, apiName) {
      const state = await currentState(ref.accountId);
      if (state.entries.delete(keyOf(ref.streamName, apiName))) {
        deps.logger.info('data endpoint invalidated', { accountId: ref.accountId, stream: ref.streamName, apiName });
        await persist(ref.accountId, state);
      }
    },

    forgetAccount(accountId) {
      generations.bump(accountId);
    },

    stats: () => ({ ...stats }),

    async settled() {
      while (writes.size) await Promise.all([...writes]);
    },
  };
}

/** The real lookup: GetDataEndpoint on the account's control-plane client, with the answer checked. */
export function getDataEndpointVia(clients: Pick<KvsClients, 'control'>, clock: Clock): EndpointLookup {
  return async (ref, apiName) => {
    const { client, connection } = await clients.control(ref.accountId);
    try {
      const out = await client.send(new GetDataEndpointCommand({ StreamName: ref.streamName, APIName: apiName }));
      const checked = HttpUrlSchema.safeParse(out.DataEndpoint);
      if (!checked.success) {
        throw new AppFailure(appError('ServiceUnavailable', 'AWS answered GetDataEndpoint without a usable endpoint address.', { retryable: true }));
      }
      return checked.data.replace(/\/+$/, '');
    } catch (err) {
      throw new AppFailure(toAppError(err, { operation: 'GetDataEndpoint', region: connection.region, endpoint: connection.endpoint, now: clock.now() }));
    }
  };
}
