import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from '../../../main/accounts/demo';
import { CLIPS, capturingLogger, closedPort, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServices } from './services';
import { join } from 'node:path';

let emulator: TestEmulator;
let dir: { path: string; remove: () => Promise<void> };
let services: ReturnType<typeof createServices>;
let camera: string;

beforeAll(async () => {
  emulator = await startTestEmulator({
    cameras: [
      { name: 'lobby', file: join(CLIPS, 'lobby.mp4') },
      { name: 'parking', file: join(CLIPS, 'parking-north.mp4') },
      { name: 'dock', file: join(CLIPS, 'loading-dock.mp4') },
      { name: 'no-archive', file: join(CLIPS, 'lobby.mp4'), dataRetentionInHours: 0 },
    ],
  });
  camera = 'lobby';
  dir = await tempDir('issuer');
  services = createServices({
    dir: dir.path,
    logger: capturingLogger().logger,
    demo: { ensureStarted: async () => ({ endpoint: emulator.url, region: emulator.region, ...emulator.credentials }) },
  });
});
afterAll(async () => {
  await services?.close();
  await emulator?.stop();
  await dir?.remove();
});
beforeEach(() => {
  emulator.control.clearFaults();
});

const ref = (streamName: string) => ({ accountId: DEMO_ACCOUNT_ID, streamName });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('session issuer against the emulator', () => {
  it('issues a LIVE session whose manifest answers 200 with kvs:ts on the fragments', async () => {
    const { url } = await services.issuer.issue(ref(camera), { mode: 'LIVE' }, 300);
    expect(url).toMatch(/\/dash\/v1\/getDASHManifest\.mpd\?SessionToken=/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const mpd = await response.text();
    expect(mpd).toMatch(/<MPD[\s>]/);
    expect(mpd).toMatch(/type="dynamic"/);
    expect(mpd).toMatch(/kvs:ts="/);
  });

  it('issues LIVE_REPLAY and ON_DEMAND sessions over the archive', async () => {
    const now = Date.now();
    const replay = await services.issuer.issue(ref('parking'), { mode: 'LIVE_REPLAY', start: now - 120_000, selector: 'SERVER_TIMESTAMP' }, 300);
    expect((await fetch(replay.url)).status).toBe(200);
    const onDemand = await services.issuer.issue(ref('dock'), { mode: 'ON_DEMAND', start: now - 120_000, end: now - 60_000, selector: 'PRODUCER_TIMESTAMP' }, 300);
    const response = await fetch(onDemand.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/type="static"/);
  });

  it('after warm-up, sessions need no GetDataEndpoint call', async () => {
    await services.issuer.issue(ref('parking'), { mode: 'LIVE' }, 300);
    emulator.control.resetCounters();
    for (let i = 0; i < 4; i++) {
      await services.issuer.issue(ref('parking'), { mode: 'LIVE' }, 300);
      await sleep(1000); // the per-stream session quota is 1/s sustained
    }
    const counters = emulator.control.counters();
    expect(counters.requests.getDASHStreamingSessionURL).toBe(4);
    expect(counters.requests.getDataEndpoint ?? 0).toBe(0);
    expect(services.endpoints.stats().hits).toBeGreaterThanOrEqual(4);
  });

  it('a 5xx is tried once only (every attempt may create a session), says so, and the endpoint is looked up again', async () => {
    await services.issuer.issue(ref('dock'), { mode: 'LIVE' }, 300);
    await sleep(1100);
    emulator.control.resetCounters();
    emulator.control.failNext('getDASHStreamingSessionURL', 3, 503);
    await expect(services.issuer.issue(ref('dock'), { mode: 'LIVE' }, 300)).rejects.toMatchObject({ appError: { code: 'ServiceUnavailable', retryable: true }, effect: 'unknown' });
    // One request reached the emulator: neither the SDK nor the issuer retried it.
    expect(emulator.control.counters().requests.getDASHStreamingSessionURL).toBe(1);
    emulator.control.clearFaults();
    await sleep(1100);
    await services.issuer.issue(ref('dock'), { mode: 'LIVE' }, 300);
    expect(emulator.control.counters().requests.getDASHStreamingSessionURL).toBe(2);
    expect(emulator.control.counters().requests.getDataEndpoint).toBe(1);
  });

  it('a throttled session call is tried once and says it created nothing', async () => {
    await sleep(1100);
    emulator.control.resetCounters();
    emulator.control.throttle('getDASHStreamingSessionURL', 2);
    await expect(services.issuer.issue(ref('lobby'), { mode: 'LIVE' }, 300)).rejects.toMatchObject({ appError: { code: 'ClientLimitExceededException' }, effect: 'none' });
    expect(emulator.control.counters().requests.getDASHStreamingSessionURL).toBe(1);
    emulator.control.clearFaults();
  });

  it('a cached endpoint from an earlier run that no longer answers is replaced, and the session still issued', async () => {
    const stale = await tempDir('issuer-stale');
    const port = await closedPort();
    await mkdir(join(stale.path, 'cache'));
    await writeFile(
      join(stale.path, 'cache', `endpoints-${DEMO_ACCOUNT_ID}.json`),
      JSON.stringify({ version: 1, data: { entries: [{ streamName: 'lobby', apiName: 'GET_DASH_STREAMING_SESSION_URL', endpoint: `http://127.0.0.1:${port}`, fetchedAt: Date.now() }] } }),
    );
    const restarted = createServices({
      dir: stale.path,
      logger: capturingLogger().logger,
      demo: { ensureStarted: async () => ({ endpoint: emulator.url, region: emulator.region, ...emulator.credentials }) },
    });
    try {
      await sleep(1100);
      emulator.control.resetCounters();
      const { url } = await restarted.issuer.issue(ref('lobby'), { mode: 'LIVE' }, 300);
      expect((await fetch(url)).status).toBe(200);
      expect(emulator.control.counters().requests.getDataEndpoint).toBe(1);
      await restarted.endpoints.settled();
      expect(await readFile(join(stale.path, 'cache', `endpoints-${DEMO_ACCOUNT_ID}.json`), 'utf8')).toContain(emulator.url);
    } finally {
      await restarted.close();
      await stale.remove();
    }
  });

  it('maps the service\'s refusals to typed errors without touching the endpoint', async () => {
    await expect(services.issuer.issue(ref('no-archive'), { mode: 'LIVE' }, 300)).rejects.toMatchObject({
      appError: { code: 'NoDataRetentionException', message: expect.stringMatching(/data retention is 0 hours/) },
    });
    await expect(services.issuer.issue(ref('nobody-here'), { mode: 'LIVE' }, 300)).rejects.toMatchObject({ appError: { code: 'ResourceNotFoundException' } });
    emulator.control.stopCamera('parking');
    try {
      await expect(services.issuer.issue(ref('parking'), { mode: 'ON_DEMAND', start: Date.now() + 60_000, end: Date.now() + 120_000, selector: 'SERVER_TIMESTAMP' }, 300)).rejects.toMatchObject({
        appError: { code: 'ResourceNotFoundException', message: expect.stringMatching(/no media to play/) },
      });
    } finally {
      emulator.control.resumeCamera('parking');
    }
  });

  it('throttling comes back as a retryable ClientLimitExceeded with a retry time', async () => {
    emulator.control.throttle('getDASHStreamingSessionURL');
    const before = Date.now();
    await expect(services.issuer.issue(ref('lobby'), { mode: 'LIVE' }, 300)).rejects.toMatchObject({
      appError: { code: 'ClientLimitExceededException', retryable: true, retryAt: expect.any(Number) },
    });
    emulator.control.clearFaults();
    await expect(services.issuer.issue(ref('lobby'), { mode: 'LIVE' }, 300).then(() => 'ok')).resolves.toBe('ok');
    expect(Date.now()).toBeGreaterThanOrEqual(before);
  });

  it('lists fragments for the scrubber, sorted and without duplicates', async () => {
    const end = Date.now();
    const start = end - 5 * 60_000;
    const fragments = await services.issuer.listFragments(ref('lobby'), start, end, 'SERVER_TIMESTAMP');
    expect(fragments.length).toBeGreaterThan(50);
    for (let i = 1; i < fragments.length; i++) expect(fragments[i]!.serverTimestamp).toBeGreaterThanOrEqual(fragments[i - 1]!.serverTimestamp);
    expect(new Set(fragments.map((f) => f.fragmentNumber)).size).toBe(fragments.length);
    for (const f of fragments) {
      expect(f.serverTimestamp).toBeGreaterThanOrEqual(start);
      expect(f.serverTimestamp).toBeLessThan(end);
      expect(f.durationMs).toBeGreaterThan(0);
    }
    await expect(services.issuer.listFragments(ref('lobby'), end, start, 'SERVER_TIMESTAMP')).rejects.toMatchObject({ appError: { code: 'InvalidRequest' } });
  });
});
