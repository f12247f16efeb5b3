import { describe, expect, it } from 'vitest';
import { createRendererRecovery } from '../../../main/app/policy/renderer-recovery';
import { FakeClock } from '../kvs/fake-clock';

function rig() {
  const clock = new FakeClock();
  const reloads: number[] = [];
  const logs: string[] = [];
  const recovery = createRendererRecovery({
    clock,
    reload: () => reloads.push(clock.now()),
    log: (message, fields) => logs.push(`${message} ${JSON.stringify(fields)}`),
    unresponsiveGraceMs: 10_000,
    reloadDelaysMs: [0, 1000, 5000],
    stableAfterMs: 60_000,
  });
  return { clock, reloads, logs, recovery, start: clock.now() };
}

describe('renderer recovery', () => {
  it('reloads at once after a crash, and says why', async () => {
    const r = rig();
    r.recovery.processGone('crashed');
    await r.clock.advance(0);
    expect(r.reloads).toEqual([r.start]);
    expect(r.logs[0]).toMatch(/reloading the window .*"why":"renderer crashed"/);
  });

  it('does nothing for a clean exit (the window closed)', async () => {
    const r = rig();
    r.recovery.processGone('clean-exit');
    await r.clock.advance(60_000);
    expect(r.reloads).toEqual([]);
  });

  it('reloads a page that crashes at every load ever more slowly, and forgets the run once a load stays up', async () => {
    const r = rig();
    for (let i = 0; i < 4; i++) {
      r.recovery.processGone('oom');
      await r.clock.advance(10_000);
      r.recovery.loaded();
    }
    expect(r.reloads.map((t) => t - r.start)).toEqual([0, 10_000 + 1000, 20_000 + 5000, 30_000 + 5000]);
    // Up for a minute: the next crash is a new run, reloaded at once.
    await r.clock.advance(60_000);
    expect(r.recovery.crashesInRun).toBe(0);
    const at = r.clock.now();
    r.recovery.processGone('crashed');
    await r.clock.advance(0);
    expect(r.reloads.at(-1)).toBe(at);
  });

  it('reloads a renderer that stays unresponsive past the grace period, not one that recovers', async () => {
    const r = rig();
    r.recovery.unresponsive();
    await r.clock.advance(9000);
    r.recovery.responsive();
    await r.clock.advance(20_000);
    expect(r.reloads).toEqual([]);
    r.recovery.unresponsive();
    // Electron repeats the event while the page hangs: the grace period is not restarted.
    await r.clock.advance(5000);
    r.recovery.unresponsive();
    await r.clock.advance(5000);
    expect(r.reloads.map((t) => t - r.start)).toEqual([29_000 + 10_000]);
  });

  it('reloads once for a crash that follows a hang, and never after dispose', async () => {
    const r = rig();
    r.recovery.unresponsive();
    r.recovery.processGone('killed');
    await r.clock.advance(30_000);
    expect(r.reloads).toHaveLength(1);
    r.recovery.processGone('crashed');
    r.recovery.dispose();
    await r.clock.advance(30_000);
    expect(r.reloads).toHaveLength(1);
    expect(r.clock.pending()).toBe(0);
  });
});
