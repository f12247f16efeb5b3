import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { parse } from 'mpd-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index';
import { archivedMedia, cameras, controlPlane, errorOf, getOk, rejection, startTestEmulator, type Emulator } from './support';

let emulator: Emulator;
let advance: (ms: number) => void;

beforeAll(async () => {
  ({ emulator, advance } = await startTestEmulator({ cameras: cameras('drop-cam', 'delay-cam', 'cap-cam', 'retry-cam', 'media-cam', 'http-cam') }));
});
afterEach(() => {
  emulator.control.clearFaults();
  // Session creation is 1 per second per stream in the sessions model: start each test with a full bucket.
  advance(10_000);
});
afterAll(() => emulator?.stop());

const createSession = (streamName: string, overrides: Parameters<typeof archivedMedia>[1] = {}) =>
  archivedMedia(emulator, overrides).send(new GetDASHStreamingSessionURLCommand({ StreamName: streamName, Expires: 3600 }));

async function control(name: string, body: unknown): Promise<Response> {
  return fetch(`${emulator.url}/_control/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('loseAnswer: the request is handled, the answer never arrives', () => {
  it('drops the connection after creating the session', async () => {
    emulator.control.resetCounters();
    emulator.control.loseAnswer('getDASHStreamingSessionURL', 1);
    const error = await rejection(createSession('drop-cam'));
    expect(`${error.name} ${error.message} ${String((error as { code?: unknown }).code)}`).toMatch(/ECONNRESET|socket hang up/);
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    // The session exists and is live, though its caller never learnt its URL.
    expect(emulator.control.sessions('drop-cam')).toHaveLength(1);
    let counters = emulator.control.counters();
    expect(counters.lostAnswers).toEqual({ getDASHStreamingSessionURL: 1 });
    expect(counters.sessionsCreated['drop-cam']).toBe(1);
    expect(counters.activeSessions['drop-cam']).toBe(1);

    // The fault is used up: the next call is answered.
    advance(1000);
    const out = await createSession('drop-cam');
    expect(out.DASHStreamingSessionURL).toMatch(/SessionToken=/);
    expect(emulator.control.sessions('drop-cam')).toHaveLength(2);
    counters = emulator.control.counters();
    expect(counters.lostAnswers).toEqual({ getDASHStreamingSessionURL: 1 });
  });

  it('holds the answer back so a client with a shorter timeout gives up, while the session exists', async () => {
    emulator.control.loseAnswer('getDASHStreamingSessionURL', 1, { mode: 'delay', delayMs: 3000 });
    const error = await rejection(createSession('delay-cam', { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } }));
    expect(error.name).toBe('TimeoutError');
    expect(emulator.control.sessions('delay-cam')).toHaveLength(1);
    expect(emulator.control.counters().lostAnswers.getDASHStreamingSessionURL).toBeGreaterThanOrEqual(1);
  });

  it('a patient client still gets the delayed answer', async () => {
    emulator.control.loseAnswer('listStreams', 1, { mode: 'delay', delayMs: 400 });
    const started = performance.now();
    const out = await controlPlane(emulator).send(new ListStreamsCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(out.StreamInfoList?.length).toBeGreaterThan(0);
  });

  it('lost sessions count toward the 10-session cap and revoke the oldest', async () => {
    const known: string[] = [];
    for (let i = 0; i < 8; i++) {
      advance(1000);
      known.push((await createSession('cap-cam')).DASHStreamingSessionURL ?? '');
    }
    emulator.control.loseAnswer('getDASHStreamingSessionURL', 3);
    for (let i = 0; i < 3; i++) {
      advance(1000);
      await rejection(createSession('cap-cam'));
    }
    // 8 known + 3 lost = 11 sessions: the oldest known one was revoked to make room for a lost one.
    expect(emulator.control.sessions('cap-cam')).toHaveLength(10);
    expect(emulator.control.counters().activeSessions['cap-cam']).toBe(10);
    const first = await errorOf(await fetch(known[0] ?? ''));
    expect(first.status).toBe(403);
    expect(first.body.message).toMatch(/revoked/);
    for (const url of known.slice(1)) expect((await fetch(url)).status).toBe(200);
  });

  it("the SDK's retry after a dropped answer leaves two sessions for one call", async () => {
    emulator.control.loseAnswer('getDASHStreamingSessionURL', 1);
    const out = await createSession('retry-cam', { maxAttempts: 3 });
    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.control.sessions('retry-cam')).toHaveLength(2);
  });

  it('works for any kind: a media fragment GET is served (and charged) but its answer dropped', async () => {
    const url = (await createSession('media-cam')).DASHStreamingSessionURL ?? '';
    const mpd = parse(await (await getOk(url)).text(), { manifestUri: url });
    const media = mpd.playlists[0]?.segments.at(-1)?.resolvedUri ?? '';
    emulator.control.resetCounters();
    emulator.control.loseAnswer('getMP4MediaFragment', 1);
    await expect(fetch(media)).rejects.toThrow(/fetch failed/);
    expect((await fetch(media)).status).toBe(200);
    const counters = emulator.control.counters();
    expect(counters.requests.getMP4MediaFragment).toBe(2);
    expect(counters.lostAnswers).toEqual({ getMP4MediaFragment: 1 });
    expect(counters.points['media-cam']).toEqual({ media: 2, metadata: 0 });
  });

  it('never consumes the fault on a request refused before it is handled', async () => {
    emulator.control.resetCounters();
    emulator.control.loseAnswer('listStreams', 1);
    const unsigned = await fetch(`${emulator.url}/listStreams`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    await rejection(controlPlane(emulator).send(new ListStreamsCommand({})));
    expect(emulator.control.counters().lostAnswers).toEqual({ listStreams: 1 });
  });

  it('is served over HTTP at /_control/loseAnswer, with its input checked', async () => {
    expect((await control('loseAnswer', { kind: 'getDASHStreamingSessionURL', count: 1, mode: 'drop' })).status).toBe(200);
    await rejection(createSession('http-cam'));
    expect(emulator.control.sessions('http-cam')).toHaveLength(1);

    advance(1000);
    expect((await control('loseAnswer', { kind: 'getDASHStreamingSessionURL', count: 1, mode: 'delay', delayMs: 2000 })).status).toBe(200);
    expect((await rejection(createSession('http-cam', { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } }))).name).toBe('TimeoutError');
    expect(emulator.control.sessions('http-cam')).toHaveLength(2);

    for (const [body, field] of [
      [{ kind: 'getDASHStreamingSessionURL', count: 1, mode: 'delay' }, 'delayMs is required'],
      [{ kind: 'getDASHStreamingSessionURL', count: 1, delayMs: 5 }, 'delayMs applies only'],
      [{ kind: 'getDASHStreamingSessionURL', count: 1, mode: 'vanish' }, "'mode'"],
      [{ kind: 'nothing', count: 1 }, "'kind'"],
      [{ kind: 'listStreams', count: -1 }, "'count'"],
      [{ kind: 'listStreams', count: 1, mode: 'delay', delayMs: 10_000_000 }, "'delayMs'"],
    ] as const) {
      const bad = await errorOf(await control('loseAnswer', body));
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.message).toContain(field);
    }
  });

  it('is refused without test controls', async () => {
    const plain = await startEmulator({ cameras: cameras('plain-cam') });
    try {
      expect(() => plain.control.loseAnswer('getDASHStreamingSessionURL', 1)).toThrow(/without testControls/);
      expect((await fetch(`${plain.url}/_control/loseAnswer`, { method: 'POST', body: '{"kind":"listStreams","count":1}' })).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
