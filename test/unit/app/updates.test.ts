import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../../main/core/clock';
import { createLogger } from '../../../main/core/logger';
import { resolveUpdateFeed, startUpdates, type UpdaterLike } from '../../../main/app/policy/updates';

/** A clock whose timers run when the test says so. */
function manualClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn, id: nextId++ };
      timers.push(t);
      return { id: t.id };
    },
    clearTimeout: (h) => {
      const i = timers.findIndex((t) => t.id === (h as { id: number }).id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
    await new Promise((r) => setImmediate(r));
  };
  return { clock, advance, pending: () => timers.length };
}

function logs() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ write: (l) => lines.push(l) }, 'main') };
}

describe('update feed', () => {
  it.each([
    [undefined, /no update feed configured \(KVS_WALL_UPDATE_FEED is not set\)/],
    ['   ', /no update feed configured/],
    ['updates.example.com/kvs', /is not a URL/],
    ['http://updates.example.com/kvs/', /must be an https:\/\/ URL \(plain http only on 127\.0\.0\.1\), not http:\/\//],
    ['file:///srv/updates/', /must be an https:\/\/ URL/],
    ['https://user:pw@updates.example.com/kvs/', /must not carry a user name or password/],
    ['https://updates.example.com/kvs/?token=abc', /without \?query or #fragment/],
    [`https://updates.example.com/${'a'.repeat(2100)}`, /longer than 2048 characters/],
  ])('%s → off: %s', (raw, reason) => {
    const decision = resolveUpdateFeed(raw);
    expect(decision.enabled).toBe(false);
    if (!decision.enabled) expect(decision.reason).toMatch(reason);
  });

  it('accepts https anywhere and plain http on loopback, as a folder URL', () => {
    expect(resolveUpdateFeed(' https://updates.example.com/kvs-wall ')).toEqual({ enabled: true, url: new URL('https://updates.example.com/kvs-wall/') });
    expect(resolveUpdateFeed('http://127.0.0.1:8080/feed/')).toMatchObject({ enabled: true });
  });
});

describe('updates', () => {
  it('never constructs the updater without a feed, nor in an unpackaged run, nor for an invalid feed', async () => {
    const createUpdater = vi.fn();
    const { clock, pending } = manualClock();
    const { logger, lines } = logs();
    const none = startUpdates({ feed: undefined, isPackaged: true, createUpdater, logger, clock });
    const dev = startUpdates({ feed: 'https://updates.example.com/', isPackaged: false, createUpdater, logger, clock });
    const bad = startUpdates({ feed: 'http://updates.example.com/', isPackaged: true, createUpdater, logger, clock });
    await none.check();
    expect(createUpdater).not.toHaveBeenCalled();
    expect(pending()).toBe(0);
    expect(none.state).toEqual({ enabled: false, reason: expect.stringMatching(/no update feed/) });
    expect(dev.state).toEqual({ enabled: false, reason: 'not a packaged app' });
    expect(bad.state.enabled).toBe(false);
    // Only the administrator's mistake is worth a warning.
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'updates are off', reason: expect.stringMatching(/https:\/\//) });
  });

  it('with a feed: one updater, checked at start and every interval; a failed check is logged and retried next time', async () => {
    const checks: number[] = [];
    let fail = true;
    const updater: UpdaterLike = {
      checkForUpdates: async () => {
        checks.push(checks.length);
        if (fail) throw new Error('net::ERR_CONNECTION_REFUSED');
        return null;
      },
    };
    const createUpdater = vi.fn(async (feed: URL) => {
      expect(feed.href).toBe('https://updates.example.com/kvs/');
      return updater;
    });
    const { clock, advance, pending } = manualClock();
    const { logger, lines } = logs();
    const updates = startUpdates({ feed: 'https://updates.example.com/kvs', isPackaged: true, createUpdater, logger, clock, intervalMs: 1000 });
    expect(updates.state).toEqual({ enabled: true, feed: 'https://updates.example.com/kvs/' });
    await vi.waitFor(() => expect(checks).toHaveLength(1));
    await vi.waitFor(() => expect(pending()).toBe(1));
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['updates are on', 'update check failed']);
    fail = false;
    await advance(999);
    expect(checks).toHaveLength(1);
    await advance(1);
    await vi.waitFor(() => expect(checks).toHaveLength(2));
    expect(createUpdater).toHaveBeenCalledTimes(1);
    updates.dispose();
    await vi.waitFor(() => expect(pending()).toBe(0));
  });
});
