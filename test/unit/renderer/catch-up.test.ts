import { describe, expect, it } from 'vitest';
import { CATCH_UP_RATE, CatchUp, JUMP_COOLDOWN_MS } from '../../../renderer/src/player/catch-up';

describe('CatchUp', () => {
  it('does nothing within the normal jitter around the target', () => {
    const c = new CatchUp();
    for (const behind of [0, 0.2, 0.35, -0.4, 0.4]) expect(c.decide({ currentSec: 100 - behind, targetSec: 100, bufferedEndSec: 103, rate: 1, nowMs: 0 })).toEqual({ kind: 'none' });
  });

  it('jumps to the target once the buffer holds it, after two checks behind', () => {
    const c = new CatchUp();
    const behind = { currentSec: 95, targetSec: 100, bufferedEndSec: 102, rate: 1, nowMs: 0 };
    expect(c.decide(behind)).toEqual({ kind: 'none' });
    expect(c.decide(behind)).toEqual({ kind: 'seek', toSec: 100 });
    // A single check behind after that is not yet a trend.
    expect(c.decide(behind)).toEqual({ kind: 'none' });
  });

  it('plays slightly fast when a jump would outrun the buffer, and back to 1× once within a tenth of a second', () => {
    const c = new CatchUp();
    const thin = { currentSec: 99, targetSec: 100, bufferedEndSec: 100.3, rate: 1, nowMs: 0 };
    c.decide(thin);
    expect(c.decide(thin)).toEqual({ kind: 'rate', rate: CATCH_UP_RATE });
    expect(c.decide({ ...thin, rate: CATCH_UP_RATE, nowMs: 0 })).toEqual({ kind: 'none' });
    // Still a little behind while catching up: keep going.
    expect(c.decide({ currentSec: 99.5, targetSec: 100, bufferedEndSec: 101, rate: CATCH_UP_RATE, nowMs: 0 })).toEqual({ kind: 'none' });
    expect(c.decide({ currentSec: 99.8, targetSec: 100, bufferedEndSec: 101, rate: CATCH_UP_RATE, nowMs: 0 })).toEqual({ kind: 'none' });
    expect(c.decide({ currentSec: 99.92, targetSec: 100, bufferedEndSec: 101, rate: CATCH_UP_RATE, nowMs: 0 })).toEqual({ kind: 'rate', rate: 1 });
  });

  it('small lags with a short buffer are caught up by rate, not by a jump', () => {
    const c = new CatchUp();
    const small = { currentSec: 99.1, targetSec: 100, bufferedEndSec: 104, rate: 1, nowMs: 0 };
    c.decide(small);
    expect(c.decide(small)).toEqual({ kind: 'rate', rate: CATCH_UP_RATE });
  });

  it('jumps when far behind (a wake from sleep) even before the buffer holds the target', () => {
    const c = new CatchUp();
    const asleep = { currentSec: 40, targetSec: 100, bufferedEndSec: 41, rate: 1, nowMs: 0 };
    c.decide(asleep);
    expect(c.decide(asleep)).toEqual({ kind: 'seek', toSec: 100 });
  });

  it('ignores an unknown target', () => {
    const c = new CatchUp();
    expect(c.decide({ currentSec: 1, targetSec: NaN, bufferedEndSec: 2, rate: 1, nowMs: 0 })).toEqual({ kind: 'none' });
  });

  it('jumps to the key frame at or before the target, only when that is still a worthwhile jump', () => {
    const c = new CatchUp();
    const behind = { currentSec: 94, targetSec: 100, bufferedEndSec: 102, rate: 1, keyFrameSec: 98, nowMs: 0 };
    c.decide(behind);
    expect(c.decide(behind)).toEqual({ kind: 'seek', toSec: 98 });
    // The key frame before the target is hardly ahead of the picture: play fast instead of a pointless jump.
    const near = new CatchUp();
    const close = { currentSec: 97.5, targetSec: 100, bufferedEndSec: 102, rate: 1, keyFrameSec: 98, nowMs: 0 };
    near.decide(close);
    expect(near.decide(close)).toEqual({ kind: 'rate', rate: CATCH_UP_RATE });
  });

  it('jumps at most once every 10 s, playing fast in between, unless far behind', () => {
    const c = new CatchUp();
    const behind = (nowMs: number, rate = 1) => ({ currentSec: 95, targetSec: 100, bufferedEndSec: 102, rate, nowMs });
    c.decide(behind(0));
    expect(c.decide(behind(1000))).toEqual({ kind: 'seek', toSec: 100 });
    // Still behind (a machine that can't keep up): no second jump yet.
    c.decide(behind(2000));
    expect(c.decide(behind(3000))).toEqual({ kind: 'rate', rate: CATCH_UP_RATE });
    expect(c.decide(behind(1000 + JUMP_COOLDOWN_MS - 1, CATCH_UP_RATE))).toEqual({ kind: 'none' });
    expect(c.decide(behind(1000 + JUMP_COOLDOWN_MS, CATCH_UP_RATE))).toEqual({ kind: 'seek', toSec: 100 });
    // Far behind (a wake from sleep) jumps whatever the cooldown says.
    c.decide({ currentSec: 40, targetSec: 100, bufferedEndSec: 41, rate: 1, nowMs: 1000 + JUMP_COOLDOWN_MS + 1 });
    expect(c.decide({ currentSec: 40, targetSec: 100, bufferedEndSec: 41, rate: 1, nowMs: 1000 + JUMP_COOLDOWN_MS + 2 })).toEqual({ kind: 'seek', toSec: 100 });
  });
});
