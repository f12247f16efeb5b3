import { describe, expect, it } from 'vitest';
import { behindText, dateText, inputValue, parseTyped, resolveZone, timeText } from '../../../renderer/src/lib/clock-zone';
import { clockNow, rendezvous, setPaused, setRate, steer, type SyncClock } from '../../../renderer/src/evidence/replay-sync';
import { stampLayout } from '../../../renderer/src/evidence/snapshot';
import { safeName } from '../../../renderer/src/evidence/file-names';
import { exportPercent, exportWords } from '../../../renderer/src/evidence/export-words';
import { coverageRange, HOUR, MINUTE, thumbnailBatch, thumbnailStep, ticks, zoomAround, zoomStep, ZOOM_SPANS } from '../../../renderer/src/evidence/timeline-scale';
import { fitMiddle, middleEllipsis, tileState, type StateFacts } from '../../../renderer/src/tiles/tile-state';
import { isZoomed, NO_ZOOM, pan, transformOf, wheelFactor, zoomAt } from '../../../renderer/src/tiles/zoom';

// 29 Nov 2025 14:03:07 UTC
const T = Date.UTC(2025, 10, 29, 14, 3, 7);
const utc = resolveZone('utc', undefined);

describe('clock zones', () => {
  it('shows the camera\'s zone from its tag, UTC, or says it fell back to the operator\'s', () => {
    const berlin = resolveZone('camera', { timezone: 'Europe/Berlin' });
    expect(berlin).toMatchObject({ timeZone: 'Europe/Berlin' });
    expect(timeText(T, berlin)).toBe('15:03:07');
    expect(timeText(T, utc)).toBe('14:03:07');
    expect(timeText(T, utc, false)).toBe('14:03');
    expect(dateText(T, utc)).toBe('29 Nov');
    expect(resolveZone('camera', { timezone: 'Mars/Olympus' })).toMatchObject({ timeZone: undefined, fallback: true });
    expect(resolveZone('camera', { tz: 'America/New_York' }).timeZone).toBe('America/New_York');
  });

  it('reads a typed date and time in the zone, refuses impossible ones', () => {
    const berlin = resolveZone('camera', { timezone: 'Europe/Berlin' });
    expect(parseTyped('2025-11-29 15:03:07', berlin, T)).toBe(T);
    expect(parseTyped('2025-11-29T14:03', utc, T)).toBe(T - 7_000);
    expect(parseTyped('14:03:07', utc, T)).toBe(T);
    expect(parseTyped('2025-02-31 10:00', utc, T)).toBeUndefined();
    expect(parseTyped('25:00', utc, T)).toBeUndefined();
    expect(parseTyped('yesterday', utc, T)).toBeUndefined();
    // Across a clock change (Berlin, 30 Mar 2025 02:00 → 03:00): 03:30 local is 01:30 UTC.
    expect(parseTyped('2025-03-30 03:30', berlin, T)).toBe(Date.UTC(2025, 2, 30, 1, 30));
    expect(inputValue(T, berlin)).toBe('2025-11-29T15:03:07');
  });

  it('says how far behind live a replay is', () => {
    expect(behindText(252_000)).toBe('−4:12');
    expect(behindText(3_723_000)).toBe('−1:02:03');
    expect(behindText(-5)).toBe('−0:00');
  });
});

describe('tile state words', () => {
  const facts = (over: Partial<StateFacts>): StateFacts => ({
    session: { kind: 'granted', sessionId: 's', expiresAt: T + 1 },
    phase: { kind: 'playing', renewing: false },
    mode: 'LIVE',
    cameraTime: T,
    lastSeen: T,
    now: T + 4_000,
    zone: utc,
    ...over,
  });
  it('gives each state its own word, with what goes with it', () => {
    expect(tileState(facts({}))).toEqual({ word: 'LIVE', stale: false });
    expect(tileState(facts({ mode: 'LIVE_REPLAY', cameraTime: T - 252_000 + 4_000 }))).toEqual({ word: 'REPLAY', extra: '−4:12', stale: false });
    expect(tileState(facts({ mode: 'ON_DEMAND' }))).toEqual({ word: 'ARCHIVE', extra: '29 Nov 14:03', stale: false });
    expect(tileState(facts({ phase: { kind: 'camera-offline', since: T - 1 } }))).toEqual({ word: 'OFFLINE', extra: 'last seen 14:03:07', stale: true });
    expect(tileState(facts({ phase: { kind: 'network-offline' }, lastSeen: undefined }))).toEqual({ word: 'OFFLINE', stale: true });
    expect(tileState(facts({ session: { kind: 'waiting', until: T + 60_000 }, phase: null }))).toEqual({ word: 'WAITING', extra: 'until 14:04', stale: true });
    expect(tileState(facts({ session: { kind: 'acquiring' }, phase: null }))).toEqual({ word: 'CONNECTING', stale: false });
    expect(tileState(facts({ phase: { kind: 'failed', message: 'x' } })).word).toBe('ERROR');
    // A picture that plays wins over the broker waiting for a later renewal.
    expect(tileState(facts({ session: { kind: 'waiting' } })).word).toBe('LIVE');
    expect(tileState(facts({ session: { kind: 'error', error: { code: 'X', message: 'm', retryable: false } }, phase: null })).word).toBe('ERROR');
  });

  it('shortens names in the middle, keeping both ends', () => {
    expect(middleEllipsis('Loading-Dock-North-2', 12)).toBe('Loadin…rth-2');
    expect(middleEllipsis('Lobby', 12)).toBe('Lobby');
    expect(middleEllipsis('cam-01', 1)).toBe('…');
  });
});

describe('timeline scale', () => {
  it('zooms from 12 h to 1 min in steps, keeping the pointer\'s time in place', () => {
    expect(ZOOM_SPANS[0]).toBe(12 * HOUR);
    expect(ZOOM_SPANS.at(-1)).toBe(MINUTE);
    expect(zoomStep(HOUR, 'in')).toBe(15 * MINUTE);
    expect(zoomStep(MINUTE, 'in')).toBe(MINUTE);
    expect(zoomStep(12 * HOUR, 'out')).toBe(12 * HOUR);
    const view = zoomAround({ start: T, span: HOUR }, 15 * MINUTE, T + HOUR / 2);
    expect(view).toEqual({ start: T + HOUR / 2 - 7.5 * MINUTE, span: 15 * MINUTE });
  });

  it('ticks on round times, coverage on quarter-span boundaries', () => {
    const marks = ticks({ start: T, span: HOUR }, 800);
    // 5 min would be 66 px apart on 800 px: too tight; 15 min it is.
    expect(marks.every((t) => t % (15 * MINUTE) === 0)).toBe(true);
    expect(marks.length).toBe(4);
    expect(ticks({ start: T, span: MINUTE }, 800).every((t) => t % 10_000 === 0)).toBe(true);
    const a = coverageRange({ start: T, span: HOUR }, T + 2 * HOUR);
    const b = coverageRange({ start: T + 60_000, span: HOUR }, T + 2 * HOUR);
    expect(b).toEqual(a);
    expect(coverageRange({ start: T, span: HOUR }, T + 10 * MINUTE).end).toBe(T + 10 * MINUTE);
  });

  it('asks thumbnails in batches GetImages answers in one request, the same batch for every hover nearby', () => {
    expect(thumbnailStep(MINUTE)).toBe(2_000);
    expect(thumbnailStep(12 * HOUR)).toBe(15 * MINUTE);
    const step = thumbnailStep(15 * MINUTE);
    const a = thumbnailBatch(T, step, T + HOUR);
    const b = thumbnailBatch(T + 2 * step, step, T + HOUR);
    expect(b).toEqual(a);
    expect(a.count * a.stepMs - a.stepMs).toBeLessThanOrEqual(300_000);
    expect(a.count).toBeLessThanOrEqual(25);
    expect(a.from).toBeLessThanOrEqual(T);
    expect(a.from + a.count * a.stepMs).toBeGreaterThan(T);
    // Never asks for the future.
    expect(thumbnailBatch(T, 2_000, T + 4_000).count * 2_000 + thumbnailBatch(T, 2_000, T + 4_000).from).toBeLessThanOrEqual(T + 6_000);
    expect(thumbnailBatch(T, 15 * MINUTE, T + 12 * HOUR).count).toBe(1);
  });
});

describe('digital zoom', () => {
  it('zooms about the pointer, pans within the picture, resets to none', () => {
    const z = zoomAt(NO_ZOOM, 2, 100, 50, 400, 200);
    expect(z).toEqual({ scale: 2, x: -100, y: -50 });
    expect(transformOf(z)).toBe('translate(-100px, -50px) scale(2)');
    expect(pan(z, 500, 0, 400, 200)).toEqual({ scale: 2, x: 0, y: -50 });
    expect(pan(z, -1000, -1000, 400, 200)).toEqual({ scale: 2, x: -400, y: -200 });
    expect(zoomAt(z, 0.1, 0, 0, 400, 200)).toEqual(NO_ZOOM);
    expect(zoomAt(NO_ZOOM, 100, 0, 0, 400, 200).scale).toBe(8);
    expect(wheelFactor(-100, 0)).toBeGreaterThan(1);
    expect(isZoomed(NO_ZOOM)).toBe(false);
  });
});

describe('synced replay', () => {
  const clock: SyncClock = { cameraAt: T, at: 1_000, rate: 1, paused: false };
  it('runs a shared clock at the chosen speed, holds it while paused', () => {
    expect(clockNow(clock, 3_000)).toBe(T + 2_000);
    const fast = setRate(clock, 4, 3_000);
    expect(clockNow(fast, 4_000)).toBe(T + 6_000);
    const paused = setPaused(fast, true, 4_000);
    expect(clockNow(paused, 60_000)).toBe(T + 6_000);
  });

  it('bends a tile\'s rate for a small drift, seeks a large one, reloads outside what it loaded', () => {
    expect(steer({ cameraTime: T + 50 }, T, clock)).toEqual({ kind: 'rate', rate: 1 });
    const ahead = steer({ cameraTime: T + 600 }, T, clock);
    expect(ahead.kind === 'rate' && ahead.rate).toBeLessThan(1);
    const behind = steer({ cameraTime: T - 600 }, T, clock);
    expect(behind.kind === 'rate' && behind.rate).toBeGreaterThan(1);
    expect(steer({ cameraTime: T - 2_000, loaded: { from: T - 4_000, to: T + 4_000 } }, T, clock)).toEqual({ kind: 'seek', byMs: 2_000 });
    expect(steer({ cameraTime: T - 2_000, loaded: { from: T - 4_000, to: T - 1_000 } }, T, clock)).toEqual({ kind: 'reload', at: T });
    expect(steer({ cameraTime: undefined }, T, clock)).toEqual({ kind: 'wait' });
    expect(rendezvous([T, T + 1_200, T + 800])).toBe(T + 1_200);
    expect(rendezvous([T, undefined])).toBeUndefined();
  });
});

describe('snapshot stamp', () => {
  it('sits in the bottom-right corner, sized by the frame, never wider than it', () => {
    const layout = stampLayout(640, 360, ['Lobby', '29 Nov 2025 14:03:07 UTC'], (text, px) => text.length * px * 0.55);
    expect(layout.px).toBe(12);
    expect(layout.box.x + layout.box.w).toBe(640);
    expect(layout.box.y + layout.box.h).toBe(360);
    expect(layout.box.x).toBeGreaterThan(320);
    const big = stampLayout(1920, 1080, ['Lobby'], (text, px) => text.length * px * 0.55);
    expect(big.px).toBe(36);
    expect(stampLayout(100, 60, ['A very long camera name indeed'], (t, px) => t.length * px).box.w).toBe(100);
    expect(safeName('../Lobby/1')).toBe('_Lobby_1');
  });
});

describe('export words', () => {
  const base = { exportId: 'e1', stream: { accountId: 'a', streamName: 'cam' }, start: T, end: T + 60_000, bytes: 0, part: 0, parts: 1 } as const;
  it('says which part is downloading and how far, and never claims 100 % before the file is saved', () => {
    const going = { ...base, state: 'downloading' as const, bytes: 15_000_000, totalBytes: 30_000_000, part: 2, parts: 3 };
    expect(exportWords(going)).toBe('Downloading part 2 of 3 · 14 MB of ~29 MB');
    expect(exportPercent(going)).toBe(50);
    expect(exportPercent({ ...going, bytes: 40_000_000 })).toBe(99);
    expect(exportPercent({ ...base, state: 'listing' })).toBeUndefined();
    expect(exportPercent({ ...base, state: 'done' })).toBe(100);
    expect(exportWords({ ...base, state: 'done', files: [{ name: 'a.mp4', bytes: 1 }, { name: 'b.mp4', bytes: 1 }] })).toBe('Saved as 2 parts');
    expect(exportWords({ ...base, state: 'downloading', bytes: 1_048_576 })).toBe('Downloading · 1.0 MB');
  });
});

describe('names that fit their bar', () => {
  // A monospace stand-in: 7 px a character.
  const measure = (text: string) => text.length * 7;
  it('keeps the whole name when it fits, else the most of its start and end that fit', () => {
    expect(fitMiddle('Lobby', 100, measure)).toBe('Lobby');
    const fitted = fitMiddle('hq-north-building-entrance-07', 100, measure);
    expect(measure(fitted)).toBeLessThanOrEqual(100);
    expect(measure(middleEllipsis('hq-north-building-entrance-07', fitted.length + 1))).toBeGreaterThan(100);
    expect(fitted).toBe('hq-nort…nce-07');
    expect(fitMiddle('hq-north-building-entrance-07', 3, measure)).toBe('…');
  });
});
