import { describe, expect, it } from 'vitest';
import { budgetText } from '../../../renderer/src/tiles/budget-text';
import { clockMinutes } from '../../../renderer/src/tiles/tile-badge';

const stream = { accountId: 'acc', streamName: 'cam-a' };
const at = new Date(2024, 0, 1, 10, 42).getTime();

describe('budget indicator text', () => {
  it('sessions model: "9 of 10 sessions", never a bare 9/10, with what is pooled in the tooltip', () => {
    const t = budgetText({ stream, model: 'sessions', used: 9, limit: 10, pooled: 2 });
    expect(t.label).toBe('9 of 10 sessions');
    expect(t.label).not.toMatch(/\d\/\d/);
    expect(t.full).toBe(false);
    expect(t.title).toBe(
      'This app counts 9 of the 10 sessions it may use on this camera (the camera\'s limit less the reserve for other viewers); 2 of them are free in the pool, ready for the next tile.',
    );
  });

  it('says when a full stream’s next session stops counting', () => {
    const t = budgetText({ stream, model: 'sessions', used: 3, limit: 3, pooled: 0, nextFreeAt: at });
    expect(t.full).toBe(true);
    expect(t.title).toMatch(/none of them is free for the next tile\. The next one stops counting at 10:42\.$/);
    expect(clockMinutes(at)).toBe('10:42');
    expect(budgetText({ stream, model: 'sessions', used: 1, limit: 1, pooled: 1 }).label).toBe('1 of 1 session');
  });

  it('points model: the points per second against the share, whichever is closer to it', () => {
    const points = { mediaPerSecond: 120.4, metadataPerSecond: 600, mediaShare: 250, metadataShare: 5000 };
    const t = budgetText({ stream, model: 'points', used: 4, pooled: 1, points });
    expect(t.label).toBe('120 of 250 media points/s');
    expect(t.full).toBe(false);
    expect(t.title).toBe("This app's share of this camera's playback points, per second: 120 of 250 media points and 600 of 5,000 metadata points; 4 sessions open, 1 free in the pool.");
    const metadataBound = budgetText({ stream, model: 'points', used: 4, pooled: 0, points: { ...points, metadataPerSecond: 5200 } });
    expect(metadataBound.label).toBe('5,200 of 5,000 metadata points/s');
    expect(metadataBound.full).toBe(true);
    expect(budgetText({ stream, model: 'points', used: 2, pooled: 0 }).label).toBe('2 sessions open');
  });
});
