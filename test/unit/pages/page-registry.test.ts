import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/logger';
import { PageRegistry, type PageGoneReason } from '../../../main/pages/page-registry';
import { FakeClock } from '../sessions/fake-clock';

function registry(leaseMs = 15_000, heartbeatMs = 5_000) {
  const clock = new FakeClock();
  const gone: Array<{ pageId: string; windowId: string; reason: PageGoneReason; at: number }> = [];
  const pages = new PageRegistry({ clock, logger: silentLogger, leaseMs, heartbeatMs, onGone: (p, reason) => gone.push({ pageId: p.pageId, windowId: p.windowId, reason, at: clock.now() }) });
  return { clock, pages, gone };
}

describe('page registry', () => {
  it('gives a page the window it remembers, a new one when a live page elsewhere shows it, the lowest free one otherwise', () => {
    const { pages } = registry();
    expect(pages.attach({ pageId: 'p1', senderId: 'socket-1' })).toEqual({ windowId: 'w1', leaseMs: 15_000, heartbeatMs: 5_000 });
    // A duplicated tab remembers w1 too; p1 still shows it on another socket.
    expect(pages.attach({ pageId: 'p2', senderId: 'socket-2', suggestedWindowId: 'w1' }).windowId).toBe('w2');
    expect(pages.attach({ pageId: 'p3', senderId: 'socket-3', suggestedWindowId: 'lobby-wall' }).windowId).toBe('lobby-wall');
    expect(pages.attach({ pageId: 'p4', senderId: 'socket-4' }).windowId).toBe('w3');
    expect(pages.senderOfWindow('w2')).toBe('socket-2');
  });

  it('the window the shell names wins over the page\'s suggestion', () => {
    const { pages } = registry();
    expect(pages.attach({ pageId: 'p1', senderId: 'window-7', shellWindowId: 'w4', suggestedWindowId: 'w1' }).windowId).toBe('w4');
  });

  it('a newer page of the same window supersedes the older one at once (an Electron reload)', () => {
    const { pages, gone } = registry();
    pages.attach({ pageId: 'old', senderId: 'window-1', shellWindowId: 'w1' });
    pages.attach({ pageId: 'new', senderId: 'window-1', shellWindowId: 'w1' });
    expect(gone).toMatchObject([{ pageId: 'old', reason: 'superseded' }]);
    expect(pages.pageFor('window-1')?.pageId).toBe('new');
    expect(pages.heartbeat('old', 'window-1')).toBeUndefined();
  });

  it('a browser reload: the new page on a new socket takes the window the old page left', () => {
    const { pages, gone } = registry();
    pages.attach({ pageId: 'old', senderId: 'socket-1' });
    // pagehide → detach, then the socket closes, then the reloaded page attaches on a new socket.
    expect(pages.detach('old', 'socket-1')).toBe(true);
    pages.senderGone('socket-1');
    expect(pages.attach({ pageId: 'new', senderId: 'socket-2', suggestedWindowId: 'w1' }).windowId).toBe('w1');
    expect(gone).toMatchObject([{ pageId: 'old', reason: 'detached' }]);
  });

  it('the same page over a new socket after a reconnect keeps its window and its tiles', () => {
    const { pages, gone } = registry();
    pages.attach({ pageId: 'p1', senderId: 'socket-1', suggestedWindowId: 'w1' });
    expect(pages.attach({ pageId: 'p1', senderId: 'socket-2', suggestedWindowId: 'w1' }).windowId).toBe('w1');
    expect(gone).toEqual([]);
    expect(pages.pageFor('socket-2')?.pageId).toBe('p1');
    expect(pages.pageFor('socket-1')).toBeUndefined();
    // The old socket closing later takes nothing with it.
    pages.senderGone('socket-1');
    expect(gone).toEqual([]);
    expect(pages.heartbeat('p1', 'socket-1')).toBeUndefined();
    expect(pages.heartbeat('p1', 'socket-2')).toBe(0);
  });

  it('a lease is lost only after a whole lease period without a new version', async () => {
    const { clock, pages, gone } = registry();
    pages.attach({ pageId: 'p1', senderId: 's1' });
    pages.attach({ pageId: 'p2', senderId: 's2' });
    // p1 beats every 5 s for a minute; p2 never does.
    for (let t = 0; t < 60_000; t += 5_000) {
      await clock.advance(5_000);
      expect(pages.heartbeat('p1', 's1')).toBe(5_000);
    }
    expect(gone.map((g) => g.pageId)).toEqual(['p2']);
    // Declared gone between one and one and a third lease periods after its last sign of life.
    expect(gone[0]!.at - Date.UTC(2025, 0, 6, 8, 0, 0)).toBeGreaterThanOrEqual(15_000);
    expect(gone[0]!.at - Date.UTC(2025, 0, 6, 8, 0, 0)).toBeLessThanOrEqual(20_000);
    expect(gone[0]!.reason).toBe('lease-expired');
    // p1 goes quiet: gone within a lease and a sweep.
    const quietAt = clock.now();
    await clock.advance(25_000);
    expect(gone.map((g) => g.pageId)).toEqual(['p2', 'p1']);
    expect(gone[1]!.at - quietAt).toBeGreaterThanOrEqual(15_000);
    expect(pages.heartbeat('p1', 's1')).toBeUndefined();
    // No pages, no timer left running.
    expect(clock.pendingTimers()).toBe(0);
  });

  it('ignores heartbeats and detaches from another sender', () => {
    const { pages, gone } = registry();
    pages.attach({ pageId: 'p1', senderId: 's1' });
    expect(pages.heartbeat('p1', 's2')).toBeUndefined();
    expect(pages.detach('p1', 's2')).toBe(false);
    expect(pages.heartbeat('nobody', 's1')).toBeUndefined();
    expect(gone).toEqual([]);
  });

  it('refuses a lease shorter than two heartbeats', () => {
    expect(() => registry(5_000, 5_000)).toThrow(RangeError);
  });
});
