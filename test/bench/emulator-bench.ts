/**
 * Emulator throughput on loopback (not part of pass/fail):
 *   1. fragment GETs per second from a bounded pool of concurrent clients;
 *   2. how many concurrent LIVE sessions it sustains, each polling its manifest every 2 s and fetching
 *      one fragment per 2 s, stepping N up until p95 latency passes a bound or errors appear.
 * The emulator runs in a child process so the load generator doesn't share its event loop.
 * Run: npx tsx test/bench/emulator-bench.ts
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GetDASHStreamingSessionURLCommand, KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { startEmulator } from '../../emulator/index';

const CLIP = fileURLToPath(new URL('../../emulator/clips/lobby.mp4', import.meta.url));
const CAMERAS = 8;
const THROUGHPUT_SECONDS = 5;
const THROUGHPUT_CONCURRENCY = 16;
const STEP_SECONDS = 8;
const P95_BOUND_MS = 200;
const SESSION_STEPS = [50, 200, 800, 1200, 1600, 2400, 3200];
const BUDGET_MS = 150_000;

async function serve(): Promise<void> {
  const emulator = await startEmulator({
    cameras: Array.from({ length: CAMERAS }, (_, i) => ({ name: `bench-${i}`, file: CLIP })),
    // Quotas and the 10-session cap would measure KVS's limits, not the emulator: both lifted here only.
    enforceQuotas: false,
    sessionLimitPerStream: 100_000,
    onInternalError: (e) => console.error(e),
  });
  console.log(JSON.stringify({ url: emulator.url, region: emulator.region, credentials: emulator.credentials }));
  process.on('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
}

interface Endpoint {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function timedGet(url: string): Promise<{ ms: number; ok: boolean; bytes: number; body: ArrayBuffer | undefined }> {
  const started = performance.now();
  try {
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    return { ms: performance.now() - started, ok: res.status === 200, bytes: body.byteLength, body };
  } catch {
    return { ms: performance.now() - started, ok: false, bytes: 0, body: undefined };
  }
}

async function newSessions(ep: Endpoint, count: number): Promise<string[]> {
  const client = new KinesisVideoArchivedMediaClient({ endpoint: ep.url, region: ep.region, credentials: ep.credentials, maxAttempts: 1 });
  const urls: string[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) => client.send(new GetDASHStreamingSessionURLCommand({ StreamName: `bench-${(i + j) % CAMERAS}`, Expires: 3600 }))),
    );
    urls.push(...batch.map((b) => b.DASHStreamingSessionURL ?? ''));
  }
  return urls;
}

/** The newest fragment's URL in a manifest, read the way a player expands SegmentTemplate/$Number$. */
function newestFragmentUrl(xml: string, manifestUrl: string): string | undefined {
  const media = /media="([^"]+)"/.exec(xml)?.[1]?.replace(/&amp;/g, '&');
  const start = Number(/startNumber="(\d+)"/.exec(xml)?.[1] ?? '1');
  let count = 0;
  for (const s of xml.matchAll(/<S\b[^>]*?(?:\br="(\d+)")?[^>]*\/>/g)) count += 1 + Number(s[1] ?? 0);
  if (!media || count === 0) return undefined;
  return new URL(media.replace('$Number$', String(start + count - 1)), manifestUrl).toString();
}

async function fragmentThroughput(ep: Endpoint): Promise<string[]> {
  const sessions = await newSessions(ep, 32);
  const manifests = await Promise.all(sessions.map(async (u) => newestFragmentUrl(await (await fetch(u)).text(), u)));
  const fragments = manifests.filter((u): u is string => !!u);
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: THROUGHPUT_CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const r = await timedGet(fragments[next++ % fragments.length] ?? '');
        latencies.push(r.ms);
        bytes += r.bytes;
        if (!r.ok) errors++;
      }
    }),
  );
  const rps = latencies.length / THROUGHPUT_SECONDS;
  return [
    `| fragment GETs/s (${THROUGHPUT_CONCURRENCY} concurrent, ${THROUGHPUT_SECONDS} s) | ${rps.toFixed(0)} |`,
    `| fragment MB/s | ${(bytes / THROUGHPUT_SECONDS / 1e6).toFixed(1)} |`,
    `| fragment latency p50 / p95 ms | ${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 95).toFixed(1)} |`,
    `| fragment errors | ${errors} |`,
  ];
}

/** N players: each polls its manifest every 2 s and fetches its newest fragment every 2 s, phases spread. */
async function liveStep(sessions: string[]): Promise<{ p50: number; p95: number; errors: number; requests: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + STEP_SECONDS * 1000;
  await Promise.all(
    sessions.map(async (manifestUrl, i) => {
      await new Promise((r) => setTimeout(r, (i / sessions.length) * 2000));
      while (performance.now() < end) {
        const tickStart = performance.now();
        const m = await timedGet(manifestUrl);
        latencies.push(m.ms);
        if (!m.ok) errors++;
        const fragment = m.body ? newestFragmentUrl(new TextDecoder().decode(m.body), manifestUrl) : undefined;
        if (fragment) {
          const f = await timedGet(fragment);
          latencies.push(f.ms);
          if (!f.ok) errors++;
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 2000 - (performance.now() - tickStart))));
      }
    }),
  );
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), errors, requests: latencies.length };
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', () => reject(new Error('emulator process exited')));
  });
  const ep = JSON.parse(firstLine) as Endpoint;
  const started = performance.now();
  try {
    console.log('| metric | value |\n|---|---|');
    for (const row of await fragmentThroughput(ep)) console.log(row);
    console.log(`\n| concurrent LIVE sessions | requests | p50 ms | p95 ms | errors |\n|---|---|---|---|---|`);
    let sustained = 0;
    let sessions: string[] = [];
    for (const n of SESSION_STEPS) {
      if (performance.now() - started > BUDGET_MS) break;
      sessions = sessions.concat(await newSessions(ep, n - sessions.length));
      const r = await liveStep(sessions);
      console.log(`| ${n} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.errors} |`);
      if (r.p95 > P95_BOUND_MS || r.errors > 0) break;
      sustained = n;
    }
    console.log(`\nSustained: ${sustained} concurrent LIVE sessions with p95 ≤ ${P95_BOUND_MS} ms and no errors (largest step tried: ${SESSION_STEPS.at(-1)}).`);
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv.includes('--serve')) void serve();
else void main();
