import { describe, expect, it } from 'vitest';
import { MachineLoad, readCpuTimes, type CpuTimes } from '../../../main/core/machine-load';

describe('MachineLoad', () => {
  it('answers the busy share against the snapshot closest to two seconds earlier', () => {
    let now = 0;
    let times: CpuTimes = { idle: 0, total: 0 };
    const load = new MachineLoad(() => now, () => times, 2);
    expect(load.sample()).toEqual({ cpu: undefined, spanMs: undefined, cores: 2 });
    now = 1000;
    times = { idle: 1000, total: 2000 }; // 50 % busy over the first second
    expect(load.sample()).toEqual({ cpu: 0.5, spanMs: 1000, cores: 2 });
    now = 2000;
    times = { idle: 1200, total: 4000 }; // the second second: 90 % busy
    // Against t=0 (2 s back): 1 − 1200/4000.
    expect(load.sample().cpu).toBeCloseTo(0.7, 5);
    now = 2100;
    times = { idle: 1210, total: 4200 };
    // Against t=0 still (2.1 s) rather than t=1000 (1.1 s) or t=2000 (too recent).
    expect(load.sample()).toMatchObject({ spanMs: 2100 });
  });

  it('forgets snapshots after ten seconds, and says nothing over a span too short to mean anything', () => {
    let now = 0;
    let times: CpuTimes = { idle: 0, total: 0 };
    const load = new MachineLoad(() => now, () => times, 4);
    load.sample();
    now = 20_000;
    times = { idle: 10, total: 100 };
    expect(load.sample().cpu).toBeUndefined();
    now = 20_100;
    expect(load.sample().cpu).toBeUndefined();
  });

  it('reads this machine', () => {
    const t = readCpuTimes();
    expect(t.total).toBeGreaterThan(t.idle);
    expect(t.idle).toBeGreaterThan(0);
  });
});
