import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgePictures, startPictureSampler, stopPictureSampler, type PictureSample } from '../support/e2e-sampler';
import { ARTIFACTS, callApp, describeProbes, probeTiles, replayFrom, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

/**
 * A camera naming a sub-stream (the emulator's demo cameras tag theirs `kvs-wall:sub-stream`): its grid
 * tile plays the 320×180 sub-stream, the selected or maximised tile the camera's own 640×360 stream,
 * swapped make-before-break, and back; the sessions of both come from main's pool on a second round trip.
 */
const run = promisify(execFile);

describe('sub-streams', () => {
  let rig: WallRig;
  let page: Page;
  // Tile 1 (selected when the wall opens) has no sub-stream; 2 and 3 have one by tag; 4's setting names a stream that doesn't exist.
  const CAMERAS = ['gate-2', 'lobby', 'loading-dock', 'server-room'];

  beforeAll(async () => {
    rig = await startWallRig({ emulator: { subStreams: true } });
    const accountId = rig.account!.id;
    await callApp(rig.core, 'settings.update', { subStreams: [{ accountId, streamName: 'server-room', subStream: 'server-room-gone' }] });
    page = await rig.open(wallOf('subs', accountId, CAMERAS));
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const tile = (position: number) => page.locator(`section.tile[data-position="${position}"]`);
  /** The stream the tile's player shows, and the size of its visible picture. */
  const shown = (position: number) =>
    page.evaluate((p) => {
      const el = document.querySelector<HTMLElement>(`section.tile[data-position="${p}"]`);
      const video = el?.querySelector<HTMLVideoElement>('video[data-front="true"]');
      const canvas = el?.querySelector<HTMLCanvasElement>('canvas[data-front="true"]');
      return {
        stream: el?.dataset['shownStream'],
        width: video?.videoWidth ?? canvas?.width ?? 0,
        height: video?.videoHeight ?? canvas?.height ?? 0,
        note: el?.querySelector('.stream-note')?.textContent ?? '',
        badge: el?.querySelector('.badge')?.textContent ?? '',
      };
    }, position);
  const waitShown = async (position: number, stream: string, width: number): Promise<void> => {
    const ok = await page
      .waitForFunction(
        ([p, s, w]) => {
          const el = document.querySelector<HTMLElement>(`section.tile[data-position="${p}"]`);
          const video = el?.querySelector<HTMLVideoElement>('video[data-front="true"]');
          return el?.dataset['shownStream'] === s && video?.videoWidth === w && el.querySelectorAll('video').length === 1;
        },
        [position, stream, width] as const,
        { timeout: 30_000, polling: 100 },
      )
      .then(() => true, () => false);
    const probes = await probeTiles(page);
    expect(ok, `tile ${position} should show ${stream} at ${width} px wide: ${JSON.stringify(await shown(position))}\n${describeProbes(probes, probes)}`).toBe(true);
  };
  const sessionCalls = () => {
    const counters = rig.emulator!.control.counters();
    return { calls: counters.requests.getDASHStreamingSessionURL ?? 0, created: { ...counters.sessionsCreated } };
  };
  /** No black picture, every swap to a video that had shown frames (make-before-break). */
  const expectSeamless = (samples: readonly PictureSample[], swapsAtLeast: number, what: string): void => {
    const verdict = judgePictures(samples);
    expect(verdict.swaps, `${what}: swaps`).toBeGreaterThanOrEqual(swapsAtLeast);
    expect(verdict.swapsToUnreadyVideo, `${what}: swaps to a video with no frame`).toBe(0);
    expect(verdict.blackSamples, `${what}: black samples of ${samples.length}`).toBe(0);
    expect(verdict.swapsBack, `${what}: an old picture shown again`).toBe(0);
  };

  it('plays the sub-stream in grid tiles and says so; a sub-stream that does not exist is said, and the camera plays', async () => {
    await waitAllLive(page, 4, 90_000);
    await waitShown(2, 'lobby-sub', 320);
    await waitShown(3, 'loading-dock-sub', 320);
    expect(await shown(2)).toMatchObject({ stream: 'lobby-sub', width: 320, height: 180, note: 'sub' });
    expect(await tile(2).locator('.stream-note').getAttribute('title')).toMatch(/Sub-stream lobby-sub/);
    // The selected tile without a sub-stream plays its camera, with no note.
    expect(await shown(1)).toMatchObject({ stream: 'gate-2', width: 640, note: '' });
    // The setting names a stream the account doesn't have: the camera's own stream plays, and the bar says why.
    expect(await shown(4)).toMatchObject({ stream: 'server-room', width: 640, note: 'no sub-stream' });
    expect(await tile(4).locator('.stream-note').getAttribute('title')).toBe("Plays the camera's own stream: the setting names server-room-gone, which is not a stream of this account.");
    // No session of the missing stream was ever asked for.
    expect(sessionCalls().created['server-room-gone']).toBeUndefined();
    expect(rig.emulator!.control.counters().sessionsCreated['server-room']).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'sub-streams-grid');
  }, 150_000);

  it('selecting a tile switches it to the camera make-before-break, and back; the second round trip takes pooled sessions', async () => {
    await startPictureSampler(page, 50);
    // First round trip: the camera's session is new, the sub-stream's comes back from the pool.
    await page.keyboard.press('2');
    await waitShown(2, 'lobby', 640);
    expect((await shown(2)).note).toBe('main');
    await page.keyboard.press('1');
    await waitShown(2, 'lobby-sub', 320);
    const afterFirst = sessionCalls();
    expect(afterFirst.created['lobby']).toBeGreaterThanOrEqual(1);

    // Second round trip: main holds a session of each stream for this tile; no new KVS session call.
    await page.keyboard.press('2');
    await waitShown(2, 'lobby', 640);
    await page.keyboard.press('1');
    await waitShown(2, 'lobby-sub', 320);
    await page.waitForTimeout(500);
    const afterSecond = sessionCalls();
    expect(afterSecond.calls, 'GetDASHStreamingSessionURL calls on the second round trip').toBe(afterFirst.calls);
    expect(afterSecond.created).toEqual(afterFirst.created);

    const samples = await stopPictureSampler(page);
    expectSeamless(samples['2'] ?? [], 4, 'tile 2');
    // Tile 1 took the selection back and forth: it has no sub-stream, so its picture never changed stream.
    expect(judgePictures(samples['1'] ?? []).swaps).toBe(0);
  }, 150_000);

  it('maximising a tile switches it to the camera, and restoring plus moving the selection switches it back', async () => {
    await startPictureSampler(page, 50);
    await page.keyboard.press('3');
    await page.keyboard.press('Enter');
    await expect.poll(() => tile(3).getAttribute('class'), { timeout: 5000 }).toMatch(/maximised/);
    await waitShown(3, 'loading-dock', 640);
    await page.keyboard.press('Escape');
    await page.keyboard.press('1');
    await waitShown(3, 'loading-dock-sub', 320);
    const samples = await stopPictureSampler(page);
    expectSeamless(samples['3'] ?? [], 2, 'tile 3');
  }, 120_000);

  it('a snapshot of a grid tile is of the camera, taken once the selected tile shows it', async () => {
    await waitShown(3, 'loading-dock-sub', 320);
    const download = page.waitForEvent('download', { timeout: 30_000 });
    // Select and snapshot at once: the tile still shows its sub-stream when S arrives.
    await page.keyboard.press('3');
    await page.keyboard.press('s');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^loading-dock /);
    const path = join(ARTIFACTS, 'sub-streams-snapshot.png');
    await file.saveAs(path);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', path]);
    expect(stdout.trim(), 'the camera\'s own picture, not the 320×180 sub-stream').toBe('png,640,360');
    await page.keyboard.press('1');
    await waitShown(3, 'loading-dock-sub', 320);
  }, 90_000);

  it('Settings → Sub-streams refuses a stream the account lacks next to its camera, and a saved "none" turns a tagged sub-stream off', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const section = page.locator('#settings-sub-streams');
    // The account's streams are read before anything is checked against them.
    await section.locator('datalist').first().waitFor({ state: 'attached', timeout: 15_000 });
    await expect.poll(() => section.locator('.row[data-camera="lobby"] select option[value="tag"]').textContent(), { timeout: 15_000 }).toBe('from its tag (lobby-sub)');
    await section.getByRole('button', { name: 'Save sub-streams' }).click();
    await expect.poll(() => section.locator('.row[data-camera="server-room"] .field-error').textContent(), { timeout: 5000 }).toBe('This names server-room-gone, which is not a stream of this account.');
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'sub-streams-settings');
    expect((await callApp(rig.core, 'settings.get', {})).subStreams).toEqual([{ accountId: rig.account!.id, streamName: 'server-room', subStream: 'server-room-gone' }]);

    await section.locator('.row[data-camera="server-room"] select').selectOption('tag');
    await section.locator('.row[data-camera="lobby"] select').selectOption('none');
    await section.getByRole('button', { name: 'Save sub-streams' }).click();
    await section.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 10_000 });
    expect((await callApp(rig.core, 'settings.get', {})).subStreams).toEqual([{ accountId: rig.account!.id, streamName: 'lobby', subStream: null }]);
    // The wall follows at once: lobby, not selected, now plays the camera's own stream, and server-room has nothing to say.
    await waitShown(2, 'lobby', 640);
    expect(await shown(2)).toMatchObject({ note: '' });
    await expect.poll(async () => (await shown(4)).note, { timeout: 10_000 }).toBe('');
    await page.getByRole('button', { name: 'Close settings' }).click();
  }, 120_000);

  it('looks back on the camera, never its sub-stream', async () => {
    const before = sessionCalls();
    await replayFrom(page, 3, 60);
    // The replay is a new session of the camera's own stream: its picture, at the camera's size, under REPLAY.
    await expect
      .poll(async () => {
        const now = await shown(3);
        return `${now.badge.startsWith('REPLAY') ? 'REPLAY' : now.badge} ${now.stream} ${now.width}`;
      }, { timeout: 30_000 })
      .toBe('REPLAY loading-dock 640');
    const after = rig.emulator!.control.counters();
    expect(after.sessionsCreated['loading-dock-sub'] ?? 0).toBe(before.created['loading-dock-sub'] ?? 0);
  }, 120_000);
});
