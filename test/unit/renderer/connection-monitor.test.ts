import { describe, expect, it } from 'vitest';
import { startConnectionMonitor, type ConnectionView } from '../../../renderer/src/app/connection-monitor';
import { FakeClock } from '../kvs/fake-clock';

/** A main the test controls: answers pings or not, and drops or restores the socket. */
function rig() {
  const clock = new FakeClock();
  const views: ConnectionView[] = [];
  let answering = true;
  let pings = 0;
  const held: Array<() => void> = [];
  let connectionListener: ((connected: boolean) => void) | undefined;
  const monitor = startConnectionMonitor({
    timers: clock,
    pingEveryMs: 1000,
    unresponsiveAfterMs: 3000,
    onChange: (view) => views.push(view),
    onConnectionChange: (listener) => {
      connectionListener = listener;
      return () => (connectionListener = undefined);
    },
    ping: () => {
      pings++;
      if (answering) return Promise.resolve();
      return new Promise<void>((resolve) => held.push(resolve));
    },
  });
  return {
    clock,
    views,
    monitor,
    get pings() {
      return pings;
    },
    hang: () => (answering = false),
    wake: () => {
      answering = true;
      for (const resolve of held.splice(0)) resolve();
    },
    socket: (connected: boolean) => connectionListener!(connected),
    get subscribed() {
      return connectionListener !== undefined;
    },
  };
}

describe('connection monitor', () => {
  it('stays connected while main answers its pings', async () => {
    const r = rig();
    await r.clock.advance(10_000);
    expect(r.pings).toBeGreaterThanOrEqual(9);
    expect(r.views).toEqual([]);
    expect(r.monitor.view).toEqual({ link: 'connected' });
  });

  it('says main is unresponsive once a ping goes unanswered past the limit, and connected when it answers', async () => {
    const r = rig();
    await r.clock.advance(1000);
    r.hang();
    const hungAt = r.clock.now();
    await r.clock.advance(3500);
    // The ping sent at +1000 ms after the hang had 3000 ms.
    expect(r.views).toEqual([]);
    await r.clock.advance(600);
    expect(r.views).toEqual([{ link: 'unresponsive', since: hungAt + 4000 }]);
    // One ping at a time: a hung main is not flooded.
    const pingsWhileHung = r.pings;
    await r.clock.advance(20_000);
    expect(r.pings).toBe(pingsWhileHung);
    r.wake();
    await r.clock.advance(0);
    expect(r.views.at(-1)).toEqual({ link: 'connected' });
    await r.clock.advance(5000);
    expect(r.pings).toBeGreaterThan(pingsWhileHung);
    expect(r.views).toHaveLength(2);
  });

  it('reports a closed socket at once, keeps its time while retries fail, and clears when it opens', async () => {
    const r = rig();
    await r.clock.advance(2000);
    const closedAt = r.clock.now();
    r.socket(false);
    expect(r.monitor.view).toEqual({ link: 'socket-closed', since: closedAt });
    const pingsWhileClosed = r.pings;
    await r.clock.advance(10_000);
    // Nothing to ask through a closed socket, and no "unresponsive" on top of it.
    expect(r.pings).toBe(pingsWhileClosed);
    expect(r.views).toEqual([{ link: 'socket-closed', since: closedAt }]);
    r.socket(true);
    expect(r.views.at(-1)).toEqual({ link: 'connected' });
    await r.clock.advance(0);
    expect(r.pings).toBe(pingsWhileClosed + 1);
  });

  it('ignores the answer to a ping sent before the socket dropped', async () => {
    const r = rig();
    r.hang();
    await r.clock.advance(1000);
    r.socket(false);
    r.wake();
    await r.clock.advance(0);
    expect(r.monitor.view.link).toBe('socket-closed');
  });

  it('stops pinging and unsubscribes when stopped', async () => {
    const r = rig();
    r.monitor.stop();
    await r.clock.advance(10_000);
    expect(r.pings).toBe(0);
    expect(r.subscribed).toBe(false);
    expect(r.clock.pending()).toBe(0);
  });
});
