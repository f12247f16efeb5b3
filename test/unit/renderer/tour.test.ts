import { describe, expect, it } from 'vitest';
import { createTourRunner, nextInTour } from '../../../renderer/src/app/tour';
import { FakeClock } from '../kvs/fake-clock';

function rig(start = 'a') {
  const clock = new FakeClock();
  let current: string | undefined = start;
  const shown: Array<[number, string]> = [];
  const t0 = clock.now();
  const tour = createTourRunner({
    show: (id) => {
      current = id;
      shown.push([clock.now() - t0, id]);
    },
    current: () => current,
    timers: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
  });
  return { clock, tour, shown, pick: (id: string) => (current = id) };
}

const PLAN = { wallIds: ['a', 'b', 'c'], intervalMs: 10_000, resumeAfterMs: 30_000 };

describe('tour', () => {
  it('picks the next wall, wrapping, and the first when the current one is not in the tour', () => {
    expect(nextInTour(['a', 'b'], 'a')).toBe('b');
    expect(nextInTour(['a', 'b'], 'b')).toBe('a');
    expect(nextInTour(['a', 'b'], 'x')).toBe('a');
    expect(nextInTour([], 'a')).toBeUndefined();
  });

  it('rotates through its walls every interval', async () => {
    const r = rig();
    r.tour.configure(PLAN);
    await r.clock.advance(35_000);
    expect(r.shown).toEqual([
      [10_000, 'b'],
      [20_000, 'c'],
      [30_000, 'a'],
    ]);
  });

  it('pauses on interaction and carries on after the quiet period, from the wall shown', async () => {
    const r = rig();
    r.tour.configure(PLAN);
    await r.clock.advance(8000);
    r.tour.interaction();
    r.pick('c');
    await r.clock.advance(29_000);
    expect(r.shown).toEqual([]);
    r.tour.interaction();
    await r.clock.advance(30_000);
    expect(r.shown).toEqual([[8000 + 29_000 + 30_000, 'a']]);
  });

  it('holds while a panel is open and resumes when it closes; a tour of fewer than two walls does not run', async () => {
    const r = rig();
    r.tour.configure(PLAN);
    r.tour.hold(true);
    r.tour.interaction();
    await r.clock.advance(60_000);
    expect(r.shown).toEqual([]);
    r.tour.hold(false);
    await r.clock.advance(10_000);
    expect(r.shown).toEqual([[70_000, 'b']]);
    r.tour.configure({ ...PLAN, wallIds: ['a'] });
    expect(r.tour.running).toBe(false);
    r.tour.configure(PLAN);
    r.tour.stop();
    await r.clock.advance(60_000);
    expect(r.shown).toHaveLength(1);
    expect(r.clock.pending()).toBe(0);
  });
});
