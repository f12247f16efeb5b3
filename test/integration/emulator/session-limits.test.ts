import { GetDASHStreamingSessionURLCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { parse } from 'mpd-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archivedMedia, cameras, errorOf, getOk, sessionUrl, startTestEmulator, type Emulator } from './support';

let emulator: Emulator;
let advance: (ms: number) => void;
let freeze: () => void;
let unfreeze: () => void;

beforeAll(async () => {
  ({ emulator, advance, freeze, unfreeze } = await startTestEmulator({ cameras: cameras('busy-cam', 'short-cam', 'burst-cam', 'quota-cam') }));
});
afterAll(() => emulator?.stop());

async function mediaUrls(manifestUrl: string): Promise<{ init: string; media: string[] }> {
  const parsed = parse(await (await getOk(manifestUrl)).text(), { manifestUri: manifestUrl });
  const segments = parsed.playlists[0]?.segments ?? [];
  return { init: segments[0]?.map?.resolvedUri ?? '', media: segments.map((s) => s.resolvedUri) };
}

describe('session limits, lifetimes and quotas', () => {
  it('allows 10 active sessions per stream; the 11th silently revokes the oldest', async () => {
    const urls: string[] = [];
    for (let i = 0; i < 11; i++) {
      // Session creation is limited to 1/s sustained per stream; the test clock supplies the seconds.
      advance(1000);
      urls.push(await sessionUrl(emulator, { StreamName: 'busy-cam', Expires: 3600 }));
    }
    const oldest = await errorOf(await fetch(urls[0] ?? ''));
    expect(oldest.status).toBe(403);
    expect(oldest.type).toBe('NotAuthorizedException');
    expect(oldest.body.message).toMatch(/revoked/);
    for (const url of urls.slice(1)) expect((await fetch(url)).status).toBe(200);
    const counters = emulator.control.counters();
    expect(counters.activeSessions['busy-cam']).toBe(10);
    expect(counters.revokedSessions).toBeGreaterThanOrEqual(1);
  });

  it('refuses a session after its Expires has passed (test lower bound: 2 s)', async () => {
    const url = await sessionUrl(emulator, { StreamName: 'short-cam', Expires: 2 });
    const { init, media } = await mediaUrls(url);
    expect((await fetch(init)).status).toBe(200);
    advance(2100);
    for (const target of [url, init, media[0] ?? '']) {
      const error = await errorOf(await fetch(target));
      expect(error.status).toBe(403);
      expect(error.type).toBe('NotAuthorizedException');
      expect(error.body.message).toMatch(/expired/);
    }
    expect(emulator.control.counters().activeSessions['short-cam'] ?? 0).toBe(0);
  });

  it('forgets expired and revoked sessions, so memory follows the live sessions only', async () => {
    advance(3_600_000);
    const url = await sessionUrl(emulator, { StreamName: 'short-cam', Expires: 5 });
    // Every earlier session (the 11 above, one revoked, and the expired one) has passed its Expires.
    const counters = emulator.control.counters();
    expect(counters.sessionsHeld).toBe(1);
    expect(counters.activeSessions).toEqual({ 'short-cam': 1 });
    expect((await fetch(url)).status).toBe(200);
  });

  it('throttles GetDASHStreamingSessionURL at 5 calls burst per stream, then 1 per second', async () => {
    advance(10_000);
    const client = archivedMedia(emulator);
    freeze();
    const burst = await Promise.allSettled(Array.from({ length: 7 }, () => client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'burst-cam' }))));
    const ok = burst.filter((r) => r.status === 'fulfilled').length;
    const limited = burst.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'ClientLimitExceededException').length;
    expect(ok).toBe(5);
    expect(limited).toBe(2);
    advance(1000);
    await client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'burst-cam' }));
    const again = await Promise.allSettled([client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'burst-cam' }))]);
    unfreeze();
    expect(again[0]?.status).toBe('rejected');
  });

  it('throttles a session beyond 5 manifests, 5 inits and 10 media fragments per second', async () => {
    advance(1000);
    const url = await sessionUrl(emulator, { StreamName: 'quota-cam', Expires: 600 });
    advance(1000);
    const { init, media } = await mediaUrls(url);
    const statuses = async (target: string, n: number) => Promise.all(Array.from({ length: n }, async () => (await fetch(target)).status));

    advance(1000);
    freeze();
    const manifests = await statuses(url, 6);
    expect(manifests.filter((s) => s === 200)).toHaveLength(5);
    const throttledManifest = await errorOf(await fetch(url));
    expect(throttledManifest.status).toBe(400);
    expect(throttledManifest.type).toBe('ClientLimitExceededException');

    const inits = await statuses(init, 6);
    expect(inits.filter((s) => s === 200)).toHaveLength(5);
    expect(inits.filter((s) => s === 400)).toHaveLength(1);

    const fragments = await statuses(media[media.length - 1] ?? '', 11);
    expect(fragments.filter((s) => s === 200)).toHaveLength(10);
    expect(fragments.filter((s) => s === 400)).toHaveLength(1);

    advance(1000);
    expect((await fetch(url)).status).toBe(200);
    unfreeze();
    const counts = emulator.control.counters();
    expect(counts.errorTypes.getDASHManifest?.ClientLimitExceededException).toBeGreaterThanOrEqual(2);
  });
});
