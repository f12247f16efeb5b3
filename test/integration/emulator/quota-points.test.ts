import { GetDASHStreamingSessionURLCommand, ListFragmentsCommand, type GetDASHStreamingSessionURLCommandInput } from '@aws-sdk/client-kinesis-video-archived-media';
import { parse } from 'mpd-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { archivedMedia, cameras, errorOf, getOk, rejection, startTestEmulator, type Emulator } from './support';

/** AWS's current quota page (points model): per stream 500 media and 10,000 metadata points per second. */
let emulator: Emulator;
let advance: (ms: number) => void;
let freeze: () => void;
let unfreeze: () => void;
let now: () => number;

beforeAll(async () => {
  ({ emulator, advance, freeze, unfreeze, now } = await startTestEmulator({
    quotaModel: 'points',
    cameras: cameras('many-cam', 'rate-cam', 'media-a', 'media-b', 'session-cam', 'meta-cam', 'list-cam', 'count-cam'),
  }));
});
afterEach(() => {
  unfreeze();
  // A second of quiet between tests refills every bucket they used.
  advance(2000);
});
afterAll(() => emulator?.stop());

async function newSession(input: GetDASHStreamingSessionURLCommandInput): Promise<string> {
  const out = await archivedMedia(emulator).send(new GetDASHStreamingSessionURLCommand({ Expires: 3600, ...input }));
  if (!out.DASHStreamingSessionURL) throw new Error('no session URL');
  return out.DASHStreamingSessionURL;
}

async function sessions(streamName: string, count: number, input: Partial<GetDASHStreamingSessionURLCommandInput> = {}): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    // Session creation is 25 TPS per stream; a step of the test clock keeps each call under it.
    advance(50);
    urls.push(await newSession({ StreamName: streamName, ...input }));
  }
  return urls;
}

/** The init URL and the newest media fragment URL of a session's manifest. */
async function fragmentUrls(manifestUrl: string): Promise<{ init: string; media: string }> {
  const parsed = parse(await (await getOk(manifestUrl)).text(), { manifestUri: manifestUrl });
  const segments = parsed.playlists[0]?.segments ?? [];
  return { init: segments[0]?.map?.resolvedUri ?? '', media: segments.at(-1)?.resolvedUri ?? '' };
}

/** Real GETs, one after another so the refused ones are the last: statuses in order. */
async function getStatuses(url: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(url);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('points quota model (AWS current quotas)', () => {
  it('has no session cap: 30 sessions on one stream all stay valid', async () => {
    const before = emulator.control.counters().revokedSessions;
    const urls = await sessions('many-cam', 30);
    for (const url of urls) expect((await fetch(url)).status).toBe(200);
    const counters = emulator.control.counters();
    expect(counters.quotaModel).toBe('points');
    expect(counters.activeSessions['many-cam']).toBe(30);
    expect(counters.sessionsCreated['many-cam']).toBe(30);
    expect(counters.revokedSessions).toBe(before);
    expect(emulator.control.sessions('many-cam')).toHaveLength(30);
  });

  it('allows 25 GetDASHStreamingSessionURL calls per second per stream, then refills', async () => {
    const client = archivedMedia(emulator);
    const call = (name: string) => client.send(new GetDASHStreamingSessionURLCommand({ StreamName: name, Expires: 600 }));
    freeze();
    const burst = await Promise.allSettled(Array.from({ length: 27 }, () => call('rate-cam')));
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(25);
    const refused = burst.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error & { $metadata?: { httpStatusCode?: number } });
    expect(refused.map((e) => e.name)).toEqual(['ClientLimitExceededException', 'ClientLimitExceededException']);
    expect(refused[0]?.$metadata?.httpStatusCode).toBe(400);
    // Another stream has its own 25 in the same instant.
    await call('session-cam');
    advance(40);
    // 40 ms refills one call's worth (25 per second).
    await call('rate-cam');
    expect((await rejection(call('rate-cam'))).name).toBe('ClientLimitExceededException');
    expect(emulator.control.counters().throttled['rate-cam']).toEqual({ sessionUrl: 3 });
  });

  it('shares 500 media points per second among all sessions of a stream, not across streams, and refills them', async () => {
    const urlsA = await sessions('media-a', 26);
    const [urlB] = await sessions('media-b', 1);
    const mediaA = await Promise.all(urlsA.map(async (url) => (await fragmentUrls(url)).media));
    const mediaB = (await fragmentUrls(urlB ?? '')).media;
    advance(2000);
    emulator.control.resetCounters();

    freeze();
    // 25 sessions × 20 fragment GETs (each session's own limit) = 500 points: all served.
    for (const url of mediaA.slice(0, 25)) expect(count(await getStatuses(url, 20), 200)).toBe(20);
    // The 26th session has spent nothing, yet its stream has no media points left.
    const refused = await errorOf(await fetch(mediaA[25] ?? ''));
    expect(refused.status).toBe(400);
    expect(refused.type).toBe('ClientLimitExceededException');
    expect(refused.body.message).toMatch(/fragment-media points/);
    // Another stream's budget is untouched.
    expect(await getStatuses(mediaB, 1)).toEqual([200]);

    // 10 ms refill 5 points (500 per second): five more GETs, then refused again.
    advance(10);
    expect(await getStatuses(mediaA[25] ?? '', 6)).toEqual([200, 200, 200, 200, 200, 400]);

    const counters = emulator.control.counters();
    expect(counters.points['media-a']).toEqual({ media: 505, metadata: 0 });
    expect(counters.points['media-b']).toEqual({ media: 1, metadata: 0 });
    expect(counters.throttled['media-a']).toEqual({ mediaPoints: 2 });
    expect(counters.throttled['media-b']).toBeUndefined();
  });

  it('limits each session to 20 media fragments, 5 manifests and 5 init fragments per second', async () => {
    const [url] = await sessions('session-cam', 1);
    const { init, media } = await fragmentUrls(url ?? '');
    advance(2000);
    emulator.control.resetCounters();
    freeze();
    const fragments = await getStatuses(media, 21);
    expect(count(fragments, 200)).toBe(20);
    expect(fragments.at(-1)).toBe(400);
    const manifests = await getStatuses(url ?? '', 6);
    expect(count(manifests, 200)).toBe(5);
    expect(manifests.at(-1)).toBe(400);
    const inits = await getStatuses(init, 6);
    expect(count(inits, 200)).toBe(5);
    expect(inits.at(-1)).toBe(400);
    expect(emulator.control.counters().throttled['session-cam']).toEqual({ media: 1, manifest: 1, init: 1 });
    // A second later the session is served again.
    advance(1000);
    expect(await getStatuses(media, 1)).toEqual([200]);
  });

  it('charges each manifest its MaxManifestFragmentResults in metadata points (up to 5,000 allowed)', async () => {
    const [big1, big2, small] = [
      ...(await sessions('meta-cam', 2, { MaxManifestFragmentResults: 5000 })),
      ...(await sessions('meta-cam', 1, { MaxManifestFragmentResults: 3 })),
    ];
    advance(2000);
    emulator.control.resetCounters();
    freeze();
    // Two big manifests spend the stream's whole 10,000 metadata points, whatever they list (~300 fragments).
    expect(await getStatuses(big1 ?? '', 1)).toEqual([200]);
    expect(await getStatuses(big2 ?? '', 1)).toEqual([200]);
    const refused = await errorOf(await fetch(small ?? ''));
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/fragment-metadata points/);
    // ListFragments draws on the same budget.
    const list = await rejection(archivedMedia(emulator).send(new ListFragmentsCommand({ StreamName: 'meta-cam', MaxResults: 1 })));
    expect(list.name).toBe('ClientLimitExceededException');

    advance(1); // 1 ms refills 10 metadata points: one small manifest (3) fits, a ListFragments of 10 then does not.
    expect(await getStatuses(small ?? '', 1)).toEqual([200]);
    expect((await rejection(archivedMedia(emulator).send(new ListFragmentsCommand({ StreamName: 'meta-cam', MaxResults: 10 })))).name).toBe('ClientLimitExceededException');

    const counters = emulator.control.counters();
    expect(counters.points['meta-cam']).toEqual({ media: 0, metadata: 10_003 });
    expect(counters.throttled['meta-cam']).toEqual({ metadataPoints: 3 });
  });

  it('charges ListFragments its MaxResults even when fewer fragments come back, with no TPS limit of its own', async () => {
    emulator.control.resetCounters();
    const end = now();
    const range = { FragmentSelectorType: 'SERVER_TIMESTAMP' as const, TimestampRange: { StartTimestamp: new Date(end - 5_000), EndTimestamp: new Date(end) } };
    freeze();
    const client = archivedMedia(emulator);
    // Eight calls in one instant: the older 5 TPS row would refuse three.
    const pages = await Promise.all(Array.from({ length: 8 }, () => client.send(new ListFragmentsCommand({ StreamName: 'list-cam', MaxResults: 1000, FragmentSelector: range }))));
    for (const page of pages) expect(page.Fragments?.length ?? 0).toBeLessThan(5);
    expect(emulator.control.counters().points['list-cam']).toEqual({ media: 0, metadata: 8000 });
    // 2,000 points left: MaxResults 1,000 twice more, then refused.
    await client.send(new ListFragmentsCommand({ StreamName: 'list-cam', MaxResults: 1000, FragmentSelector: range }));
    await client.send(new ListFragmentsCommand({ StreamName: 'list-cam', MaxResults: 1000, FragmentSelector: range }));
    expect((await rejection(client.send(new ListFragmentsCommand({ StreamName: 'list-cam', MaxResults: 1, FragmentSelector: range })))).name).toBe('ClientLimitExceededException');
    expect(emulator.control.counters().throttled['list-cam']).toEqual({ metadataPoints: 1 });
  });

  it('reports points spent, throttles and the model over HTTP; refused requests spend nothing', async () => {
    const [url] = await sessions('count-cam', 1, { MaxManifestFragmentResults: 7 });
    const { media } = await fragmentUrls(url ?? '');
    advance(2000);
    emulator.control.resetCounters();
    freeze();
    await getStatuses(url ?? '', 6); // 5 served (7 points each), 1 refused by the session's rate
    await getStatuses(media, 3);
    const counters = (await (await fetch(`${emulator.url}/_control/counters`)).json()) as {
      quotaModel: string;
      points: Record<string, { media: number; metadata: number }>;
      throttled: Record<string, Record<string, number>>;
    };
    expect(counters.quotaModel).toBe('points');
    expect(counters.points['count-cam']).toEqual({ media: 3, metadata: 35 });
    expect(counters.throttled['count-cam']).toEqual({ manifest: 1 });
    emulator.control.resetCounters();
    expect(emulator.control.counters().points).toEqual({});
  });
});

describe('MaxManifestFragmentResults limits by quota model', () => {
  it('accepts 5,000 under points and refuses more than 1,000 under sessions', async () => {
    expect(await newSession({ StreamName: 'many-cam', MaxManifestFragmentResults: 5000 })).toMatch(/SessionToken=/);
    const over = await rejection(newSession({ StreamName: 'many-cam', MaxManifestFragmentResults: 5001 }));
    expect(over.name).toBe('InvalidArgumentException');
    expect(over.message).toContain('less than or equal to 5000');

    const { emulator: legacy } = await startTestEmulator({ cameras: cameras('legacy-cam') });
    try {
      const client = archivedMedia(legacy);
      expect(legacy.control.counters().quotaModel).toBe('sessions');
      const refused = await rejection(client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'legacy-cam', MaxManifestFragmentResults: 1001 })));
      expect(refused.name).toBe('InvalidArgumentException');
      expect(refused.message).toContain("'MaxManifestFragmentResults'");
      expect(refused.message).toContain('less than or equal to 1000');
      const ok = await client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'legacy-cam', MaxManifestFragmentResults: 1000 }));
      expect(ok.DASHStreamingSessionURL).toMatch(/SessionToken=/);
    } finally {
      await legacy.stop();
    }
  });

  it('refuses options that do not fit the model', async () => {
    await expect(startTestEmulator({ quotaModel: 'points', sessionLimitPerStream: 5, cameras: [] })).rejects.toThrow(/sessionLimitPerStream applies to the 'sessions' quota model only/);
    await expect(startTestEmulator({ quotaModel: 'tokens' as never, cameras: [] })).rejects.toThrow(/quotaModel must be one of sessions, points, not 'tokens'/);
  });
});
