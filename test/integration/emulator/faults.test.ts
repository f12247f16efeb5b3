import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand, ListFragmentsCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { parse } from 'mpd-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { archivedMedia, cameras, controlPlane, errorOf, getOk, rejection, sessionUrl, startTestEmulator, type Emulator } from './support';

let emulator: Emulator;
let advance: (ms: number) => void;
let now: () => number;

beforeAll(async () => {
  ({ emulator, advance, now } = await startTestEmulator({ cameras: cameras('fault-cam', 'gap-cam', 'revoke-cam') }));
});
afterEach(() => emulator.control.clearFaults());
afterAll(() => emulator?.stop());

async function control(name: string, body: unknown = {}): Promise<Response> {
  return fetch(`${emulator.url}/_control/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function newestFragmentStart(url: string): Promise<number> {
  const parsed = parse(await (await getOk(url)).text(), { manifestUri: url });
  return parsed.playlists[0]?.segments.at(-1)?.presentationTime ?? Number.NaN;
}

describe('emulator test controls', () => {
  it('fails the next N requests of a kind with 503 or 500, then recovers', async () => {
    advance(1000);
    const url = await sessionUrl(emulator, { StreamName: 'fault-cam', Expires: 600 });
    emulator.control.failNext('getDASHManifest', 2, 503);
    const first = await errorOf(await fetch(url));
    expect(first.status).toBe(503);
    expect(first.type).toBe('ServiceUnavailableException');
    expect((await fetch(url)).status).toBe(503);
    expect((await fetch(url)).status).toBe(200);

    emulator.control.failNext('listStreams', 1, 500);
    const error = await rejection(controlPlane(emulator).send(new ListStreamsCommand({})));
    expect(error.name).toBe('InternalFailure');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    // The SDK retries 5xx by itself; a burst of one is invisible to a client with retries.
    emulator.control.failNext('listStreams', 1, 503);
    const retried = await controlPlane(emulator, { maxAttempts: 3 }).send(new ListStreamsCommand({}));
    expect(retried.$metadata.attempts).toBe(2);
  });

  it('delays requests of a kind by the latency asked for', async () => {
    emulator.control.setLatency('listStreams', 300);
    const started = performance.now();
    await controlPlane(emulator).send(new ListStreamsCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    emulator.control.setLatency('listStreams', 0);
  });

  it('forces throttling on a kind until cleared', async () => {
    emulator.control.throttle('listStreams');
    for (let i = 0; i < 3; i++) {
      const error = await rejection(controlPlane(emulator).send(new ListStreamsCommand({})));
      expect(error.name).toBe('ClientLimitExceededException');
    }
    emulator.control.clearFaults();
    await controlPlane(emulator).send(new ListStreamsCommand({}));
  });

  it('stops and resumes a camera: no new fragments while stopped', async () => {
    advance(1000);
    const url = await sessionUrl(emulator, { StreamName: 'fault-cam', Expires: 600 });
    const before = await newestFragmentStart(url);
    emulator.control.stopCamera('fault-cam');
    // The GOP being captured at the stop still completes; nothing starts after it.
    advance(6000);
    const frozen = await newestFragmentStart(url);
    expect(frozen - before).toBeLessThanOrEqual(2.1);
    advance(6000);
    expect(await newestFragmentStart(url)).toBe(frozen);
    emulator.control.resumeCamera('fault-cam');
    advance(5000);
    expect(await newestFragmentStart(url)).toBeGreaterThan(frozen + 10);
  });

  it('injects a gap into the archive', async () => {
    const gapStart = now();
    emulator.control.injectGap('gap-cam', 6);
    expect(() => emulator.control.stopCamera('gap-cam')).toThrow(/cannot change now/);
    advance(12_000);
    const out = await archivedMedia(emulator).send(
      new ListFragmentsCommand({
        StreamName: 'gap-cam',
        FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(gapStart - 10_000), EndTimestamp: new Date(now()) } },
      }),
    );
    const starts = (out.Fragments ?? []).map((f) => f.ProducerTimestamp?.getTime() ?? 0).sort((a, b) => a - b);
    const steps = starts.slice(1).map((t, i) => t - (starts[i] ?? t));
    expect(Math.max(...steps)).toBeGreaterThanOrEqual(6000);
    expect(steps.filter((d) => d > 2500)).toHaveLength(1);
    expect(starts.some((t) => t >= gapStart && t < gapStart + 6000)).toBe(false);
    expect(starts.at(-1)).toBeGreaterThanOrEqual(gapStart + 6000);
  });

  it('revokes one session or all of a stream, and counts requests and errors', async () => {
    emulator.control.resetCounters();
    advance(1000);
    const a = await sessionUrl(emulator, { StreamName: 'revoke-cam', Expires: 600 });
    advance(1000);
    const b = await sessionUrl(emulator, { StreamName: 'revoke-cam', Expires: 600 });
    advance(1000);
    const c = await sessionUrl(emulator, { StreamName: 'revoke-cam', Expires: 600 });
    expect(emulator.control.counters().activeSessions['revoke-cam']).toBe(3);
    expect(emulator.control.revokeSession(a)).toBe(true);
    expect(emulator.control.revokeSession('no-such-session')).toBe(false);
    expect((await fetch(a)).status).toBe(403);
    expect((await fetch(b)).status).toBe(200);
    expect(emulator.control.revokeStreamSessions('revoke-cam')).toBe(2);
    expect((await fetch(b)).status).toBe(403);
    expect((await fetch(c)).status).toBe(403);

    const counters = emulator.control.counters();
    expect(counters.activeSessions['revoke-cam'] ?? 0).toBe(0);
    expect(counters.requests.getDASHStreamingSessionURL).toBe(3);
    expect(counters.requests.getDataEndpoint).toBe(3);
    expect(counters.requests.getDASHManifest).toBe(4);
    expect(counters.errors.getDASHManifest).toBe(3);
    expect(counters.errorTypes.getDASHManifest).toEqual({ NotAuthorizedException: 3 });
  });

  it('serves the same controls over HTTP under /_control/', async () => {
    expect((await control('failNext', { kind: 'listStreams', count: 1, status: 503 })).status).toBe(200);
    expect((await rejection(controlPlane(emulator).send(new ListStreamsCommand({})))).$metadata?.httpStatusCode).toBe(503);

    advance(1000);
    const url = await sessionUrl(emulator, { StreamName: 'revoke-cam', Expires: 600 });
    const sessions = (await (await control('sessions', { streamName: 'revoke-cam' })).json()) as { sessions: Array<{ id: string }> };
    expect(sessions.sessions).toHaveLength(1);
    const revoked = (await (await control('revokeSession', { session: sessions.sessions[0]?.id })).json()) as { revoked: boolean };
    expect(revoked.revoked).toBe(true);
    expect((await fetch(url)).status).toBe(403);

    expect((await control('setMinExpiresSeconds', { seconds: 300 })).status).toBe(200);
    advance(1000);
    const tooShort = await rejection(archivedMedia(emulator).send(new GetDASHStreamingSessionURLCommand({ StreamName: 'revoke-cam', Expires: 60 })));
    expect(tooShort.name).toBe('InvalidArgumentException');
    await control('setMinExpiresSeconds', { seconds: 1 });

    const counters = (await (await fetch(`${emulator.url}/_control/counters`)).json()) as { requests: Record<string, number>; revokedSessions: number };
    expect(counters.requests.listStreams).toBeGreaterThan(0);
    expect(counters.revokedSessions).toBeGreaterThan(0);

    const bad = await errorOf(await control('failNext', { kind: 'everything', count: 'x' }));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("'kind'");
    expect((await control('noSuchControl')).status).toBe(404);
    const unknownCamera = await errorOf(await control('stopCamera', { streamName: 'nope' }));
    expect(unknownCamera.status).toBe(404);
  });
});
