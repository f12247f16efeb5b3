import { describe, expect, it } from 'vitest';
import { JobLimiter } from '../../../emulator/media/job-limiter';
import { LruCache } from '../../../emulator/media/lru-cache';

describe('JobLimiter', () => {
  it('runs at most its concurrency at once, in the order asked, and passes failures through', async () => {
    const limiter = new JobLimiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const job = (n: number) =>
      limiter.run(async () => {
        running += 1;
        most = Math.max(most, running);
        order.push(n);
        await new Promise<void>((release) => releases.push(release));
        running -= 1;
        if (n === 3) throw new Error('job 3 failed');
        return n;
      });
    const results = [1, 2, 3, 4, 5].map((n) => job(n).catch((e: Error) => e.message));
    await new Promise((r) => setImmediate(r));
    expect(limiter.load).toEqual({ running: 2, waiting: 3 });
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(results)).toEqual([1, 2, 'job 3 failed', 4, 5]);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });
});

describe('LruCache weighed by bytes', () => {
  it('drops the stalest entries until the total fits, and never holds one heavier than the whole', () => {
    const cache = new LruCache<string, Uint8Array>(10, (v) => v.length);
    cache.set('a', new Uint8Array(4));
    cache.set('b', new Uint8Array(4));
    cache.get('a');
    cache.set('c', new Uint8Array(4));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.weight).toBe(8);
    cache.set('huge', new Uint8Array(11));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.weight).toBe(8);
    cache.set('a', new Uint8Array(1));
    expect(cache.weight).toBe(5);
  });
});
