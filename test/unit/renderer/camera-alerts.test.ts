import { describe, expect, it } from 'vitest';
import { alertText, createCameraAlerts, type CameraAlert } from '../../../renderer/src/app/camera-alerts';
import { FakeClock } from '../kvs/fake-clock';

function rig() {
  const clock = new FakeClock();
  const t0 = clock.now();
  const alerts: CameraAlert[] = [];
  const watch = createCameraAlerts({
    offlineAfterMs: 30_000,
    onAlert: (a) => alerts.push(a),
    timers: { now: () => clock.now(), setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
  });
  const seen = (entries: Record<string, boolean>) => watch.observe(new Map(Object.entries(entries)));
  return { clock, t0, alerts, watch, seen, brief: () => alerts.map((a) => `${a.kind} ${a.camera} at +${(a.at - t0) / 1000}s since +${(a.since - t0) / 1000}s`) };
}

describe('camera alerts', () => {
  it('says a camera is offline once it has not played for the threshold, and back when it plays', async () => {
    const r = rig();
    r.seen({ gate: true, dock: true });
    await r.clock.advance(5000);
    r.seen({ gate: false, dock: true });
    await r.clock.advance(29_999);
    // Observed again and again while down: still one alert, timed from the first.
    r.seen({ gate: false, dock: true });
    expect(r.alerts).toEqual([]);
    await r.clock.advance(1);
    expect(r.brief()).toEqual(['offline gate at +35s since +5s']);
    await r.clock.advance(60_000);
    r.seen({ gate: false, dock: true });
    r.seen({ gate: true, dock: true });
    r.seen({ gate: true, dock: true });
    expect(r.brief()).toEqual(['offline gate at +35s since +5s', 'back gate at +95s since +5s']);
  });

  it('says nothing for a drop shorter than the threshold', async () => {
    const r = rig();
    r.seen({ gate: false });
    await r.clock.advance(20_000);
    r.seen({ gate: true });
    await r.clock.advance(60_000);
    expect(r.alerts).toEqual([]);
  });

  it('forgets a camera taken off the wall (a tour moved on), without an alert', async () => {
    const r = rig();
    r.seen({ gate: false });
    await r.clock.advance(10_000);
    r.seen({ dock: true });
    await r.clock.advance(60_000);
    expect(r.alerts).toEqual([]);
    r.seen({ gate: false });
    r.watch.stop();
    await r.clock.advance(60_000);
    expect(r.alerts).toEqual([]);
    expect(r.clock.pending()).toBe(0);
  });

  it('words the entries', () => {
    const at = (s: number) => 1_000_000 + s * 1000;
    const time = (ms: number) => `T${(ms - 1_000_000) / 1000}`;
    expect(alertText({ id: 1, kind: 'offline', camera: 'gate', at: at(40), since: at(10) }, time)).toBe('gate is offline (not playing since T10)');
    expect(alertText({ id: 2, kind: 'back', camera: 'gate', at: at(55), since: at(10) }, time)).toBe('gate is back after 45 s');
    expect(alertText({ id: 3, kind: 'back', camera: 'gate', at: at(610), since: at(10) }, time)).toBe('gate is back after 10 min');
  });
});
