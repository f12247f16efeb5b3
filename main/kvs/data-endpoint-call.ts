import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { StreamRef } from '../../shared/model';
import type { DataApiName } from '../store/account-caches';
import type { ArchivedPurpose, KvsClients } from './clients';
import type { EndpointCache } from './endpoint-cache';
import { effectOf, toAppError, type KvsOperation } from './errors';

export type ArchivedClient = Awaited<ReturnType<KvsClients['archived']>>['client'];

export interface DataEndpointDeps {
  clients: Pick<KvsClients, 'archived'>;
  endpoints: Pick<EndpointCache, 'get' | 'invalidate'>;
  clock: Clock;
  logger: Logger;
}

/** Runs one archived-media call on a stream's data endpoint (see `dataEndpointCaller`). */
export type DataEndpointCall = <T>(
  ref: StreamRef,
  apiName: DataApiName,
  operation: KvsOperation,
  purpose: ArchivedPurpose,
  call: (client: ArchivedClient) => Promise<T>,
) => Promise<T>;

/**
 * Codes that suggest the cached data endpoint itself is the problem (moved, unreachable, or an answer
 * nothing like KVS's), so the next attempt looks it up again. Errors about the stream, the keys or
 * throttling keep the endpoint: looking it up again would only spend GetDataEndpoint quota.
 */
const ENDPOINT_SUSPECT = new Set(['NetworkError', 'ServiceUnavailable', 'UnknownRegion', 'Internal']);

/**
 * Every archived-media call (session URLs, ListFragments, GetImages, GetClip) goes through this.
 * Every failure leaves as an AppFailure that says whether the call may have taken effect at KVS.
 * When the endpoint itself looks wrong it is invalidated so the next call looks it up again. The one
 * retry made here is on a freshly looked-up endpoint after the old one could not even be connected
 * to (a cached endpoint of an earlier run, now gone — the Demo cameras move to a new port every
 * start): that attempt provably never reached KVS, so it created nothing and spent nothing. Every
 * other retry belongs to the caller, which knows what an attempt costs.
 */
export function dataEndpointCaller(deps: DataEndpointDeps): DataEndpointCall {
  return async (ref, apiName, operation, purpose, call) => {
    let endpoint = await beforeSending(() => deps.endpoints.get(ref, apiName));
    for (let attempt = 1; ; attempt++) {
      const { client, connection } = await beforeSending(() => deps.clients.archived(ref.accountId, endpoint, purpose));
      try {
        return await call(client);
      } catch (err) {
        const mapped = toAppError(err, { operation, region: connection.region, endpoint, now: deps.clock.now() });
        const failure = new AppFailure(mapped, { effect: effectOf(err) });
        if (!ENDPOINT_SUSPECT.has(mapped.code)) throw failure;
        await deps.endpoints.invalidate(ref, apiName);
        if (attempt > 1 || mapped.code !== 'NetworkError' || failure.effect !== 'none') throw failure;
        const fresh = await beforeSending(() => deps.endpoints.get(ref, apiName));
        if (fresh === endpoint) throw failure;
        deps.logger.info('data endpoint moved; retrying on the new one', { accountId: ref.accountId, stream: ref.streamName, apiName });
        endpoint = fresh;
      }
    }
  };
}

/** Runs a step before the request is sent: whatever fails there took no effect at KVS. */
export async function beforeSending<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof AppFailure && err.effect !== undefined) throw err;
    throw new AppFailure(toAppError(err), { cause: err, effect: 'none' });
  }
}
