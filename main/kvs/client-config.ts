import { KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import type { AccountConnection } from '../accounts/connection';

export interface ClientTuning {
  /** Total attempts per call, first included. Kept low: the broker and catalogue do their own backoff. */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  /** The whole request, connect included; the call fails with a TimeoutError after it. */
  requestTimeoutMs?: number;
}

export const DEFAULT_TUNING: Required<ClientTuning> = { maxAttempts: 3, connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 };

/**
 * For GetDASHStreamingSessionURL: one attempt. Every attempt that reaches KVS may create a session,
 * and the session broker, which counts them, is the one owner of retries for that call.
 */
export const SESSION_URL_TUNING: ClientTuning = { maxAttempts: 1 };

/**
 * For GetClip and GetImages: one attempt (each spends up to hundreds of the stream's points; the
 * caller prices every attempt and backs off itself), and a minute of silence before a clip's
 * download counts as stalled.
 */
export const PRICED_TUNING: ClientTuning = { maxAttempts: 1, requestTimeoutMs: 60_000 };

function baseConfig(connection: AccountConnection, tuning: ClientTuning) {
  const t = { ...DEFAULT_TUNING, ...tuning };
  return {
    region: connection.region,
    credentials: connection.credentials,
    // Adaptive mode adds a client-side rate limiter that backs off on throttling, on top of retries.
    retryMode: 'adaptive',
    maxAttempts: t.maxAttempts,
    // Without throwOnRequestTimeout the SDK only logs an overrun and lets the call hang on.
    requestHandler: { connectionTimeout: t.connectionTimeoutMs, requestTimeout: t.requestTimeoutMs, throwOnRequestTimeout: true },
  } as const;
}

export function createControlClient(connection: AccountConnection, tuning: ClientTuning = {}): KinesisVideoClient {
  return new KinesisVideoClient({ ...baseConfig(connection, tuning), ...(connection.endpoint ? { endpoint: connection.endpoint } : {}) });
}

/** The archived-media API lives on the stream's data endpoint, which GetDataEndpoint returns. */
export function createArchivedClient(connection: AccountConnection, dataEndpoint: string, tuning: ClientTuning = {}): KinesisVideoArchivedMediaClient {
  return new KinesisVideoArchivedMediaClient({ ...baseConfig(connection, tuning), endpoint: dataEndpoint });
}
