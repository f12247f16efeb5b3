/**
 * Time from "issue a session" to a session URL, against the local emulator over loopback:
 * cold (a just-started app: empty endpoint cache, no clients) vs warm (endpoint cached, clients up).
 * Run: npx tsx test/bench/acquire-bench.ts [runs]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../../emulator/index';
import { createAccountService } from '../../main/accounts/accounts';
import { DEMO_ACCOUNT_ID } from '../../main/accounts/demo';
import { createKeychainVault } from '../../main/accounts/keychain';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/logger';
import { createKvsClients } from '../../main/kvs/clients';
import { createEndpointCache, getDataEndpointVia } from '../../main/kvs/endpoint-cache';
import { createSessionIssuer } from '../../main/kvs/session-issuer';
import { createAccountCaches } from '../../main/store/account-caches';
import { createAccountsStore } from '../../main/store/accounts-store';
import { createAppCore, type AppCore } from '../../main/compose';
import { memoryVault } from '../support/memory-vault';

const RUNS = Number(process.argv[2] ?? 20);
/** Enough streams that no stream sees more than a few calls: the service allows 5/s burst, 1/s sustained. */
const STREAMS = 10;
const PACE_MS = 60;
const CLIP = join(import.meta.dirname, '..', '..', 'emulator', 'clips', 'lobby.mp4');

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

async function services(emulator: Emulator, dir: string) {
  const ctx = { dir, clock: systemClock, logger: silentLogger };
  const caches = createAccountCaches(ctx);
  const accounts = createAccountService({
    store: createAccountsStore(ctx),
    // The demo account never touches the keychain.
    vault: createKeychainVault(),
    caches,
    clock: systemClock,
    logger: silentLogger,
    demo: { ensureStarted: async () => ({ endpoint: emulator.url, region: emulator.region, ...emulator.credentials }) },
  });
  const clients = createKvsClients({ accounts });
  const endpoints = createEndpointCache({ caches, accounts, lookup: getDataEndpointVia(clients, systemClock), clock: systemClock, logger: silentLogger });
  const issuer = createSessionIssuer({ clients, endpoints, clock: systemClock, logger: silentLogger });
  return { issuer, endpoints, close: async () => { await endpoints.settled(); clients.close(); } };
}

function summary(label: string, samples: number[], dataEndpointCalls: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { label, runs: samples.length, median: at(0.5), p95: at(0.95), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, dataEndpointCalls };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const SENDER = { id: 'bench-window', url: 'bench://' };

/** A whole app core (broker with its fsynced ledger, endpoint cache, issuer) with the emulator as an account. */
async function appCore(emulator: Emulator, dir: string): Promise<{ core: AppCore; accountId: string }> {
  // No keychain here: the session pool is not saved (sessionPoolKey: false), which changes nothing measured.
  const core = await createAppCore({ userDataDir: dir, shell: 'browser', demo: false, vault: memoryVault(), sessionPoolKey: false });
  const reply = await core.dispatch('accounts.add', {
    name: 'Bench cameras', region: emulator.region, endpoint: emulator.url,
    accessKeyId: emulator.credentials.accessKeyId, secretAccessKey: emulator.credentials.secretAccessKey,
  }, SENDER);
  if (!reply.ok) throw new Error(`could not add the bench account: ${reply.error.message}`);
  const attached = await core.dispatch('page.attach', { pageId: 'bench-page' }, SENDER);
  if (!attached.ok) throw new Error(`could not attach the bench page: ${attached.error.message}`);
  return { core, accountId: (reply.value as { id: string }).id };
}

async function timedAcquire(core: AppCore, accountId: string, tileId: string, streamName: string): Promise<number> {
  const t0 = performance.now();
  const reply = await core.dispatch('session.acquire', { tileId, stream: { accountId, streamName }, playback: { mode: 'LIVE' } }, SENDER);
  const ms = performance.now() - t0;
  const status = reply.ok ? (reply.value as { status: string }).status : reply.error.code;
  if (status !== 'granted') throw new Error(`acquire for ${streamName} was not granted: ${status}`);
  return ms;
}

async function main() {
  const emulator = await startEmulator({ cameras: Array.from({ length: STREAMS }, (_, i) => ({ name: `cam-${i}`, file: CLIP })) });
  const root = await mkdtemp(join(tmpdir(), 'kvs-wall-bench-'));
  const rows = [];
  try {
    // Cold: every run is a freshly started app (new data folder, no cached endpoint, no clients).
    emulator.control.resetCounters();
    const cold: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = await services(emulator, await mkdtemp(join(root, 'cold-')));
      const t0 = performance.now();
      await s.issuer.issue({ accountId: DEMO_ACCOUNT_ID, streamName: `cam-${i % STREAMS}` }, { mode: 'LIVE' }, 300);
      cold.push(performance.now() - t0);
      await s.close();
      await sleep(PACE_MS);
    }
    rows.push(summary('cold (empty endpoint cache, new clients)', cold, emulator.control.counters().requests.getDataEndpoint ?? 0));

    // Warm: one app; every stream's endpoint looked up once beforehand.
    await sleep(1500);
    const s = await services(emulator, await mkdtemp(join(root, 'warm-')));
    for (let i = 0; i < STREAMS; i++) await s.endpoints.get({ accountId: DEMO_ACCOUNT_ID, streamName: `cam-${i}` }, 'GET_DASH_STREAMING_SESSION_URL');
    await s.issuer.issue({ accountId: DEMO_ACCOUNT_ID, streamName: 'cam-0' }, { mode: 'LIVE' }, 300);
    await sleep(1500);
    emulator.control.resetCounters();
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await s.issuer.issue({ accountId: DEMO_ACCOUNT_ID, streamName: `cam-${(i + 1) % STREAMS}` }, { mode: 'LIVE' }, 300);
      warm.push(performance.now() - t0);
      await sleep(PACE_MS);
    }
    rows.push(summary('warm (cached endpoint, clients up)', warm, emulator.control.counters().requests.getDataEndpoint ?? 0));
    await s.close();

    // The same through the whole app core: IPC validation, the broker's ledger written to disk
    // before the call, the endpoint cache and the issuer — what a tile waits for.
    await sleep(1500);
    emulator.control.resetCounters();
    const coreCold: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { core, accountId } = await appCore(emulator, await mkdtemp(join(root, 'core-cold-')));
      coreCold.push(await timedAcquire(core, accountId, 'bench:1', `cam-${i % STREAMS}`));
      await core.dispose();
      await sleep(PACE_MS);
    }
    rows.push(summary('app core acquire → grant, cold', coreCold, emulator.control.counters().requests.getDataEndpoint ?? 0));

    await sleep(1500);
    const { core, accountId } = await appCore(emulator, await mkdtemp(join(root, 'core-warm-')));
    for (let i = 0; i < STREAMS; i++) await timedAcquire(core, accountId, `warm:${i}`, `cam-${i}`);
    await sleep(1500);
    emulator.control.resetCounters();
    const coreWarm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      coreWarm.push(await timedAcquire(core, accountId, `bench:${i}`, `cam-${(i + 1) % STREAMS}`));
      await sleep(PACE_MS * 2);
    }
    rows.push(summary('app core acquire → grant, warm', coreWarm, emulator.control.counters().requests.getDataEndpoint ?? 0));

    // A tile that comes back (a reload, Back to live, a swap) takes its pooled session: no KVS call.
    emulator.control.resetCounters();
    const pooled: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const tileId = `bench:${i}`;
      await core.dispatch('session.release', { tileId }, SENDER);
      pooled.push(await timedAcquire(core, accountId, tileId, `cam-${(i + 1) % STREAMS}`));
    }
    const sessionCalls = emulator.control.counters().requests.getDASHStreamingSessionURL ?? 0;
    if (sessionCalls !== 0) throw new Error(`pooled acquires made ${sessionCalls} GetDASHStreamingSessionURL calls`);
    rows.push(summary('app core acquire → grant, from the pool (0 session calls)', pooled, emulator.control.counters().requests.getDataEndpoint ?? 0));
    await core.dispose();
  } finally {
    await emulator.stop();
    await rm(root, { recursive: true, force: true });
  }

  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log('\nSession issue → URL, emulator on loopback\n');
  console.log('| case | runs | median | p95 | min | max | GetDataEndpoint calls |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.label} | ${r.runs} | ${f(r.median)} | ${f(r.p95)} | ${f(r.min)} | ${f(r.max)} | ${r.dataEndpointCalls} |`);
}

await main();
