import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignTiers, initialBudget, judge, nextBudget, type MachineWindow, type TileDemand } from '../../../renderer/src/player/budget/tier-decision';

/**
 * Measurement windows the page's decode budget recorded on a real 64-tile wall (`npm run bench -- wall
 * --tiles 64 --record …`, the adaptive run: this 2-core machine, shared and busy), replayed through the
 * decision. Each entry is the page's snapshot after a window: the window measured, and the capacity the
 * page then had.
 */
interface RecordedSnapshot {
  capacity: number;
  reason: string;
  full: number;
  keyFrames: number;
  window?: MachineWindow & { decodeP95Ms: number };
}

const recorded = (JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'decode-budget-8x8.json'), 'utf8')) as { adaptive: RecordedSnapshot[] }).adaptive;
/** One entry per window (a snapshot is also published when tiles change between windows). */
const windows = recorded.flatMap((s, i) => (s.window && s.window.atMs !== recorded[i - 1]?.window?.atMs ? [s.window] : []));
const settings = { cpuCeiling: 0.8 };

function wall(selected?: number): TileDemand[] {
  return Array.from({ length: 64 }, (_, i) => ({ id: `t${i}`, area: 200 * 112, selected: i === selected, maximised: false, pinned: false, visible: true, canFull: true, canKeyFrames: true, position: i + 1 }));
}

describe('the tier decision on a recorded 64-tile wall', () => {
  it('is a real recording: windows from a 64-tile wall, each with its measurements', () => {
    expect(windows.length).toBeGreaterThanOrEqual(20);
    for (const w of windows) {
      expect(w.droppedRatio).toBeGreaterThanOrEqual(0);
      expect(w.lagP95Ms).toBeGreaterThanOrEqual(0);
      expect(w.fullTiles).toBeLessThanOrEqual(64);
    }
  });

  it('sheds while the windows say overloaded, never grows through them, and keeps every tile at a tier', () => {
    let state = initialBudget(2, windows[0]!.atMs - 2000);
    const start = state.capacity;
    let shrinks = 0;
    for (const w of windows) {
      const before = state.capacity;
      const verdict = judge(w, settings).verdict;
      state = nextBudget(state, w, settings, 64, 0);
      if (verdict === 'overloaded') expect(state.capacity).toBeLessThanOrEqual(before);
      if (verdict !== 'healthy') expect(state.capacity).toBeLessThanOrEqual(before);
      if (state.capacity < before) shrinks += 1;
      const tiers = assignTiers(wall(), state.capacity);
      expect(tiers.size).toBe(64);
      expect([...tiers.values()].filter((t) => t === 'full')).toHaveLength(Math.min(64, state.capacity));
    }
    const overloaded = windows.filter((w) => judge(w, settings).verdict === 'overloaded').length;
    // The recording is of a starved machine (CPU at 100%, the main thread seconds late): most windows
    // overloaded, so the decision sheds, down to no full-rate slot when nothing is selected.
    expect(overloaded).toBeGreaterThan(windows.length / 2);
    expect(shrinks).toBeGreaterThan(0);
    expect(state.capacity).toBeLessThan(start);
    expect(state.capacity).toBe(0);
  });

  it('gives the selected tile the one slot an overloaded machine keeps', () => {
    let state = initialBudget(2, windows[0]!.atMs - 2000);
    for (const w of windows) state = nextBudget(state, w, settings, 64, 1);
    expect(state.capacity).toBeGreaterThanOrEqual(1);
    const tiers = assignTiers(wall(37), state.capacity);
    expect(tiers.get('t37')).toBe('full');
  });
});
