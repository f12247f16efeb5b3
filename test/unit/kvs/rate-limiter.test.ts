import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../main/kvs/rate-limiter';
import { FakeClock, flush } from './fake-clock';

const perSecond = (calls: number) => ({ calls, perMs: 1000 });

describe('rate limiter (sliding window, fake clock)', () => {
  it('lets N calls through at once and holds the next until the window frees', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter(clock);
    const started: number[] = [];
    const t0 = clock.now();
    for (let i = 0; i < 12; i++) void limiter.acquire([{ key: 's', limit: perSecond(5) }]).then(() => started.push(clock.now() - t0));
    await flush();
    expect(started).toEqual([0, 0, 0, 0, 0]);
    await clock.advance(999);
    expect(started).toHaveLength(5);
    await clock.advance(1);
    expect(started).toHaveLength(10);
    await clock.advance(1000);
    expect(started).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000]);
  });

  it('never has more than the limit in any window, with arrivals spread over time', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter(clock);
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      void limiter.acquire([{ key: 's', limit: perSecond(5) }]).then(() => times.push(clock.now()));
      await clock.advance(37);
    }
    await clock.advance(10_000);
    expect(times).toHaveLength(40);
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(5);
  });

  it('a call counts against every key; a busy stream does not hold up another stream', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter(clock);
    const done: string[] = [];
    const acquire = (stream: string) =>
      limiter.acquire([{ key: `acc/${stream}`, limit: perSecond(2) }, { key: 'acc', limit: perSecond(3) }]).then(() => done.push(stream));
    void acquire('a');
    void acquire('a');
    void acquire('a'); // stream a full
    void acquire('b'); // account has room for one more
    void acquire('c'); // account full
    await flush();
    expect(done).toEqual(['a', 'a', 'b']);
    expect(limiter.inWindow('acc', perSecond(3))).toBe(3);
    await clock.advance(1000);
    expect(done.sort()).toEqual(['a', 'a', 'a', 'b', 'c']);
  });
});
