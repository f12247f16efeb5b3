import { describe, expect, it } from 'vitest';
import { afterDeparture, assignTiers, demandOf, initialBudget, judge, nextBudget, type BudgetState, type MachineWindow, type TileDemand } from '../../../renderer/src/player/budget/tier-decision';

const settings = { cpuCeiling: 0.8 };

function tile(position: number, extra: Partial<TileDemand> = {}): TileDemand {
  return { id: `t${position}`, area: 100, selected: false, maximised: false, pinned: false, visible: true, canFull: true, canKeyFrames: true, position, ...extra };
}

function window(atMs: number, extra: Partial<MachineWindow> = {}): MachineWindow {
  return { atMs, cpu: 0.4, droppedRatio: 0, lagP95Ms: 5, tilesBehind: 0, fullTiles: 8, ...extra };
}

describe('assignTiers', () => {
  it('gives full rate to pinned, maximised, selected, then the largest tiles, then reading order', () => {
    const tiles = [tile(0), tile(1), tile(2, { area: 400 }), tile(3, { selected: true }), tile(4, { pinned: true }), tile(5), tile(6, { maximised: true })];
    const tiers = assignTiers(tiles, 4);
    expect([...tiers].filter(([, t]) => t === 'full').map(([id]) => id).sort()).toEqual(['t2', 't3', 't4', 't6']);
    expect(tiers.get('t0')).toBe('key-frames');
  });

  it('keeps a pinned tile at full rate beyond the capacity, and leaves hidden tiles out', () => {
    const tiers = assignTiers([tile(0, { pinned: true }), tile(1, { pinned: true }), tile(2), tile(3, { visible: false })], 1);
    expect(Object.fromEntries(tiers)).toEqual({ t0: 'full', t1: 'full', t2: 'key-frames' });
  });

  it('gives a tile the only tier it can play, slot or no slot', () => {
    const tiers = assignTiers([tile(0, { canKeyFrames: false }), tile(1, { canFull: false }), tile(2)], 0);
    expect(Object.fromEntries(tiers)).toEqual({ t0: 'full', t1: 'key-frames', t2: 'key-frames' });
  });

  it('counts the demand: visible tiles that can play at full rate, and the pinned ones', () => {
    expect(demandOf([tile(0, { pinned: true }), tile(1), tile(2, { visible: false }), tile(3, { canFull: false })])).toEqual({ wanting: 2, fewest: 1 });
    // A selected or maximised tile keeps one slot besides the pinned ones; nothing watched closely, none.
    expect(demandOf([tile(0, { pinned: true }), tile(1, { selected: true }), tile(2, { maximised: true })])).toEqual({ wanting: 3, fewest: 2 });
    expect(demandOf([tile(0), tile(1)])).toEqual({ wanting: 2, fewest: 0 });
  });

  it('charges a software-decoded tile its slots: beyond them it plays key frames, and cheaper tiles get the rest', () => {
    // Two H.265 tiles decoded in software (4 slots each) first in reading order, then H.264 tiles.
    const tiles = [tile(0, { slots: 4 }), tile(1, { slots: 4 }), tile(2), tile(3)];
    expect(Object.fromEntries(assignTiers(tiles, 6))).toEqual({ t0: 'full', t1: 'key-frames', t2: 'full', t3: 'full' });
    expect(Object.fromEntries(assignTiers(tiles, 8))).toEqual({ t0: 'full', t1: 'full', t2: 'key-frames', t3: 'key-frames' });
    expect(Object.fromEntries(assignTiers(tiles, 3))).toEqual({ t0: 'key-frames', t1: 'key-frames', t2: 'full', t3: 'full' });
    // A pinned one plays every frame whatever it costs; the demand counts slots.
    expect(assignTiers([tile(0, { slots: 4, pinned: true })], 1).get('t0')).toBe('full');
    expect(demandOf([...tiles, tile(4, { slots: 4, pinned: true })])).toEqual({ wanting: 14, fewest: 4 });
  });
});

describe('judge', () => {
  it('names the first reason a window is overloaded', () => {
    expect(judge(window(0, { cpu: 0.93 }), settings)).toEqual({ verdict: 'overloaded', reason: 'CPU 93% over the 80% ceiling' });
    expect(judge(window(0, { droppedRatio: 0.2 }), settings).reason).toBe('20% of frames dropped');
    expect(judge(window(0, { lagP95Ms: 400 }), settings).reason).toBe('main thread 400 ms late');
    expect(judge(window(0, { tilesBehind: 3 }), settings).reason).toBe('3 full-rate tiles falling behind');
    // One tile behind is more likely its camera or network: not the machine.
    expect(judge(window(0, { tilesBehind: 1 }), settings).verdict).toBe('neutral');
    // …unless it is the only full-rate tile.
    expect(judge(window(0, { tilesBehind: 1, fullTiles: 1 }), settings)).toEqual({ verdict: 'overloaded', reason: '1 full-rate tile falling behind' });
    expect(judge(window(0, { cpu: 0.75 }), settings).verdict).toBe('neutral');
    expect(judge(window(0, { cpu: undefined }), settings).verdict).toBe('healthy');
  });
});

/** A settled budget of `capacity` slots on a 2-core machine. */
const start = (capacity: number): BudgetState => ({ ...initialBudget(2, 0), capacity, settleUntilMs: 0 });

describe('nextBudget', () => {
  it('starts with a few slots per core and does not judge while a change settles', () => {
    const s = initialBudget(2, 1000);
    expect(s.capacity).toBe(16);
    expect(nextBudget(s, window(3000, { cpu: 1 }), settings, 64, 0)).toMatchObject({ capacity: 16, overloadedWindows: 0 });
  });

  it('sheds a quarter of the slots in use after two overloaded windows, then holds growth for 30 s', () => {
    let s = start(16);
    s = nextBudget(s, window(2000, { cpu: 0.95, fullTiles: 16 }), settings, 64, 0);
    expect(s.capacity).toBe(16);
    s = nextBudget(s, window(4000, { cpu: 0.95, fullTiles: 16 }), settings, 64, 0);
    expect(s).toMatchObject({ capacity: 12, reason: 'CPU 95% over the 80% ceiling', settleUntilMs: 9000, growAfterMs: 34_000 });
    for (let at = 10_000; at < 34_000; at += 2000) s = nextBudget(s, window(at, { cpu: 0.3, fullTiles: 12 }), settings, 64, 0);
    expect(s.capacity).toBe(12);
  });

  it('sheds at least one slot, down to none, never below the fewest it is given', () => {
    let s = start(2);
    for (const at of [2000, 4000]) s = nextBudget(s, window(at, { cpu: 0.99, fullTiles: 2 }), settings, 64, 0);
    expect(s.capacity).toBe(1);
    s = { ...s, settleUntilMs: 0 };
    for (const at of [6000, 8000]) s = nextBudget(s, window(at, { cpu: 0.99, fullTiles: 1 }), settings, 64, 1);
    expect(s.capacity).toBe(1);
    // Nothing selected, maximised or pinned: a machine that can't keep one tile at full rate gets none…
    for (const at of [10_000, 12_000]) s = nextBudget(s, window(at, { cpu: 0.99, fullTiles: 1 }), settings, 64, 0);
    expect(s.capacity).toBe(0);
    // …and grows again from none once it is comfortable.
    s = { ...s, settleUntilMs: 0, growAfterMs: 0 };
    for (const at of [20_000, 22_000, 24_000]) s = nextBudget(s, window(at, { cpu: 0.3, fullTiles: 0 }), settings, 64, 0);
    expect(s.capacity).toBe(4);
    let p = start(4);
    for (const at of [2000, 4000]) p = nextBudget(p, window(at, { cpu: 0.99, fullTiles: 4 }), settings, 64, 3);
    expect(p.capacity).toBe(3);
  });

  it('sheds from the slots in use, not from idle ones', () => {
    let s = start(20);
    for (const at of [2000, 4000]) s = nextBudget(s, window(at, { droppedRatio: 0.3, fullTiles: 8 }), settings, 8, 0);
    expect(s.capacity).toBe(6);
  });

  it('grows after three comfortable windows, only while tiles wait for a slot and the slots are used', () => {
    let s = start(8);
    for (const at of [2000, 4000]) s = nextBudget(s, window(at, { cpu: 0.62 }), settings, 64, 0);
    expect(s.capacity).toBe(8);
    // Just under the growth margin (80% − 12%): headroom for less than a slot still grows one.
    s = nextBudget(s, window(6000, { cpu: 0.62 }), settings, 64, 0);
    expect(s.capacity).toBe(9);
    // The new slot hasn't been taken up yet (fullTiles 8 of 9): no more growth.
    s = { ...s, settleUntilMs: 0 };
    for (const at of [8000, 10_000, 12_000, 14_000]) s = nextBudget(s, window(at, { fullTiles: 8 }), settings, 64, 0);
    expect(s.capacity).toBe(9);
    // Nothing waits for a slot: no growth either.
    let small = start(4);
    for (const at of [2000, 4000, 6000, 8000]) small = nextBudget(small, window(at, { fullTiles: 4 }), settings, 4, 0);
    expect(small.capacity).toBe(4);
  });

  it('grows by what the headroom pays for at a slot’s expected cost, a few slots at most, never past the demand', () => {
    // 2 cores: a slot is expected to cost 1/16 of the machine. CPU 55%: (68% − 55%) pays for 2 slots.
    let s = start(8);
    for (const at of [2000, 4000, 6000]) s = nextBudget(s, window(at, { cpu: 0.55 }), settings, 64, 0);
    expect(s.capacity).toBe(10);
    // CPU 10%: headroom for 9 slots, but at most 4 a step…
    let idle = start(8);
    for (const at of [2000, 4000, 6000]) idle = nextBudget(idle, window(at, { cpu: 0.1 }), settings, 64, 0);
    expect(idle.capacity).toBe(12);
    // …and never more than the tiles could use.
    let few = start(8);
    for (const at of [2000, 4000, 6000]) few = nextBudget(few, window(at, { cpu: 0.1 }), settings, 10, 0);
    expect(few.capacity).toBe(10);
  });
});

describe('afterDeparture', () => {
  it('gives the tiles left a slot for every five key-frames tiles that leave, at once, and settles', () => {
    let s = start(1);
    for (let i = 0; i < 4; i += 1) s = afterDeparture(s, 'key-frames', 9, 1000);
    expect(s.capacity).toBe(1);
    s = afterDeparture(s, 'key-frames', 9, 1000);
    expect(s).toMatchObject({ capacity: 2, reason: 'tiles left the wall', settleUntilMs: 6000 });
    // An 8×8 wall shrunk to 3×3: 55 tiles go, and the 9 left can all play at full rate.
    for (let i = 0; i < 50; i += 1) s = afterDeparture(s, 'key-frames', 9, 1000);
    expect(s.capacity).toBe(9);
    expect(assignTiers(Array.from({ length: 9 }, (_, i) => tile(i)), s.capacity).size).toBe(9);
    expect([...assignTiers(Array.from({ length: 9 }, (_, i) => tile(i)), s.capacity).values()].every((t) => t === 'full')).toBe(true);
  });

  it('frees nothing for a departed full-rate tile (its own slot is free already)', () => {
    const s = start(3);
    for (let i = 0; i < 10; i += 1) expect(afterDeparture(s, 'full', 9, 1000)).toBe(s);
  });

  it('is judged by the windows after it: an overloaded machine sheds what departures gave', () => {
    let s = start(2);
    for (let i = 0; i < 30; i += 1) s = afterDeparture(s, 'key-frames', 9, 0);
    expect(s.capacity).toBe(8);
    for (const at of [6000, 8000]) s = nextBudget(s, window(at, { cpu: 0.97, fullTiles: 8 }), settings, 9, 0);
    expect(s.capacity).toBe(6);
  });
});

describe('nextBudget near the limit', () => {
  it('neither grows nor shrinks near the limit', () => {
    let s = start(10);
    for (let at = 2000; at < 40_000; at += 2000) s = nextBudget(s, window(at, { cpu: 0.74, fullTiles: 10 }), settings, 64, 0);
    expect(s.capacity).toBe(10);
  });

  it('follows the CPU ceiling it is given', () => {
    let s = start(10);
    for (const at of [2000, 4000]) s = nextBudget(s, window(at, { cpu: 0.55, fullTiles: 10 }), { cpuCeiling: 0.5 }, 64, 0);
    expect(s.capacity).toBe(7);
  });
});
