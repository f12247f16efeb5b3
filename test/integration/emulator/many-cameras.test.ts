import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { parse } from 'mpd-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index';
import { controlPlane, getOk, hasBox, sessionUrl, type Emulator } from './support';

/**
 * Encodes are cached across runs here (as node_modules/.cache is for other tools), so only a machine's
 * first run pays for 64 of them; the tests assert on what came from the cache, never on time.
 */
const SHARED_CACHE = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'kvs-emulator-cameras-test');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kvs-many-cameras-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function listed(emulator: Emulator): Promise<string[]> {
  const out = await controlPlane(emulator).send(new ListStreamsCommand({}));
  return (out.StreamInfoList ?? []).map((s) => s.StreamName ?? '');
}

/** A LIVE session per camera: its manifest's newest fragment loads, and its producer time (kvs:ts) is returned. */
async function playEach(emulator: Emulator, names: readonly string[]): Promise<number[]> {
  const newest: number[] = [];
  for (const name of names) {
    const url = await sessionUrl(emulator, { StreamName: name, PlaybackMode: 'LIVE', DisplayFragmentTimestamp: 'ALWAYS', DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP' } });
    const xml = await (await getOk(url)).text();
    const segments = parse(xml, { manifestUri: url }).playlists[0]?.segments ?? [];
    expect(segments.length, name).toBeGreaterThan(0);
    const fragment = new Uint8Array(await (await getOk(segments.at(-1)!.resolvedUri)).arrayBuffer());
    expect(hasBox(fragment, 'moof') && hasBox(fragment, 'mdat'), name).toBe(true);
    newest.push(Number([...xml.matchAll(/kvs:ts="(\d+)"/g)].at(-1)?.[1]));
  }
  return newest;
}

/** The first frame of an encoded camera as raw RGB, decoded by ffmpeg. */
function firstFrame(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** Mean absolute difference of two 320×180 RGB frames over a rectangle. */
function difference(a: Buffer, b: Buffer, x: number, y: number, width: number, height: number): number {
  let sum = 0;
  for (let row = y; row < y + height; row++) {
    for (let col = x * 3; col < (x + width) * 3; col++) sum += Math.abs((a[row * 320 * 3 + col] ?? 0) - (b[row * 320 * 3 + col] ?? 0));
  }
  return sum / (width * height * 3);
}

describe('many distinct cameras (cameras: N)', () => {
  it('serves 64 cameras under their own names, each playing, each at its own moment of the timeline', async () => {
    const emulator = await startEmulator({ cameras: 64, cameraCacheDir: SHARED_CACHE });
    try {
      const names = Array.from({ length: 64 }, (_, i) => `cam-${String(i + 1).padStart(2, '0')}`);
      expect(emulator.cameras).toEqual(names);
      expect(await listed(emulator)).toEqual(names);
      const build = emulator.cameraBuild!;
      expect(build.encoded + build.cacheHits).toBe(64);
      expect(build.shippedClips).toBe(0);

      const newest = await playEach(emulator, names);
      // Fragments are 2 s long: where each camera's fragments start within those 2 s.
      const phases = new Set(newest.map((ts) => ts % 2000));
      expect(phases.size).toBe(64);
    } finally {
      await emulator.stop();
    }
  }, 600_000);

  it('takes every camera from the cache on the next start', async () => {
    const emulator = await startEmulator({ cameras: 64, cameraCacheDir: SHARED_CACHE });
    try {
      expect(emulator.cameraBuild).toEqual({ encoded: 0, cacheHits: 64, shippedClips: 0 });
    } finally {
      await emulator.stop();
    }
  }, 120_000);

  it('encodes each camera once into a fresh cache, two at a time, with its own name burned over its source clip\'s', async () => {
    const cache = join(scratch, 'fresh');
    // The real ffmpeg behind a wrapper that logs when each run starts and ends.
    const log = join(scratch, 'ffmpeg-runs.log');
    const wrapper = join(scratch, 'ffmpeg-logged');
    await writeFile(wrapper, `#!/bin/sh\necho start >> '${log}'\nffmpeg "$@"\nrc=$?\necho end >> '${log}'\nexit $rc\n`);
    await chmod(wrapper, 0o755);
    const first = await startEmulator({ cameras: 7, cameraCacheDir: cache, ffmpegPath: wrapper });
    await first.stop();
    expect(first.cameraBuild).toEqual({ encoded: 7, cacheHits: 0, shippedClips: 0 });
    let running = 0;
    let most = 0;
    const runs = (await readFile(log, 'utf8')).trim().split('\n');
    for (const line of runs) {
      running += line === 'start' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(runs.filter((l) => l === 'start')).toHaveLength(7);
    expect(most).toBe(2);
    const second = await startEmulator({ cameras: 7, cameraCacheDir: cache });
    await second.stop();
    expect(second.cameraBuild).toEqual({ encoded: 0, cacheHits: 7, shippedClips: 0 });

    // Nothing half-written is left behind, and cam-01 and cam-07 come from the same clip (7 = 1 + 6 sources).
    const files = (await readdir(cache)).sort();
    expect(files).toHaveLength(7);
    expect(files.every((f) => /^cam-0[1-7]-[0-9a-f]{16}\.mp4$/.test(f))).toBe(true);
    const [one, seven] = await Promise.all([firstFrame(join(cache, files[0]!)), firstFrame(join(cache, files[6]!))]);
    expect(one.length).toBe(320 * 180 * 3);
    // The names ("Cam 01", "Cam 07") differ where they are burned in, top left, in their last digit; below
    // them the pictures are the same clip frame.
    const label = Math.max(...Array.from({ length: 12 }, (_, i) => difference(one, seven, i * 8, 4, 12, 20)));
    expect(label).toBeGreaterThan(20);
    expect(difference(one, seven, 0, 60, 320, 90)).toBeLessThan(4);
  }, 300_000);

  it('falls back on the shipped clips under distinct names and offsets without ffmpeg, and says so once', async () => {
    const notices: string[] = [];
    const emulator = await startEmulator({ cameras: 8, cameraCacheDir: join(scratch, 'no-ffmpeg'), ffmpegPath: '/nonexistent/ffmpeg', onNotice: (m) => notices.push(m) });
    try {
      expect(emulator.cameraBuild).toEqual({ encoded: 0, cacheHits: 0, shippedClips: 8 });
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/ffmpeg was not found at '\/nonexistent\/ffmpeg'.*shipped clips.*repeat/);
      const names = await listed(emulator);
      expect(names).toHaveLength(8);
      const newest = await playEach(emulator, names);
      expect(new Set(newest.map((ts) => ts % 2000)).size).toBe(8);
    } finally {
      await emulator.stop();
    }
  }, 120_000);

  it('refuses a number of cameras out of range, and a cache directory without one', async () => {
    for (const cameras of [0, -1, 1.5, 257, Number.NaN]) await expect(startEmulator({ cameras })).rejects.toThrow(/cameras must be a list or a whole number from 1 to 256/);
    await expect(startEmulator({ cameraCacheDir: scratch })).rejects.toThrow(/cameraCacheDir applies to a number of cameras only/);
    await expect(startEmulator({ cameras: 2, codecCameras: true })).rejects.toThrow(/codecCameras applies to the default demo cameras only/);
    await expect(startEmulator({ cameras: [{ name: 'a', file: 'x.mp4', startOffsetMs: -1 }] })).rejects.toThrow(/startOffsetMs must be 0 to/);
  });

  it('adds distinct cameras to a running emulator beside its first ones, once', async () => {
    const emulator = await startEmulator();
    try {
      const first = [...emulator.cameras];
      expect((await listed(emulator)).sort()).toEqual([...first].sort());
      expect(first).toContain('lobby');
      const added = await emulator.addCameras(3, { cacheDir: SHARED_CACHE });
      expect(added.names).toEqual(['cam-01', 'cam-02', 'cam-03']);
      expect((await listed(emulator)).sort()).toEqual([...first, 'cam-01', 'cam-02', 'cam-03'].sort());
      expect(emulator.cameras).toEqual([...first, 'cam-01', 'cam-02', 'cam-03']);
      const newest = await playEach(emulator, ['lobby', 'cam-02']);
      // Both on the same live timeline: their newest fragments a few seconds apart at most.
      expect(Math.abs(newest[0]! - newest[1]!)).toBeLessThan(4000);
      await expect(emulator.addCameras(2, { cacheDir: SHARED_CACHE })).rejects.toThrow(/cam-01 already exists/);
      expect(await listed(emulator)).toHaveLength(first.length + 3);
      await expect(emulator.addCameras(0)).rejects.toThrow(/whole number from 1/);
    } finally {
      await emulator.stop();
    }
  });
});
