import { execFile } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplySchema, type EventPayload } from '../../../shared/contract';
import type { Coverage, ExportProgress, Fragment, Thumbnail } from '../../../shared/model';
import { createAppCore, type AppCore } from '../../../main/compose';
import type { SenderInfo } from '../../../main/ipc/dispatcher';
import { memoryVault } from '../../support/memory-vault';
import { startTestEmulator, type Emulator, type TestClock } from '../emulator/support';
import { accountInputFor, CLIPS, tempDir } from './helpers';

/**
 * The evidence features' main side end to end: the app core, the real AWS SDK, the emulator's
 * ListFragments, GetImages and GetClip, ffprobe on what comes out.
 */
const run = promisify(execFile);
const sender: SenderInfo = { id: 'socket-1', url: 'http://127.0.0.1:1' };

let emulator: Emulator;
let clock: TestClock;
const cores: Array<{ core: AppCore; dir: { remove: () => Promise<void> } }> = [];

interface Harness {
  core: AppCore;
  dir: string;
  accountId: string;
  progress: ExportProgress[];
  call<T>(name: string, payload: unknown): Promise<T>;
  fail(name: string, payload: unknown): Promise<{ code: string; message: string }>;
}

async function harness(options: { exportPartLimits?: { maxFragments: number; maxBytes: number } } = {}): Promise<Harness> {
  const dir = await tempDir('evidence');
  const core = await createAppCore({ userDataDir: dir.path, shell: 'browser', demo: false, vault: memoryVault(), sessionPoolKey: false, ...options });
  cores.push({ core, dir });
  const progress: ExportProgress[] = [];
  core.events.subscribe(sender.id, (name, payload) => {
    if (name === 'export.progress') progress.push(payload as EventPayload<'export.progress'>);
  });
  const raw = async (name: string, payload: unknown) => ReplySchema.parse(await core.dispatch(name, payload, sender));
  const h: Harness = {
    core,
    dir: dir.path,
    accountId: '',
    progress,
    async call<T>(name: string, payload: unknown) {
      const reply = await raw(name, payload);
      if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
      return reply.value as T;
    },
    async fail(name, payload) {
      const reply = await raw(name, payload);
      if (reply.ok) throw new Error(`${name} succeeded`);
      return reply.error;
    },
  };
  h.accountId = (await h.call<{ id: string }>('accounts.add', accountInputFor(emulator))).id;
  await h.call('settings.update', { accountQuotas: { [h.accountId]: { model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare: 0.5 } } });
  return h;
}

async function finished(h: Harness, exportId: string, timeoutMs = 120_000): Promise<ExportProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = h.progress.filter((p) => p.exportId === exportId).at(-1);
    if (last && ['done', 'failed', 'cancelled'].includes(last.state)) return last;
    if (Date.now() > deadline) throw new Error(`export ${exportId} did not finish: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function probe(path: string): Promise<{ duration: number; codecs: string[]; width?: number; height?: number; frames?: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,width,height,nb_frames', '-of', 'json', path]);
  const parsed = JSON.parse(stdout) as { format: { duration?: string }; streams: Array<{ codec_name: string; width?: number; height?: number; nb_frames?: string }> };
  const video = parsed.streams[0];
  return {
    duration: Number(parsed.format.duration ?? 0),
    codecs: parsed.streams.map((s) => s.codec_name),
    ...(video?.width ? { width: video.width, height: video.height } : {}),
    ...(video?.nb_frames ? { frames: Number(video.nb_frames) } : {}),
  };
}

/** Every file under a folder, recursively, with its size. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir, { recursive: true }).catch(() => [] as string[])) {
    if ((await stat(join(dir, name))).isFile()) out.push(name);
  }
  return out;
}

function pathOfDownload(h: Harness, url: string | undefined): string {
  const token = url?.split('/').at(-1) ?? '';
  const ticket = h.core.takeDownload?.(token);
  if (!ticket) throw new Error(`no download offered at ${url}`);
  return ticket.path;
}

const counters = () => emulator.control.counters();
const requests = (kind: 'getClip' | 'getImages' | 'listFragments') => counters().requests[kind] ?? 0;

beforeAll(async () => {
  const started = await startTestEmulator({
    quotaModel: 'points',
    cameras: [
      { name: 'yard', file: join(CLIPS, 'lobby.mp4') },
      { name: 'gap-cam', file: join(CLIPS, 'lobby.mp4') },
      { name: 'thumbs', file: join(CLIPS, 'lobby.mp4') },
      { name: 'export-cam', file: join(CLIPS, 'lobby.mp4') },
      { name: 'rooftop', file: join(CLIPS, 'rooftop.mp4') },
    ],
  });
  emulator = started.emulator;
  clock = started;
});
afterAll(async () => {
  for (const { core, dir } of cores) {
    await core.dispose();
    await dir.remove();
  }
  await emulator?.stop();
});

describe('timeline coverage (ListFragments, sorted and merged)', () => {
  it('shows an injected gap as a gap, counts the fragments, and answers again from its cache', async () => {
    const h = await harness();
    const gapStart = clock.now();
    emulator.control.injectGap('gap-cam', 10);
    clock.advance(30_000);
    const stream = { accountId: h.accountId, streamName: 'gap-cam' };
    // The range ends longer ago than a fragment (2 s) and its ingest delay (≤ 0.4 s): every fragment in it has
    // arrived, so the coverage and the listing below see the same fragments however long apart they ask.
    const range = { stream, selector: 'PRODUCER_TIMESTAMP', start: gapStart - 60_000, end: clock.now() - 5_000 };
    const coverage = await h.call<Coverage>('timeline.coverage', range);
    expect(coverage.truncated).toBe(false);
    expect(coverage.intervals).toHaveLength(2);
    const [before, after] = coverage.intervals as [Coverage['intervals'][number], Coverage['intervals'][number]];
    expect(before.start).toBe(range.start);
    expect(after.start - before.end).toBeGreaterThanOrEqual(8_000);
    expect(before.end).toBeGreaterThan(gapStart - 2_500);
    expect(before.end).toBeLessThanOrEqual(gapStart + 2_100);
    // Every fragment that covers part of the range counts, one that began before it included.
    const listed = await h.call<Fragment[]>('fragments.list', { ...stream, start: range.start - 20_000, end: range.end + 1, selector: 'PRODUCER_TIMESTAMP' });
    expect(coverage.fragmentCount).toBe(listed.filter((f) => f.producerTimestamp < range.end && f.producerTimestamp + f.durationMs > range.start).length);
    expect(listed.every((f) => f.sizeBytes !== undefined && f.sizeBytes > 0)).toBe(true);

    const calls = requests('listFragments');
    expect(await h.call<Coverage>('timeline.coverage', range)).toEqual(coverage);
    expect(requests('listFragments')).toBe(calls);

    // A range ending or starting inside a gap is clipped to it.
    const inGap = await h.call<Coverage>('timeline.coverage', { ...range, start: gapStart + 3_000, end: gapStart + 7_000 });
    expect(inGap.intervals).toEqual([]);
  });
});

describe('timeline thumbnails (GetImages)', () => {
  it('answers 25 thumbnails at the asked height with one request, priced, and from its cache the second time', async () => {
    const h = await harness();
    const stream = { accountId: h.accountId, streamName: 'thumbs' };
    const before = { images: requests('getImages'), points: counters().points.thumbs ?? { media: 0, metadata: 0 } };
    const from = clock.now() - 150_000;
    const asked = { stream, selector: 'PRODUCER_TIMESTAMP', from, stepMs: 4_000, count: 25, height: 90 };
    const { thumbnails } = await h.call<{ thumbnails: Thumbnail[] }>('timeline.thumbnails', asked);
    expect(thumbnails.map((t) => t.time)).toEqual(Array.from({ length: 25 }, (_, i) => from + i * 4_000));
    expect(thumbnails.every((t) => t.image?.startsWith('data:image/jpeg;base64,'))).toBe(true);
    expect(requests('getImages') - before.images).toBe(1);
    // KVS's price for one request of 25 images, and the app counted the same spend for itself.
    const after = counters().points.thumbs!;
    expect({ media: after.media - before.points.media, metadata: after.metadata - before.points.metadata }).toEqual({ media: 25, metadata: 425 });
    const budget = h.core.sessions.budget(stream).points!;
    expect(budget.mediaPerSecond).toBeCloseTo(2.5, 0);
    expect(budget.metadataPerSecond).toBeCloseTo(42.5, 0);

    const file = join(h.dir, 'thumb.jpg');
    await writeFile(file, Buffer.from(thumbnails[3]!.image!.split(',')[1]!, 'base64'));
    expect(await probe(file)).toMatchObject({ codecs: ['mjpeg'], width: 160, height: 90 });

    const again = await h.call<{ thumbnails: Thumbnail[] }>('timeline.thumbnails', asked);
    expect(again.thumbnails).toEqual(thumbnails);
    expect(requests('getImages') - before.images).toBe(1);
  });

  it('says NO_MEDIA for times with nothing recorded, and takes a wide view in single-image requests', async () => {
    const h = await harness();
    const stream = { accountId: h.accountId, streamName: 'thumbs' };
    const images = requests('getImages');
    // 10 min apart: every time needs its own request; the first ones are before the archive began.
    const from = clock.now() - 1_800_000;
    const { thumbnails } = await h.call<{ thumbnails: Thumbnail[] }>('timeline.thumbnails', { stream, selector: 'PRODUCER_TIMESTAMP', from, stepMs: 600_000, count: 3, height: 72 });
    expect(requests('getImages') - images).toBe(3);
    expect(thumbnails.slice(0, 2).map((t) => t.missing)).toEqual(['NO_MEDIA', 'NO_MEDIA']);
    expect(thumbnails[2]!.image).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('a throttled GetImages backs the stream off and is tried again', async () => {
    const h = await harness();
    const stream = { accountId: h.accountId, streamName: 'thumbs' };
    const images = requests('getImages');
    const throttled = counters().errorTypes.getImages?.ClientLimitExceededException ?? 0;
    emulator.control.throttle('getImages', 1);
    const { thumbnails } = await h.call<{ thumbnails: Thumbnail[] }>('timeline.thumbnails', { stream, selector: 'PRODUCER_TIMESTAMP', from: clock.now() - 100_000, stepMs: 2_000, count: 5, height: 54 });
    expect(thumbnails.every((t) => t.image)).toBe(true);
    expect(counters().errorTypes.getImages?.ClientLimitExceededException).toBe(throttled + 1);
    expect(requests('getImages') - images).toBe(2);
  });

  it('refuses requests outside GetImages\' limits before calling AWS', async () => {
    const h = await harness();
    const stream = { accountId: h.accountId, streamName: 'thumbs' };
    const base = { stream, selector: 'PRODUCER_TIMESTAMP', from: clock.now() - 100_000, stepMs: 2_000, count: 5, height: 54 };
    for (const bad of [{ count: 26 }, { stepMs: 199 }, { height: 361 }, { count: 0 }]) {
      expect(await h.fail('timeline.thumbnails', { ...base, ...bad })).toMatchObject({ code: 'InvalidRequest' });
    }
  });
});

describe('clip export (GetClip in parts, joined)', () => {
  it('exports a range over GetClip\'s limits in several parts, joined into one MP4 that plays the whole range', async () => {
    const h = await harness();
    const stream = { accountId: h.accountId, streamName: 'export-cam' };
    const start = clock.now() - 520_000;
    const end = clock.now() - 100_000;
    const fragments = await h.call<Fragment[]>('fragments.list', { ...stream, start, end, selector: 'PRODUCER_TIMESTAMP' });
    expect(fragments.length).toBeGreaterThan(200);
    const clips = requests('getClip');
    const spentBefore = counters().points['export-cam']?.media ?? 0;

    const started = await h.call<{ status: string; exportId: string }>('export.start', { stream, selector: 'PRODUCER_TIMESTAMP', start, end });
    expect(started.status).toBe('started');
    const result = await finished(h, started.exportId);
    expect(result, result.note).toMatchObject({ state: 'done', parts: 2 });
    expect(result.note).toBeUndefined();
    expect(result.files).toHaveLength(1);
    expect(result.files![0]!.name).toMatch(/^export-cam \d{4}-\d\d-\d\d \d\d\.\d\d\.\d\d to .+\.mp4$/);
    const states = h.progress.filter((p) => p.exportId === started.exportId).map((p) => p.state);
    expect([...new Set(states)]).toEqual(['listing', 'downloading', 'joining', 'done']);
    expect(requests('getClip') - clips).toBe(2);
    // Priced as KVS prices it: one media (and metadata) point per fragment in each clip.
    expect((counters().points['export-cam']?.media ?? 0) - spentBefore).toBe(fragments.length);

    const path = pathOfDownload(h, result.files![0]!.downloadUrl);
    expect((await stat(path)).size).toBe(result.files![0]!.bytes);
    const probed = await probe(path);
    expect(probed.codecs).toEqual(['h264']);
    const rangeMs = fragments.reduce((sum, f) => sum + f.durationMs, 0);
    expect(Math.abs(probed.duration * 1000 - rangeMs)).toBeLessThan(100);
    // A download link works once.
    expect(h.core.takeDownload?.(result.files![0]!.downloadUrl!.split('/').at(-1)!)).toBeUndefined();
    // Nothing left behind but the offered file.
    expect(await filesUnder(join(h.dir, 'export-parts'))).toEqual([]);
  });

  it('notices GetClip cutting a part short at 200 fragments and carries the rest into the next part (H.265)', async () => {
    // Parts planned larger than GetClip answers: the emulator cuts the first at 200 fragments, as KVS does.
    const h = await harness({ exportPartLimits: { maxFragments: 250, maxBytes: 500 * 1024 * 1024 } });
    const stream = { accountId: h.accountId, streamName: 'rooftop' };
    const start = clock.now() - 520_000;
    const end = clock.now() - 100_000;
    const fragments = await h.call<Fragment[]>('fragments.list', { ...stream, start, end, selector: 'PRODUCER_TIMESTAMP' });
    expect(fragments.length).toBeGreaterThan(200);
    expect(fragments.length).toBeLessThanOrEqual(250);
    const clips = requests('getClip');
    const started = await h.call<{ exportId: string }>('export.start', { stream, selector: 'PRODUCER_TIMESTAMP', start, end });
    const result = await finished(h, started.exportId);
    expect(result).toMatchObject({ state: 'done', parts: 2 });
    expect(requests('getClip') - clips).toBe(2);
    const probed = await probe(pathOfDownload(h, result.files![0]!.downloadUrl));
    expect(probed.codecs).toEqual(['hevc']);
    const rangeMs = fragments.reduce((sum, f) => sum + f.durationMs, 0);
    expect(Math.abs(probed.duration * 1000 - rangeMs)).toBeLessThan(100);
  });

  it('cancelled mid-way, it stops and leaves no file behind', async () => {
    const h = await harness({ exportPartLimits: { maxFragments: 20, maxBytes: 500 * 1024 * 1024 } });
    const stream = { accountId: h.accountId, streamName: 'yard' };
    emulator.control.setLatency('getClip', 1_500);
    try {
      const started = await h.call<{ exportId: string }>('export.start', { stream, selector: 'PRODUCER_TIMESTAMP', start: clock.now() - 300_000, end: clock.now() - 60_000 });
      // Wait until the second part is under way: the first one is on disk by then.
      for (let i = 0; i < 400 && !h.progress.some((p) => p.exportId === started.exportId && p.part >= 2); i++) await new Promise((r) => setTimeout(r, 25));
      expect((await filesUnder(join(h.dir, 'export-parts'))).length).toBeGreaterThanOrEqual(1);
      expect(await h.call('export.cancel', { exportId: started.exportId })).toEqual({ cancelled: true });
      expect(await finished(h, started.exportId)).toMatchObject({ state: 'cancelled' });
      expect(await filesUnder(join(h.dir, 'export-parts'))).toEqual([]);
      expect(await filesUnder(join(h.dir, 'exports'))).toEqual([]);
      expect(await h.call('export.cancel', { exportId: started.exportId })).toEqual({ cancelled: false });
      expect(await h.call<ExportProgress[]>('export.list', {})).toEqual([expect.objectContaining({ exportId: started.exportId, state: 'cancelled' })]);
    } finally {
      emulator.control.setLatency('getClip', 0);
    }
  });

  it('a range with nothing recorded fails with NothingRecorded, and a bad range is refused', async () => {
    const h = await harness();
    const stream = { accountId: h.accountId, streamName: 'yard' };
    const started = await h.call<{ exportId: string }>('export.start', { stream, selector: 'PRODUCER_TIMESTAMP', start: clock.now() - 3_600_000, end: clock.now() - 3_000_000 });
    expect(await finished(h, started.exportId)).toMatchObject({ state: 'failed', error: { code: 'NothingRecorded' } });
    expect(await h.fail('export.start', { stream, selector: 'PRODUCER_TIMESTAMP', start: 2_000, end: 1_000 })).toMatchObject({ code: 'InvalidRequest', field: 'end' });
    expect(await h.fail('export.start', { stream, selector: 'PRODUCER_TIMESTAMP', start: 0, end: 25 * 3_600_000 })).toMatchObject({ code: 'InvalidRequest' });
  });
});
