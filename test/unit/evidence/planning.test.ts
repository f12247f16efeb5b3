import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calls } from '../../../shared/contract';
import type { Fragment } from '../../../shared/model';
import { fragmentsCovered, planClipParts } from '../../../main/evidence/clip-plan';
import { createCoverageService, mergeCoverage } from '../../../main/evidence/coverage';
import { DOWNLOAD_PATH, DownloadOffers } from '../../../main/evidence/downloads';
import { numberedPartPath, partialPathFor, safeFileStem, suggestedClipName, withMp4Extension } from '../../../main/evidence/export-names';
import { createThumbnailService, planImageRequests } from '../../../main/evidence/thumbnails';
import { AppFailure } from '../../../main/core/app-failure';
import { appError } from '../../../shared/errors';
import { silentLogger } from '../../../main/core/logger';
import { FakeClock } from '../kvs/fake-clock';

const T0 = 1_764_400_000_000;
/** `n` back-to-back 2-s fragments from `from`, `bytes` each. */
function fragments(n: number, from = T0, bytes = 50_000, durationMs = 2_000): Fragment[] {
  return Array.from({ length: n }, (_, i) => ({
    fragmentNumber: String(91343852333181432392682062607743920146264 + i),
    producerTimestamp: from + i * durationMs,
    serverTimestamp: from + i * durationMs + 300 + (i % 3) * 40,
    durationMs,
    sizeBytes: bytes,
  }));
}

describe('coverage', () => {
  it('merges back-to-back fragments and keeps real gaps, by either clock', () => {
    const list = [...fragments(5), ...fragments(3, T0 + 20_000)];
    expect(mergeCoverage(list, 'PRODUCER_TIMESTAMP')).toEqual([
      { start: T0, end: T0 + 10_000 },
      { start: T0 + 20_000, end: T0 + 26_000 },
    ]);
    // Server timestamps jitter by tens of ms: still one recording each.
    expect(mergeCoverage(list, 'SERVER_TIMESTAMP')).toHaveLength(2);
    // Duplicates (a retried upload) overlap and merge.
    expect(mergeCoverage([...fragments(2), ...fragments(2)].sort((a, b) => a.producerTimestamp - b.producerTimestamp), 'PRODUCER_TIMESTAMP')).toEqual([{ start: T0, end: T0 + 4_000 }]);
  });

  it('clips intervals to the range, looks a fragment earlier for one covering its start, and caches by range', async () => {
    const clock = new FakeClock(T0 + 3_600_000);
    const asked: Array<[number, number]> = [];
    const service = createCoverageService({
      clock,
      fragments: {
        async fragmentsIn(_ref, start, end) {
          asked.push([start, end]);
          return { fragments: fragments(30, T0 - 10_000).filter((f) => f.producerTimestamp >= start && f.producerTimestamp <= end), truncated: false };
        },
      },
    });
    const ref = { accountId: 'a', streamName: 's' };
    const coverage = await service.coverage(ref, 'PRODUCER_TIMESTAMP', T0 + 1_000, T0 + 20_000);
    expect(asked).toEqual([[T0 + 1_000 - 20_000, T0 + 20_000]]);
    expect(coverage.intervals).toEqual([{ start: T0 + 1_000, end: T0 + 20_000 }]);
    expect(coverage.fragmentCount).toBe(10);
    await service.coverage(ref, 'PRODUCER_TIMESTAMP', T0 + 1_000, T0 + 20_000);
    expect(asked).toHaveLength(1);
    // Settled ranges are kept two minutes; then asked again.
    await clock.advance(121_000);
    await service.coverage(ref, 'PRODUCER_TIMESTAMP', T0 + 1_000, T0 + 20_000);
    expect(asked).toHaveLength(2);
  });
});

describe('GetImages planning', () => {
  it('fills requests up to 25 images and 300 s, one per run of neighbouring times', () => {
    const times = (from: number, step: number, n: number) => Array.from({ length: n }, (_, i) => from + i * step);
    expect(planImageRequests(times(T0, 2_000, 25), 2_000)).toEqual([{ start: T0, count: 25, intervalMs: 2_000 }]);
    // 20 s apart: 300 s holds 16 of them.
    expect(planImageRequests(times(T0, 20_000, 25), 20_000).map((p) => p.count)).toEqual([16, 9]);
    // Too far apart to share: one each.
    expect(planImageRequests(times(T0, 600_000, 3), 600_000).map((p) => p.count)).toEqual([1, 1, 1]);
    // Holes (times already cached) split runs.
    expect(planImageRequests([T0, T0 + 2_000, T0 + 8_000], 2_000)).toEqual([
      { start: T0, count: 2, intervalMs: 2_000 },
      { start: T0 + 8_000, count: 1, intervalMs: 2_000 },
    ]);
  });

  it('serves repeated and overlapping asks from one request, refuses non-JPEG answers, retries a throttle twice at most', async () => {
    const clock = new FakeClock(T0 + 3_600_000);
    const requests: Array<{ start: number; maxResults: number }> = [];
    let throttles = 0;
    const service = createThumbnailService({
      clock,
      logger: silentLogger,
      calls: {
        async getImages(_ref, r) {
          requests.push({ start: r.start, maxResults: r.maxResults });
          if (throttles > 0) {
            throttles--;
            throw new AppFailure(appError('ClientLimitExceededException', 'throttled', { retryable: true }));
          }
          return Array.from({ length: r.maxResults }, (_, i) => {
            const time = r.start + i * r.intervalMs;
            if (i === 1) return { time, error: 'NO_MEDIA' as const };
            if (i === 2) return { time, content: 'PHNjcmlwdD4=' }; // not a JPEG
            return { time, content: '/9j/4AAQSkZJRg==' };
          });
        },
      },
    });
    const stream = { accountId: 'a', streamName: 's' };
    const ask = { stream, selector: 'PRODUCER_TIMESTAMP' as const, from: T0, stepMs: 2_000, count: 5, height: 90 };
    const [a, b] = await Promise.all([service.thumbnails(ask), service.thumbnails({ ...ask, from: T0 + 4_000, count: 5 })]);
    expect(a.map((t) => t.missing ?? 'image')).toEqual(['image', 'NO_MEDIA', 'MEDIA_ERROR', 'image', 'image']);
    expect(b[0]).toEqual(a[2]);
    // The second ask shared the first's three times and fetched only the two after them.
    expect(requests).toEqual([{ start: T0, maxResults: 5 }, { start: T0 + 10_000, maxResults: 2 }]);
    await service.thumbnails(ask);
    expect(requests).toHaveLength(2);

    throttles = 2;
    expect(await service.thumbnails({ ...ask, from: T0 + 100_000, count: 1 })).toHaveLength(1);
    expect(requests).toHaveLength(5);
    throttles = 3;
    await expect(service.thumbnails({ ...ask, from: T0 + 200_000, count: 1 })).rejects.toMatchObject({ appError: { code: 'ClientLimitExceededException' } });
  });
});

describe('clip parts', () => {
  it('plans parts under 180 fragments and 90 MB, each a millisecond wider than its fragments', () => {
    const parts = planClipParts(fragments(400), 'PRODUCER_TIMESTAMP');
    expect(parts.map((p) => p.fragments.length)).toEqual([180, 180, 40]);
    expect(parts[1]!.start).toBe(T0 + 180 * 2_000 - 1);
    expect(parts[1]!.end).toBe(T0 + 359 * 2_000 + 1);
    // 2 MB fragments: 45 to a part.
    expect(planClipParts(fragments(100, T0, 2 * 1024 * 1024), 'PRODUCER_TIMESTAMP').map((p) => p.fragments.length)).toEqual([45, 45, 10]);
    // One fragment over the byte limit still gets a part of its own.
    expect(planClipParts(fragments(2, T0, 200 * 1024 * 1024), 'PRODUCER_TIMESTAMP').map((p) => p.fragments.length)).toEqual([1, 1]);
    expect(planClipParts(fragments(3), 'SERVER_TIMESTAMP')[0]!.start).toBe(T0 + 300 - 1);
  });

  it('tells how many fragments a clip holds from its duration', () => {
    const list = fragments(10);
    expect(fragmentsCovered(list, 20_000)).toBe(10);
    expect(fragmentsCovered(list, 14_020)).toBe(7);
    expect(fragmentsCovered(list, 13_900)).toBe(7);
    expect(fragmentsCovered(list, 900)).toBe(0);
  });
});

describe('export names', () => {
  it('suggests a readable, safe file name and derives part and partial names from it', () => {
    const name = suggestedClipName('Lobby-cam_1', T0, T0 + 120_000);
    expect(name).toMatch(/^Lobby-cam_1 \d{4}-\d\d-\d\d \d\d\.\d\d\.\d\d to \d\d\.\d\d\.\d\d\.mp4$/);
    expect(suggestedClipName('cam', T0, T0 + 30 * 3_600_000)).toMatch(/ to \d{4}-\d\d-\d\d \d\d\.\d\d\.\d\d\.mp4$/);
    expect(safeFileStem('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileStem('...')).toBe('camera');
    expect(withMp4Extension('/tmp/clip')).toBe('/tmp/clip.mp4');
    expect(withMp4Extension('/tmp/clip.mov')).toBe('/tmp/clip.mov');
    expect(numberedPartPath('/tmp/a b.mp4', 2, 3)).toBe('/tmp/a b (part 2 of 3).mp4');
    expect(partialPathFor('/tmp/a b.mp4', 'x1')).toBe('/tmp/.a b.mp4.x1.partial');
  });
});

describe('one-time downloads', () => {
  it('hands a file out once by a 256-bit token, deletes it when done or expired, and names no path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvs-downloads-'));
    try {
      const clock = new FakeClock(T0);
      const offers = new DownloadOffers({ clock, logger: silentLogger, ttlMs: 60_000 });
      await writeFile(join(dir, 'a.mp4'), 'a');
      const token = offers.offer(join(dir, 'a.mp4'));
      expect(DOWNLOAD_PATH.test(`/downloads/${token}`)).toBe(true);
      expect(offers.take('A'.repeat(43))).toBeUndefined();
      const ticket = offers.take(token)!;
      expect(ticket).toMatchObject({ path: join(dir, 'a.mp4'), name: 'a.mp4' });
      expect(offers.take(token)).toBeUndefined();
      await ticket.finished();
      expect(await readdir(dir).catch(() => [])).toEqual([]);

      await rm(dir, { recursive: true, force: true });
      const folder = await mkdtemp(join(tmpdir(), 'kvs-downloads-'));
      await writeFile(join(folder, 'b.mp4'), 'b');
      const late = offers.offer(join(folder, 'b.mp4'));
      await clock.advance(60_001);
      await new Promise((r) => setTimeout(r, 50));
      expect(offers.take(late)).toBeUndefined();
      await expect(readdir(folder)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const path of ['/downloads/../../etc/passwd', '/downloads/abc', `/downloads/${'a'.repeat(43)}/x`, `/downloads/${'a'.repeat(42)}.`]) {
    it(`serves nothing at ${path.slice(0, 40)}`, () => expect(DOWNLOAD_PATH.test(path)).toBe(false));
  }
});

describe('contract', () => {
  it('keeps thumbnails within GetImages\' limits and ranges within a day', () => {
    const stream = { accountId: 'a', streamName: 's' };
    const thumbs = calls['timeline.thumbnails'].request;
    const ok = { stream, selector: 'PRODUCER_TIMESTAMP', from: T0, stepMs: 200, count: 25, height: 360 };
    expect(thumbs.safeParse(ok).success).toBe(true);
    for (const bad of [{ stepMs: 199 }, { count: 26 }, { height: 361 }, { height: 15 }, { extra: 1 }]) expect(thumbs.safeParse({ ...ok, ...bad }).success).toBe(false);
    const range = calls['export.start'].request;
    expect(range.safeParse({ stream, selector: 'SERVER_TIMESTAMP', start: T0, end: T0 + 86_400_000 }).success).toBe(true);
    expect(range.safeParse({ stream, selector: 'SERVER_TIMESTAMP', start: T0, end: T0 + 86_400_001 }).success).toBe(false);
    expect(range.safeParse({ stream, selector: 'SERVER_TIMESTAMP', start: T0, end: T0 }).success).toBe(false);
  });
});
