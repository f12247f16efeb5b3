import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamRef } from '../../../shared/model';
import { silentLogger } from '../../../main/core/logger';
import { AppFailure } from '../../../main/core/app-failure';
import { appError } from '../../../shared/errors';
import { createEndpointCache, GET_DATA_ENDPOINT_LIMITS, type EndpointLookup } from '../../../main/kvs/endpoint-cache';
import { createAccountCaches } from '../../../main/store/account-caches';
import type { AccountChange } from '../../../main/accounts/connection';
import { FakeClock, flush } from './fake-clock';

let dir: string;
const opened: Array<{ settled(): Promise<void> }> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvs-wall-endpoints-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.settled()));
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for GetDataEndpoint that records each call and answers when released (or at once). */
function recordingLookup(options: { manual?: boolean } = {}) {
  const calls: Array<{ ref: StreamRef; apiName: string; at: number }> = [];
  const waiting: Array<() => void> = [];
  let clock: FakeClock | undefined;
  let failWith: unknown;
  const lookup: EndpointLookup = async (ref, apiName) => {
    calls.push({ ref, apiName, at: clock?.now() ?? 0 });
    if (options.manual) await new Promise<void>((r) => waiting.push(r));
    if (failWith) throw failWith;
    return `https://b-${ref.streamName}.kinesisvideo.us-west-2.amazonaws.com`;
  };
  return {
    lookup,
    calls,
    release: () => waiting.splice(0).forEach((r) => r()),
    bind: (c: FakeClock) => (clock = c),
    fail: (err: unknown) => (failWith = err),
  };
}

function setup(options: { manual?: boolean } = {}) {
  const clock = new FakeClock();
  const rec = recordingLookup(options);
  rec.bind(clock);
  const caches = createAccountCaches({ dir, clock });
  // Change events as the account service sends them: listeners first, then the account's files go.
  const listeners = new Set<(change: AccountChange) => void>();
  const accounts = { onChange: (l: (change: AccountChange) => void) => (listeners.add(l), () => listeners.delete(l)) };
  const change = async (accountId: string, identityChanged: boolean) => {
    for (const l of listeners) l({ accountId, change: 'updated', identityChanged });
    if (identityChanged) await caches.removeAccount(accountId);
  };
  const cache = createEndpointCache({ caches, accounts, lookup: rec.lookup, clock, logger: silentLogger });
  opened.push(cache);
  return { clock, rec, caches, cache, change };
}

const ref = (streamName: string, accountId = 'acc'): StreamRef => ({ accountId, streamName });

describe('endpoint cache', () => {
  it('looks an endpoint up once, then answers from memory', async () => {
    const { cache, rec } = setup();
    const first = await cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    const second = await cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    expect(first).toBe('https://b-cam1.kinesisvideo.us-west-2.amazonaws.com');
    expect(second).toBe(first);
    expect(rec.calls).toHaveLength(1);
    expect(cache.stats()).toEqual({ hits: 1, lookups: 1, shared: 0 });
    // Another API of the same stream is its own key.
    await cache.get(ref('cam1'), 'LIST_FRAGMENTS');
    expect(rec.calls.map((c) => c.apiName)).toEqual(['GET_DASH_STREAMING_SESSION_URL', 'LIST_FRAGMENTS']);
  });

  it('concurrent lookups of one key share a single call', async () => {
    const { cache, rec } = setup({ manual: true });
    const all = Promise.all(Array.from({ length: 10 }, () => cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL')));
    await vi.waitFor(() => expect(rec.calls).toHaveLength(1));
    await flush();
    expect(rec.calls).toHaveLength(1);
    rec.release();
    expect(new Set(await all).size).toBe(1);
    expect(cache.stats()).toMatchObject({ lookups: 1, shared: 9 });
  });

  it('persists endpoints so a restarted app needs no lookup', async () => {
    const { cache, rec, clock, caches } = setup();
    await cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    await cache.settled();
    const onDisk = JSON.parse(await readFile(join(dir, 'cache', 'endpoints-acc.json'), 'utf8'));
    expect(onDisk.data.entries).toEqual([{ streamName: 'cam1', apiName: 'GET_DASH_STREAMING_SESSION_URL', endpoint: 'https://b-cam1.kinesisvideo.us-west-2.amazonaws.com', fetchedAt: clock.now() }]);
    const restarted = createEndpointCache({ caches, lookup: rec.lookup, clock, logger: silentLogger });
    expect(await restarted.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL')).toBe('https://b-cam1.kinesisvideo.us-west-2.amazonaws.com');
    expect(rec.calls).toHaveLength(1);
  });

  it('invalidate forces a fresh lookup, in memory and on disk', async () => {
    const { cache, rec, clock, caches } = setup();
    await cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    await cache.invalidate(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    expect(JSON.parse(await readFile(join(dir, 'cache', 'endpoints-acc.json'), 'utf8')).data.entries).toEqual([]);
    const restarted = createEndpointCache({ caches, lookup: rec.lookup, clock, logger: silentLogger });
    await restarted.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    expect(rec.calls).toHaveLength(2);
    await cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    expect(rec.calls).toHaveLength(3);
  });

  it('never makes more than 5 lookups per second for one stream', async () => {
    const { cache, rec, clock } = setup();
    const start = clock.now();
    const apis = ['GET_DASH_STREAMING_SESSION_URL', 'LIST_FRAGMENTS', 'GET_CLIP', 'GET_IMAGES', 'GET_MEDIA', 'GET_HLS_STREAMING_SESSION_URL', 'GET_MEDIA_FOR_FRAGMENT_LIST'] as const;
    const pending = apis.map((api) => cache.get(ref('cam1'), api));
    await vi.waitFor(() => expect(rec.calls).toHaveLength(5));
    await flush();
    expect(rec.calls).toHaveLength(5);
    await clock.advance(1000);
    await Promise.all(pending);
    expect(rec.calls.map((c) => c.at - start)).toEqual([0, 0, 0, 0, 0, 1000, 1000]);
  });

  it('never more than 300 per second per account, yet a 64-tile wall starts at once', async () => {
    const { cache, rec, clock } = setup();
    const wall = Array.from({ length: 64 }, (_, i) => cache.get(ref(`cam${i}`), 'GET_DASH_STREAMING_SESSION_URL'));
    await vi.waitFor(() => expect(rec.calls).toHaveLength(64));
    await Promise.all(wall);
    expect(clock.pending()).toBe(0);

    const burst = Array.from({ length: 320 }, (_, i) => cache.get(ref(`other${i}`, 'acc2'), 'LIST_FRAGMENTS'));
    await vi.waitFor(() => expect(rec.calls.filter((c) => c.ref.accountId === 'acc2')).toHaveLength(GET_DATA_ENDPOINT_LIMITS.perAccount.calls));
    await flush();
    expect(rec.calls.filter((c) => c.ref.accountId === 'acc2')).toHaveLength(GET_DATA_ENDPOINT_LIMITS.perAccount.calls);
    await clock.advance(1000);
    await Promise.all(burst);
    expect(rec.calls.filter((c) => c.ref.accountId === 'acc2')).toHaveLength(320);
  });

  it('a failed lookup is not cached; a retryable failure falls back to an expired entry', async () => {
    const { cache, rec, clock } = setup();
    rec.fail(new AppFailure(appError('NotAuthorizedException', 'no')));
    await expect(cache.get(ref('cam1'), 'LIST_FRAGMENTS')).rejects.toMatchObject({ appError: { code: 'NotAuthorizedException' } });
    rec.fail(undefined);
    await cache.get(ref('cam1'), 'LIST_FRAGMENTS');
    expect(rec.calls).toHaveLength(2);

    await clock.advance(25 * 3600_000);
    rec.fail(new AppFailure(appError('NetworkError', 'down', { retryable: true })));
    expect(await cache.get(ref('cam1'), 'LIST_FRAGMENTS')).toBe('https://b-cam1.kinesisvideo.us-west-2.amazonaws.com');
    expect(rec.calls).toHaveLength(3);
  });

  it('an identity change drops the endpoints, and a lookup still in flight cannot write the old one back', async () => {
    const { cache, rec, change } = setup({ manual: true });
    const first = cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    rec.release();
    await vi.waitFor(() => expect(rec.calls).toHaveLength(1));
    rec.release();
    await first;
    await cache.settled();
    expect(await readFile(join(dir, 'cache', 'endpoints-acc.json'), 'utf8')).toContain('b-cam1');

    // A lookup starts with the old identity …
    const inFlight = cache.get(ref('cam2'), 'GET_DASH_STREAMING_SESSION_URL');
    await vi.waitFor(() => expect(rec.calls).toHaveLength(2));
    // … the region changes while AWS is still answering it, and the new identity starts its own lookup …
    await change('acc', true);
    const fresh = cache.get(ref('cam3'), 'GET_DASH_STREAMING_SESSION_URL');
    await vi.waitFor(() => expect(rec.calls).toHaveLength(3));
    rec.release();
    // … so the old answer is refused, retryably, and never cached: only the new identity's endpoint is saved.
    await expect(inFlight).rejects.toMatchObject({ appError: { code: 'AccountChanged', retryable: true } });
    await fresh;
    await cache.settled();
    const saved = JSON.parse(await readFile(join(dir, 'cache', 'endpoints-acc.json'), 'utf8')) as { data: { entries: Array<{ streamName: string }> } };
    expect(saved.data.entries.map((e) => e.streamName)).toEqual(['cam3']);

    // cam1 was the old identity's too: looked up afresh.
    const again = cache.get(ref('cam1'), 'GET_DASH_STREAMING_SESSION_URL');
    await vi.waitFor(() => expect(rec.calls).toHaveLength(4));
    rec.release();
    await again;
  });

  it('a pending write of the old identity does not recreate the file after the change', async () => {
    const { cache, rec, change } = setup();
    await cache.get(ref('cam1'), 'LIST_FRAGMENTS');
    // The write-behind is queued, not yet on disk, when the identity changes.
    await change('acc', true);
    await cache.settled();
    await expect(readFile(join(dir, 'cache', 'endpoints-acc.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(rec.calls).toHaveLength(1);
  });

  it('a rename keeps the endpoints', async () => {
    const { cache, rec, change } = setup();
    await cache.get(ref('cam1'), 'LIST_FRAGMENTS');
    await change('acc', false);
    await cache.get(ref('cam1'), 'LIST_FRAGMENTS');
    expect(rec.calls).toHaveLength(1);
  });
});
