import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from '../../../main/accounts/demo';
import { systemClock } from '../../../main/core/clock';
import { createSessionService, LEDGER_VERSION, LedgerSnapshotSchema, migrateLedger, type SessionService } from '../../../main/sessions';
import { createJsonStore } from '../../../main/store/json-store';
import { CLIPS, capturingLogger, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { createServices } from './services';
import { join } from 'node:path';

/**
 * The issue path with the real SDK against the emulator: GetDASHStreamingSessionURL answered later
 * than the client waits. The emulator creates the session anyway, as KVS would after a lost answer;
 * the ledger must count it, and the app must never push the stream over its limit and evict itself.
 */
let emulator: TestEmulator;
let dir: { path: string; remove: () => Promise<void> };
let services: ReturnType<typeof createServices>;
let sessions: SessionService;
const { logger, lines } = capturingLogger();

beforeAll(async () => {
  emulator = await startTestEmulator({
    cameras: [
      { name: 'yard', file: join(CLIPS, 'lobby.mp4') },
      { name: 'pond', file: join(CLIPS, 'gate-2.mp4') },
    ],
  });
  dir = await tempDir('answer-lost');
  services = createServices({
    dir: dir.path,
    logger,
    demo: { ensureStarted: async () => ({ endpoint: emulator.url, region: emulator.region, ...emulator.credentials }) },
    // The client gives up after 1 s (the app's is 15 s; both well under the ledger's 60-s grace).
    tuning: { requestTimeoutMs: 1_000 },
  });
  sessions = await createSessionService({
    clock: systemClock,
    issuer: services.issuer,
    logger,
    ledgerStore: createJsonStore({ dir: dir.path, name: 'sessions-ledger.json', version: LEDGER_VERSION, schema: LedgerSnapshotSchema, migrate: migrateLedger }),
    config: () => ({ expiresSeconds: 300, reservePerStream: 0 }),
  });
});
afterAll(async () => {
  await sessions?.dispose();
  await services?.close();
  await emulator?.stop();
  await dir?.remove();
});

const yard = { accountId: DEMO_ACCOUNT_ID, streamName: 'yard' };
const LIVE = { mode: 'LIVE' } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const active = () => emulator.control.counters().activeSessions.yard ?? 0;

describe('an answer lost after KVS created the session (sessions model)', () => {
  it('the emulator drops the connection after creating the session: the ledger counts it, the retry makes one more', async () => {
    const pond = { accountId: DEMO_ACCOUNT_ID, streamName: 'pond' };
    await services.endpoints.get(pond, 'GET_DASH_STREAMING_SESSION_URL');
    emulator.control.resetCounters();
    emulator.control.loseAnswer('getDASHStreamingSessionURL', 1, { mode: 'drop' });
    const lost = await sessions.acquire({ windowId: 'w1', tileId: 'pond:0' }, pond, LIVE);
    expect(lost).toMatchObject({ status: 'error', error: { code: 'NetworkError', retryable: true } });
    expect(emulator.control.counters().lostAnswers.getDASHStreamingSessionURL).toBe(1);
    expect(emulator.control.counters().sessionsCreated.pond).toBe(1);
    expect(sessions.budget(pond).used).toBe(1);
    // The tile's own retry (5 s ±20%) gets a session; both count, exactly as the emulator holds them.
    const deadline = Date.now() + 15_000;
    let answer = lost;
    while (answer.status !== 'granted' && Date.now() < deadline) {
      await sleep(500);
      answer = await sessions.acquire({ windowId: 'w1', tileId: 'pond:0' }, pond, LIVE);
    }
    expect(answer.status).toBe('granted');
    expect(emulator.control.counters().sessionsCreated.pond).toBe(2);
    expect(emulator.control.counters().activeSessions.pond).toBe(2);
    expect(sessions.budget(pond).used).toBe(2);
    expect(emulator.control.counters().revokedSessions).toBe(0);
  }, 30_000);

  it('an answer held back past the client\'s timeout is counted the same way', async () => {
    const pond = { accountId: DEMO_ACCOUNT_ID, streamName: 'pond' };
    emulator.control.resetCounters();
    emulator.control.loseAnswer('getDASHStreamingSessionURL', 1, { mode: 'delay', delayMs: 2_500 });
    const used = sessions.budget(pond).used;
    await sleep(1_100);
    const lost = await sessions.acquire({ windowId: 'w1', tileId: 'pond:1' }, pond, LIVE);
    expect(lost).toMatchObject({ status: 'error', error: { code: 'NetworkError' } });
    expect(emulator.control.counters().sessionsCreated.pond).toBe(1);
    expect(sessions.budget(pond).used).toBe(used + 1);
    await sessions.release({ windowId: 'w1', tileId: 'pond:1' });
  }, 30_000);

  it('counts the session the answer never told of, and never evicts its own sessions to fill the stream', async () => {
    // Warm the endpoint cache, so the delay below hits the session call only.
    await services.endpoints.get(yard, 'GET_DASH_STREAMING_SESSION_URL');
    emulator.control.resetCounters();
    emulator.control.setLatency('getDASHStreamingSessionURL', 2_500);

    const lost = await Promise.all([0, 1].map((cell) => sessions.acquire({ windowId: 'w1', tileId: `wall:${cell}` }, yard, LIVE)));
    for (const answer of lost) expect(answer).toMatchObject({ status: 'error', error: { code: 'NetworkError', retryable: true } });
    // The tiles retry in 5 s (±20%); before that, the emulator has created both sessions after the
    // client gave up on them, and the ledger counts them all the same.
    await sleep(2_000);
    expect(active()).toBe(2);
    expect(sessions.budget(yard).used).toBe(2);

    // Answers come back. Nine tiles want the camera (10 sessions, one kept for renewals): with the two
    // lost sessions still counting, two tiles must wait — creating theirs would close our oldest.
    emulator.control.setLatency('getDASHStreamingSessionURL', 0);
    const tiles = Array.from({ length: 9 }, (_, i) => ({ windowId: 'w1', tileId: `wall:${i}` }));
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(active()), 100);
    try {
      const deadline = Date.now() + 40_000;
      let answers: Awaited<ReturnType<SessionService['acquire']>>[] = [];
      while (Date.now() < deadline) {
        answers = await Promise.all(tiles.map((t) => sessions.acquire(t, yard, LIVE)));
        if (answers.filter((a) => a.status === 'granted').length >= 7) break;
        await sleep(1_000);
      }
      await sleep(2_000);
      answers = await Promise.all(tiles.map((t) => sessions.acquire(t, yard, LIVE)));
      expect(answers.filter((a) => a.status === 'granted')).toHaveLength(7);
      const waiting = answers.filter((a) => a.status === 'waiting');
      expect(waiting).toHaveLength(2);
      for (const w of waiting) expect(w).toMatchObject({ reason: '9 of 10 sessions on this camera are in use: 7 on this wall, 2 elsewhere; 1 for renewals is kept free' });
    } finally {
      clearInterval(sampler);
    }
    expect(Math.max(...samples, active())).toBeLessThanOrEqual(9);
    expect(emulator.control.counters().revokedSessions).toBe(0);
    // Every request the emulator turned into a session is one the ledger counts.
    const counters = emulator.control.counters();
    const refused = counters.errors.getDASHStreamingSessionURL ?? 0;
    expect(counters.requests.getDASHStreamingSessionURL! - refused).toBe(sessions.budget(yard).used);
    expect(counters.activeSessions.yard).toBe(sessions.budget(yard).used);
    expect(lines.join('')).toMatch(/"sessionMayExist":true/);
  }, 60_000);
});
