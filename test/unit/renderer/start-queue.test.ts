import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../renderer/src/player/backoff';
import { StartQueue } from '../../../renderer/src/player/start-queue';

describe('StartQueue', () => {
  it('keeps at most N starts in flight until each releases', async () => {
    const queue = new StartQueue(0, 2);
    const order: string[] = [];
    const take = (name: string) => queue.turn().then((release) => (order.push(name), release));
    const a = take('a');
    const b = take('b');
    const c = take('c');
    const releaseA = await a;
    await b;
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['a', 'b']);
    releaseA();
    await c;
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('spaces starts apart', async () => {
    const queue = new StartQueue(30, 10);
    const times: number[] = [];
    await Promise.all([0, 1, 2].map(() => queue.turn().then(() => times.push(performance.now()))));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(25);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(25);
  });

  it('drops callers that aborted while waiting', async () => {
    const queue = new StartQueue(0, 1);
    const first = await queue.turn();
    const abort = new AbortController();
    const gaveUp = queue.turn(abort.signal);
    const next = queue.turn();
    abort.abort();
    first();
    // The aborted caller is resolved (so it can see the abort); its release holds nothing.
    (await gaveUp)();
    const releaseNext = await next;
    let thirdStarted = false;
    const third = queue.turn().then((release) => ((thirdStarted = true), release));
    await new Promise((r) => setTimeout(r, 20));
    expect(thirdStarted).toBe(false);
    releaseNext();
    await third;
  });
});

describe('Backoff', () => {
  it('grows to its cap with jitter and starts over after reset', () => {
    const backoff = new Backoff([100, 200, 400]);
    const delays = [backoff.next(), backoff.next(), backoff.next(), backoff.next()];
    expect(delays[0]).toBeGreaterThanOrEqual(80);
    expect(delays[0]).toBeLessThanOrEqual(120);
    expect(delays[3]).toBeGreaterThanOrEqual(320);
    expect(delays[3]).toBeLessThanOrEqual(480);
    backoff.reset();
    expect(backoff.next()).toBeLessThanOrEqual(120);
  });
});
