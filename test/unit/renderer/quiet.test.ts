import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trackCalls } from '../../../renderer/src/api/quiet';
import { FakeMain } from './fake-main';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('reload waits for answers on their way', () => {
  it('resolves once every call in flight is answered and what the answers started has run', async () => {
    const main = new FakeMain();
    const api = trackCalls(main.client());
    const order: string[] = [];
    void api.call('page.attach', { pageId: 'p1' }).then(() => order.push('answer handled'));
    expect(api.inFlight).toBe(1);
    void api.whenQuiet(3000).then(() => order.push('quiet'));
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['answer handled', 'quiet']);
    expect(api.inFlight).toBe(0);
  });

  it('gives up waiting after maxMs, and a failed call counts as answered', async () => {
    const main = new FakeMain();
    const client = main.client();
    const api = trackCalls(client);
    // One call whose answer never comes (main busy, or the socket waiting to reconnect).
    vi.spyOn(client, 'call').mockImplementationOnce(() => new Promise<never>(() => undefined));
    void api.call('app.info', {});
    let quiet = false;
    void api.whenQuiet(3000).then(() => (quiet = true));
    await vi.advanceTimersByTimeAsync(2999);
    expect(quiet).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(quiet).toBe(true);

    client.connected = false;
    await api.call('app.info', {}).catch(() => undefined);
    expect(api.inFlight).toBe(1); // only the one that never answers
  });
});
