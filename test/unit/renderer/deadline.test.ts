import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { within } from '../../../renderer/src/player/deadline';

describe('within', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives the work’s own result or failure when it settles in time', async () => {
    await expect(within(Promise.resolve(7), 1000, 'late')).resolves.toBe(7);
    await expect(within(Promise.reject(new Error('refused')), 1000, 'late')).rejects.toThrow('refused');
  });

  it('rejects with the message once the time passes on work that never settles, and leaves no timer', async () => {
    const never = new Promise<number>(() => undefined);
    const outcome = within(never, 45_000, 'The player did not load the session within 45 s.');
    const seen = expect(outcome).rejects.toThrow('The player did not load the session within 45 s.');
    await vi.advanceTimersByTimeAsync(44_999);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await seen;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('swallows a late failure of work it gave up on (no unhandled rejection)', async () => {
    let fail!: (error: Error) => void;
    const work = new Promise<number>((_, reject) => (fail = reject));
    const outcome = within(work, 10, 'late');
    const seen = expect(outcome).rejects.toThrow('late');
    await vi.advanceTimersByTimeAsync(10);
    await seen;
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    fail(new Error('too late'));
    await vi.advanceTimersByTimeAsync(0);
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });
});
