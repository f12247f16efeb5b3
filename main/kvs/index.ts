export { toAppError, parseRetryAfter, cleanAwsMessage, type ErrorContext, type KvsOperation } from './errors';
export { createControlClient, createArchivedClient, DEFAULT_TUNING, type ClientTuning } from './client-config';
export { createKvsClients, type KvsClients, type KvsClientsDeps, type ControlHandle, type ArchivedHandle } from './clients';
export { createRateLimiter, type RateLimiter, type RateLimit } from './rate-limiter';
export { createEndpointCache, getDataEndpointVia, GET_DATA_ENDPOINT_LIMITS, type EndpointCache, type EndpointCacheDeps, type EndpointLookup, type EndpointCacheStats } from './endpoint-cache';
export { createStreamCatalogue, toStreamInfo, unplayableReason, type StreamCatalogue, type StreamCatalogueDeps, type ListQuery } from './catalogue';
export { createSessionIssuer, sessionRequest, type SessionIssuer, type FragmentLister, type SessionIssuerDeps, type TimestampSelector } from './session-issuer';
