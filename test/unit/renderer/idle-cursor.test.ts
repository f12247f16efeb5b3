import { describe, expect, it } from 'vitest';
import { hideCursorWhenIdle } from '../../../renderer/src/app/idle-cursor';
import { FakeClock } from '../kvs/fake-clock';

describe('idle cursor', () => {
  function rig() {
    const clock = new FakeClock();
    const target = new EventTarget();
    const told: boolean[] = [];
    const stop = hideCursorWhenIdle({
      target,
      idleMs: 3000,
      setIdle: (idle) => told.push(idle),
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (h) => clock.clearTimeout(h as never),
    });
    return { clock, target, told, stop };
  }

  it('hides the cursor after the idle time and shows it on the next movement', async () => {
    const r = rig();
    await r.clock.advance(2999);
    expect(r.told).toEqual([]);
    await r.clock.advance(1);
    expect(r.told).toEqual([true]);
    r.target.dispatchEvent(new Event('pointermove'));
    expect(r.told).toEqual([true, false]);
    // Activity keeps it shown; the idle time counts from the last one.
    await r.clock.advance(2000);
    r.target.dispatchEvent(new Event('keydown'));
    await r.clock.advance(2000);
    expect(r.told).toEqual([true, false]);
    await r.clock.advance(1000);
    expect(r.told).toEqual([true, false, true]);
  });

  it('shows the cursor and stops watching when stopped', async () => {
    const r = rig();
    await r.clock.advance(3000);
    r.stop();
    expect(r.told).toEqual([true, false]);
    r.target.dispatchEvent(new Event('pointermove'));
    await r.clock.advance(10_000);
    expect(r.told).toEqual([true, false]);
    expect(r.clock.pending()).toBe(0);
  });
});
