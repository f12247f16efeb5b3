import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../../emulator/media/api';
import { loadClip } from '../../../emulator/media/clip-loader';
import { readFragmentInfo } from '../../../emulator/media/fragment-info';
import { readBoxes } from '../../../emulator/media/mp4-boxes';
import { createTimeline } from '../../../emulator/media/timeline';
import { demoClip, makeFragmentedClip, withTempDir } from './media-fixtures';

const ORIGIN = Date.UTC(2025, 0, 6, 9, 0, 0);
const HOUR = 3_600_000;

let clip: Clip;
/** A real clip with uneven GOPs: key frames at 0, 2, 3 and 6 s of 8 s → fragments of 2, 1, 3 and 2 s. */
let uneven: Clip;

beforeAll(async () => {
  clip = await demoClip('gate-2');
  uneven = await withTempDir(async (dir) => {
    const path = join(dir, 'uneven.mp4');
    await makeFragmentedClip(path, 8, [0, 2, 3, 6]);
    return loadClip(path);
  });
});

/** The timeline's producer time of fragment k, from the clip alone: exact ticks, summed loop by loop. */
function expectedStartTicks(source: Clip, index: number): number {
  const n = source.fragments.length;
  const loops = Math.floor(index / n);
  const within = source.fragments.slice(0, index % n).reduce((sum, f) => sum + f.durationTicks, 0);
  return loops * source.totalDurationTicks + within;
}

function mdatBytes(bytes: Uint8Array): Buffer {
  const mdat = readBoxes(bytes).find((b) => b.type === 'mdat')!;
  return Buffer.from(bytes.subarray(mdat.start, mdat.end));
}

describe('a clip looped onto a timeline', () => {
  it('the uneven fixture really has the GOPs it was made with', () => {
    expect(uneven.fragments.map((f) => f.durationTicks / uneven.timescale)).toEqual([2, 1, 3, 2]);
  });

  it('decode times run on across loop seams in exact ticks, with no drift after days', () => {
    for (const source of [clip, uneven]) {
      const timeline = createTimeline(source, { originMs: ORIGIN });
      const farFuture = ORIGIN + 400 * 24 * HOUR;
      const probes = [0, 1, 3, 4, 5, 9, 10, 11, 19, 20, 21, 1_000_003];
      for (const index of probes) {
        const fragment = timeline.fragment(index, farFuture)!;
        expect(fragment.startTicks).toBe(expectedStartTicks(source, index));
        expect(fragment.durationTicks).toBe(source.fragments[index % source.fragments.length]!.durationTicks);
        const next = timeline.fragment(index + 1, farFuture)!;
        expect(next.startTicks).toBe(fragment.startTicks + fragment.durationTicks);
        expect(next.producerTimestampMs).toBe(fragment.producerTimestampMs + fragment.durationMs);
        expect(fragment.producerTimestampMs).toBe(Math.floor(ORIGIN + (expectedStartTicks(source, index) * 1000) / source.timescale));
      }
    }
  });

  it('serves the bytes of clip fragment k mod n with tfdt = startTicks and mfhd = index + 1', () => {
    const timeline = createTimeline(clip, { originMs: ORIGIN });
    const n = clip.fragments.length;
    const sourceCopy = clip.fragments.map((f) => f.data.slice());
    for (const index of [0, n - 1, n, n + 1, 7 * n + 3]) {
      const bytes = timeline.fragmentBytes(index);
      const info = readFragmentInfo(bytes);
      expect(info.baseMediaDecodeTime).toBe(expectedStartTicks(clip, index));
      expect(info.sequenceNumber).toBe(index + 1);
      expect(info.sidx?.earliestPresentationTime).toBe(expectedStartTicks(clip, index));
      expect(mdatBytes(bytes).equals(mdatBytes(clip.fragments[index % n]!.data))).toBe(true);
      expect(bytes.length).toBe(timeline.fragment(index, ORIGIN + 100 * HOUR)!.sizeBytes);
    }
    clip.fragments.forEach((f, i) => expect(Buffer.from(f.data).equals(Buffer.from(sourceCopy[i]!))).toBe(true));
    expect(timeline.fragmentBytes(n + 1)).toBe(timeline.fragmentBytes(n + 1));
  });

  it('a fragment exists from server time + duration (the whole GOP received), not a millisecond before', () => {
    const timeline = createTimeline(uneven, { originMs: ORIGIN });
    for (const index of [0, 1, 2, 3, 4, 17]) {
      const described = timeline.fragment(index, ORIGIN + HOUR)!;
      const delay = described.serverTimestampMs - described.producerTimestampMs;
      expect(delay).toBeGreaterThanOrEqual(150);
      expect(delay).toBeLessThanOrEqual(400);
      const availableAt = described.serverTimestampMs + described.durationMs;
      expect(timeline.fragment(index, availableAt - 1)).toBeUndefined();
      expect(timeline.fragment(index, availableAt)).toEqual(described);
    }
  });

  it('ingest delays differ between fragments but are the same for every timeline with the same seed', () => {
    const a = createTimeline(clip, { originMs: ORIGIN, fragmentNumberSeed: 'Lobby' });
    const b = createTimeline(clip, { originMs: ORIGIN, fragmentNumberSeed: 'Lobby' });
    const delays = (t: typeof a) => t.newest(40, ORIGIN + HOUR).map((f) => f.serverTimestampMs - f.producerTimestampMs);
    expect(new Set(delays(a)).size).toBeGreaterThan(10);
    expect(delays(a)).toEqual(delays(b));
  });

  it('newest(n) is the n most recent available fragments, oldest first', () => {
    const timeline = createTimeline(clip, { originMs: ORIGIN });
    const now = ORIGIN + 5 * HOUR + 1234;
    const newest = timeline.newest(5, now);
    expect(newest).toHaveLength(5);
    const indexes = newest.map((f) => f.index);
    expect(indexes).toEqual([0, 1, 2, 3, 4].map((i) => indexes[0]! + i));
    const last = newest[4]!;
    expect(last.serverTimestampMs + last.durationMs).toBeLessThanOrEqual(now);
    expect(timeline.fragment(last.index + 1, now)).toBeUndefined();
    expect(timeline.newest(5, ORIGIN + 1000)).toEqual([]);
    expect(timeline.newest(3, ORIGIN + 2400).map((f) => f.index)).toEqual([0]);
  });

  it('fragment numbers are 47 digits, the same length, and strictly increasing as strings and as numbers', () => {
    const timeline = createTimeline(clip, { originMs: ORIGIN, fragmentNumberSeed: 'Gate 2' });
    const numbers = [0, 1, 2, 9, 10, 11, 99, 100, 12_345, 9_999_999, 10_000_000].map((i) => timeline.fragment(i, ORIGIN + 10_000 * HOUR)!.fragmentNumber);
    for (const number of numbers) expect(number).toMatch(/^[1-9]\d{46}$/);
    for (let i = 1; i < numbers.length; i++) {
      expect(numbers[i]! > numbers[i - 1]!).toBe(true);
      expect(BigInt(numbers[i]!) > BigInt(numbers[i - 1]!)).toBe(true);
    }
    const other = createTimeline(clip, { originMs: ORIGIN, fragmentNumberSeed: 'Lobby' }).fragment(0, ORIGIN + HOUR)!.fragmentNumber;
    expect(other.slice(0, 27)).not.toBe(numbers[0]!.slice(0, 27));
  });
});

describe('a clip with sound looped onto a timeline', () => {
  it.each(['reception', 'intercom'])('%s: the audio track loops on the video period, tile after tile, and serves its own bytes', async (slug) => {
    const clip = await demoClip(slug);
    const audio = clip.audio!;
    const looped = createTimeline(clip, { originMs: ORIGIN });
    const perLoop = clip.fragments.length;
    // Three days of loops, then across a seam: every audio fragment starts where the previous one ended.
    const loops = 3 * 24 * 180;
    const indexes = Array.from({ length: perLoop + 2 }, (_, i) => loops * perLoop - 1 + i);
    const fragments = indexes.map((index) => looped.fragment(index, ORIGIN + 4 * 24 * 3_600_000)!);
    for (let i = 1; i < fragments.length; i++) {
      const previous = fragments[i - 1]!.audio!;
      expect(fragments[i]!.audio!.startTicks).toBe(previous.startTicks + previous.durationTicks);
    }
    // The seam falls at the same instant in both tracks.
    const seam = fragments[1]!;
    expect(seam.audio!.startTicks / audio.timescale).toBe(seam.startTicks / clip.timescale);

    const bytes = looped.fragmentBytes(seam.index, 2);
    const info = readFragmentInfo(bytes);
    expect(info).toMatchObject({ trackId: 2, baseMediaDecodeTime: seam.audio!.startTicks, sequenceNumber: seam.index + 1, durationTicks: seam.audio!.durationTicks });
    expect(bytes.length).toBe(seam.audio!.sizeBytes);
    expect(readFragmentInfo(looped.fragmentBytes(seam.index, 1)).trackId).toBe(1);
  });

  it('has no track 2 when the clip is silent', async () => {
    const silent = createTimeline(await demoClip('gate-2'), { originMs: ORIGIN });
    expect(silent.fragment(3, ORIGIN + 60_000)?.audio).toBeUndefined();
    expect(() => silent.fragmentBytes(3, 2)).toThrow(/track 2 does not exist/);
  });
});

describe('fragmentsBetween', () => {
  it('selects on producer or server timestamps, start inclusive and end exclusive', () => {
    const timeline = createTimeline(uneven, { originMs: ORIGIN });
    const now = ORIGIN + HOUR;
    const f = timeline.fragment(10, now)!;
    const producer = timeline.fragmentsBetween(f.producerTimestampMs, f.producerTimestampMs + 1, 'PRODUCER_TIMESTAMP', now);
    expect(producer.map((x) => x.index)).toEqual([10]);
    // The server stamp is later than the producer stamp, so a range that starts there misses it on producer time.
    expect(timeline.fragmentsBetween(f.serverTimestampMs, f.serverTimestampMs + 1, 'SERVER_TIMESTAMP', now).map((x) => x.index)).toEqual([10]);
    expect(timeline.fragmentsBetween(f.serverTimestampMs, f.serverTimestampMs + 1, 'PRODUCER_TIMESTAMP', now)).toEqual([]);
    expect(timeline.fragmentsBetween(f.producerTimestampMs - 1, f.producerTimestampMs, 'PRODUCER_TIMESTAMP', now).map((x) => x.index)).toEqual([]);
  });

  it('lists a whole range in order and stops at what has been ingested by now', () => {
    const timeline = createTimeline(uneven, { originMs: ORIGIN });
    const first = timeline.fragment(100, ORIGIN + HOUR)!;
    const now = first.producerTimestampMs + 60_000;
    const listed = timeline.fragmentsBetween(first.producerTimestampMs, now + HOUR, 'SERVER_TIMESTAMP', now);
    // Fragment 99 reached the server before fragment 100 was captured, so on server time the range opens at 100.
    expect(listed[0]!.index).toBe(100);
    listed.forEach((fragment, i) => i > 0 && expect(fragment.index).toBe(listed[i - 1]!.index + 1));
    const last = listed[listed.length - 1]!;
    expect(last.serverTimestampMs + last.durationMs).toBeLessThanOrEqual(now);
    expect(timeline.fragment(last.index + 1, now)).toBeUndefined();
    expect(listed.filter((x) => x.serverTimestampMs < first.producerTimestampMs)).toEqual([]);
  });
});

describe('stopping and resuming a camera', () => {
  it('fragments that start while stopped never exist, and time keeps running so resuming leaves a gap', () => {
    const timeline = createTimeline(clip, { originMs: ORIGIN });
    const stopAt = ORIGIN + 60_500;
    const resumeAt = ORIGIN + 3 * HOUR + 1_000;
    timeline.stop(stopAt);
    expect(timeline.isStopped(stopAt)).toBe(true);
    expect(timeline.isStopped(stopAt - 1)).toBe(false);

    const during = timeline.newest(3, ORIGIN + HOUR);
    expect(during.map((f) => f.producerTimestampMs < stopAt)).toEqual([true, true, true]);
    expect(during[2]!.index).toBe(30); // 30 × 2 s = 60 s starts before the stop; 62 s does not

    timeline.resume(resumeAt);
    expect(timeline.isStopped(resumeAt)).toBe(false);
    // 7 s after resuming, the GOPs starting 1 s and 3 s after the resume are in (each needs 2 s + ≤ 400 ms).
    const now = resumeAt + 7_000;
    const newest = timeline.newest(4, now);
    const beforeGap = newest.filter((f) => f.producerTimestampMs < stopAt);
    const afterGap = newest.filter((f) => f.producerTimestampMs >= resumeAt);
    expect([beforeGap.length, afterGap.length]).toEqual([2, 2]);
    expect(beforeGap.at(-1)?.index).toBe(30);
    expect(afterGap[0]!.producerTimestampMs - beforeGap.at(-1)!.producerTimestampMs).toBeGreaterThan(resumeAt - stopAt);

    const missing = timeline.fragment(31, now);
    expect(missing).toBeUndefined();
    const around = timeline.fragmentsBetween(stopAt - 10_000, resumeAt + 10_000, 'PRODUCER_TIMESTAMP', now);
    expect(around.every((f) => f.producerTimestampMs < stopAt || f.producerTimestampMs >= resumeAt)).toBe(true);
    expect(around.some((f) => f.producerTimestampMs >= resumeAt)).toBe(true);
  });

  it('stop and resume are idempotent, and refuse to go back in time', () => {
    const timeline = createTimeline(clip, { originMs: ORIGIN });
    timeline.resume(ORIGIN + 1000);
    expect(timeline.isStopped(ORIGIN + 2000)).toBe(false);
    timeline.stop(ORIGIN + 10_000);
    timeline.stop(ORIGIN + 20_000);
    timeline.resume(ORIGIN + 30_000);
    timeline.resume(ORIGIN + 40_000);
    expect(timeline.isStopped(ORIGIN + 15_000)).toBe(true);
    expect(timeline.isStopped(ORIGIN + 35_000)).toBe(false);
    expect(() => timeline.stop(ORIGIN + 25_000)).toThrow(RangeError);
  });
});
