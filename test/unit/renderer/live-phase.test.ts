import { describe, expect, it } from 'vitest';
import { FALLBACK_POLL_SEC, LivePhase, PRESENTATION_DELAY_SEC, START_BEHIND_NEWEST_SEC, withUpdatePeriod, type LiveEdge } from '../../../renderer/src/player/live-phase';

/** A live edge whose newest 2 s fragment ends at presentation time `endSec`, captured until `captureEndMs`. */
function edge(endSec: number, captureEndMs: number): LiveEdge {
  return { newestEndSec: endSec, newestEndCaptureMs: captureEndMs, fragmentSec: 2, oldestStartSec: endSec - 10 };
}

describe('LivePhase polls', () => {
  it('times the next poll just after the next fragment is due (capture end + one fragment + ingest lag)', () => {
    const phase = new LivePhase();
    const captureEnd = 100_000;
    // The request went out 300 ms after the newest fragment's capture ended.
    const wait = phase.nextPollSec(edge(600, captureEnd), captureEnd + 300, captureEnd + 320);
    expect(wait).toBeCloseTo((2000 + 450 - 300) / 1000, 3);
  });

  it('learns a larger ingest lag when a timed poll finds nothing new, re-polls once soon, then falls back', () => {
    const phase = new LivePhase();
    const t = 100_000;
    phase.nextPollSec(edge(600, t), t + 300, t + 320);
    const retry = phase.nextPollSec(edge(600, t), t + 2450, t + 2470);
    expect(retry).toBeLessThan(1);
    expect(phase.nextPollSec(edge(600, t), t + 2800, t + 2820)).toBe(FALLBACK_POLL_SEC);
    // When the fragment finally shows up, the next poll is timed with the learnt (larger) lag.
    const next = phase.nextPollSec(edge(602, t + 2000), t + 3000, t + 3020);
    expect(next).toBeCloseTo((t + 2000 + 2000 + 450 + 200 - (t + 3000)) / 1000, 3);
  });

  it('lowers a learnt lag again, slowly and never below the first guess, while timed polls find their fragment', () => {
    const phase = new LivePhase();
    let t = 100_000;
    let end = 600;
    const lagOf = (): number => {
      // The wait the phase asks for after a fragment captured until t, the request going out at t + 300.
      const wait = phase.nextPollSec(edge(end, t), t + 300, t + 320);
      return wait * 1000 - 2000 + 300;
    };
    expect(lagOf()).toBeCloseTo(450, 3);
    // A slow stretch: five timed polls in a row come too early (each then found on the retry).
    for (let i = 0; i < 5; i += 1) {
      phase.nextPollSec(edge(end, t), t + 2400, t + 2420);
      t += 2000;
      end += 2;
      phase.nextPollSec(edge(end, t), t + 700, t + 720);
    }
    t += 2000;
    end += 2;
    // 450 + 5 × 100, less 10 for this poll, on time.
    expect(lagOf()).toBeCloseTo(940, 3);
    // Then every timed poll finds its fragment: 10 ms less each time, down to 450 ms and no lower.
    const lags: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      t += 2000;
      end += 2;
      lags.push(lagOf());
    }
    expect(lags[0]).toBeCloseTo(930, 3);
    expect(lags[9]).toBeCloseTo(840, 3);
    expect(lags[lags.length - 1]).toBeCloseTo(450, 3);
  });

  it('falls back to the plain period without timestamps or with disagreeing clocks', () => {
    const phase = new LivePhase();
    expect(phase.nextPollSec(undefined, 0, 0)).toBe(FALLBACK_POLL_SEC);
    // Capture end an hour in the future of the request: the clocks disagree.
    expect(phase.nextPollSec(edge(600, 3_600_000), 0, 10)).toBe(FALLBACK_POLL_SEC);
  });
});

describe('LivePhase start', () => {
  it('starts behind "now" by one fragment + ingest lag + starving threshold + safety, never closer than allowed', () => {
    const phase = new LivePhase();
    const captureEnd = 100_000;
    const start = phase.startSec(edge(600, captureEnd), captureEnd + 100);
    // now = 600.1 s; behind = 2 + 0.45 + 0.5 + 0.2 = 3.15 s → 596.95, and no closer than 2 s behind the newest.
    expect(start).toBeCloseTo(596.95, 2);
    expect(start).toBeLessThanOrEqual(600 - START_BEHIND_NEWEST_SEC);
  });

  it('keeps the old 3 s margin when the camera clock is ahead of ours or the edge is stale', () => {
    const phase = new LivePhase();
    expect(phase.startSec(edge(600, 100_000), 99_000)).toBe(597);
    expect(phase.startSec(edge(600, 100_000), 110_000)).toBe(597);
  });
});

describe('LivePhase target', () => {
  it('stays the same distance behind "now" at every phase of the fragment cycle, unlike a start', () => {
    const phase = new LivePhase();
    const captureEnd = 100_000;
    const behind: number[] = [];
    const startBehind: number[] = [];
    // From just after the newest fragment is listed until just before the next one is due.
    for (let since = 450; since <= 2450; since += 250) {
      const nowSec = 600 + since / 1000;
      behind.push(nowSec - phase.targetSec(edge(600, captureEnd), captureEnd + since));
      startBehind.push(nowSec - phase.startSec(edge(600, captureEnd), captureEnd + since));
    }
    for (const b of behind) expect(b).toBeCloseTo(3.15, 3);
    // A start waits for the newest fragment's key frame: up to one fragment + lag later than the target.
    expect(Math.max(...startBehind)).toBeCloseTo(START_BEHIND_NEWEST_SEC + 2.45, 3);
    expect(Math.min(...startBehind)).toBeCloseTo(3.15, 3);
  });

  it('moves back with a late fragment instead of running the picture into the end of the buffer', () => {
    const phase = new LivePhase();
    const captureEnd = 100_000;
    // 3 s since the newest fragment's capture ended: the next one is late.
    expect(phase.targetSec(edge(600, captureEnd), captureEnd + 3000)).toBeCloseTo(600 - 0.7, 3);
  });

  it('is within reach of Shaka’s seek range whatever the phase its first manifest locked', () => {
    // Shaka locks its live edge from the first manifest: at worst one fragment + ingest lag behind now,
    // and its seek range (which the browser clamps seeks to) ends one presentation delay behind that.
    const phase = new LivePhase();
    const captureEnd = 100_000;
    const seekEndBehindNow = (2000 + 450) / 1000 + PRESENTATION_DELAY_SEC;
    for (let since = 450; since <= 2450; since += 250) {
      const nowSec = 600 + since / 1000;
      expect(nowSec - phase.targetSec(edge(600, captureEnd), captureEnd + since)).toBeGreaterThanOrEqual(seekEndBehindNow);
    }
  });
});

describe('withUpdatePeriod', () => {
  it('rewrites only the MPD element’s minimumUpdatePeriod', () => {
    const mpd = '<MPD type="dynamic" minimumUpdatePeriod="PT1S" xmlns="urn:mpeg:dash:schema:mpd:2011"><Period id="0"/></MPD>';
    expect(withUpdatePeriod(mpd, 1.23456)).toBe('<MPD type="dynamic" minimumUpdatePeriod="PT1.235S" xmlns="urn:mpeg:dash:schema:mpd:2011"><Period id="0"/></MPD>');
    expect(withUpdatePeriod('<MPD type="static"/>', 2)).toBe('<MPD type="static"/>');
  });
});
