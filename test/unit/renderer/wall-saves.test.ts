import { describe, expect, it } from 'vitest';
import type { Wall } from '../../../shared/model';
import { PendingSaves } from '../../../renderer/src/walls/wall-saves';

const wall = (id: string, grid: number): Wall => ({ id, name: id, grid, tiles: [] });

describe('walls shown while saves are in flight', () => {
  it('takes only the newest save’s answer: an older one arriving late changes nothing', () => {
    const saves = new PendingSaves();
    const swap = saves.begin('w');
    const grid = saves.begin('w');
    expect(saves.settle('w', swap)).toBe(false);
    expect(saves.inFlight('w')).toBe(true);
    expect(saves.settle('w', grid)).toBe(true);
    expect(saves.inFlight('w')).toBe(false);
  });

  it('keeps a wall with a save in flight as shown when main’s list is older, and takes the others', () => {
    const saves = new PendingSaves();
    const shown = [wall('a', 1), wall('b', 3)];
    const token = saves.begin('a');
    expect(saves.merge(shown, [wall('a', 3), wall('b', 4), wall('c', 2)])).toEqual([wall('a', 1), wall('b', 4), wall('c', 2)]);
    saves.settle('a', token);
    expect(saves.merge(shown, [wall('a', 3)])).toEqual([wall('a', 3)]);
  });
});
