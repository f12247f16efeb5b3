import { describe, expect, it } from 'vitest';
import { createCameraCountReport, type CameraCounts } from '../../../renderer/src/app/camera-count-report';
import { FakeClock } from '../kvs/fake-clock';

function rig(answer: () => Promise<boolean> = async () => true) {
  const clock = new FakeClock();
  const t0 = clock.now();
  const sent: string[] = [];
  const report = createCameraCountReport({
    intervalMs: 2000,
    send: (c: CameraCounts) => {
      sent.push(`${c.live}/${c.total} at +${clock.now() - t0}`);
      return answer();
    },
    timers: { now: () => clock.now(), setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
  });
  const seen = (entries: Record<string, boolean>) => report.observe(new Map(Object.entries(entries)));
  return { clock, sent, report, seen };
}

describe('camera count report', () => {
  it('reports the wall’s cameras at once, then only when the numbers change', async () => {
    const r = rig();
    r.seen({ gate: true, dock: false });
    r.seen({ gate: true, dock: false });
    await r.clock.advance(5000);
    r.seen({ gate: true, dock: false });
    expect(r.sent).toEqual(['1/2 at +0']);
    r.seen({ gate: true, dock: true });
    expect(r.sent).toEqual(['1/2 at +0', '2/2 at +5000']);
  });

  it('sends at most once per interval, and the latest numbers in the end', async () => {
    const r = rig();
    r.seen({ gate: true, dock: true });
    r.seen({ gate: false, dock: true });
    r.seen({ gate: true, dock: false });
    r.seen({ gate: false, dock: false });
    await r.clock.advance(1999);
    expect(r.sent).toEqual(['2/2 at +0']);
    await r.clock.advance(1);
    expect(r.sent).toEqual(['2/2 at +0', '0/2 at +2000']);
    // Flickered back to what was sent last before the interval ran out: nothing more to say.
    r.seen({ gate: true, dock: false });
    r.seen({ gate: false, dock: false });
    await r.clock.advance(10_000);
    expect(r.sent).toHaveLength(2);
    expect(r.clock.pending()).toBe(0);
  });

  it('sends again when main did not count it (not attached, or unreachable)', async () => {
    const answers: Array<() => Promise<boolean>> = [async () => false, () => Promise.reject(new Error('closed'))];
    const r = rig(() => (answers.shift() ?? (async () => true))());
    r.seen({ gate: true });
    await r.clock.advance(2000);
    await r.clock.advance(2000);
    await r.clock.advance(10_000);
    expect(r.sent).toEqual(['1/1 at +0', '1/1 at +2000', '1/1 at +4000']);
  });

  it('counts a wall of the most cameras, and sends nothing after it stops', async () => {
    const r = rig();
    r.seen(Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`cam-${i}`, i < 66])));
    expect(r.sent).toEqual(['64/64 at +0']);
    r.seen({ gate: true });
    r.report.stop();
    await r.clock.advance(10_000);
    expect(r.sent).toHaveLength(1);
    expect(r.clock.pending()).toBe(0);
  });
});
