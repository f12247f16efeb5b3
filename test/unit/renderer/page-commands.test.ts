import { describe, expect, it } from 'vitest';
import { neighbourWall, runPageCommand, type PageActions } from '../../../renderer/src/app/page-commands';
import { PAGE_COMMANDS } from '../../../shared/contract';
import type { Wall } from '../../../shared/model';

const wall = (id: string): Wall => ({ id, name: `Wall ${id}`, grid: 2, tiles: [] });
const WALLS = [wall('a'), wall('b'), wall('c')];

function recorder(current = 'b') {
  const done: string[] = [];
  const actions: PageActions = {
    walls: () => WALLS,
    current: () => WALLS.find((w) => w.id === current),
    show: (id) => done.push(`show ${id}`),
    newWall: () => done.push('new'),
    duplicate: (w) => done.push(`duplicate ${w.id}`),
    remove: (w) => done.push(`remove ${w.id}`),
    edit: () => done.push('edit'),
    openPanel: (p) => done.push(`panel ${p}`),
    showShortcuts: () => done.push('shortcuts'),
    toggleTour: () => done.push('tour'),
    toggleStats: () => done.push('stats'),
    exportDiagnostics: () => done.push('diagnostics'),
  };
  return { done, actions };
}

describe('page commands', () => {
  it('does something for every command the menu can send', () => {
    for (const command of PAGE_COMMANDS) {
      const { done, actions } = recorder();
      runPageCommand(command, actions);
      expect(done, command).toHaveLength(1);
    }
  });

  it('moves to the next and previous wall, wrapping', () => {
    const { done, actions } = recorder('c');
    runPageCommand('wall.next', actions);
    runPageCommand('wall.previous', actions);
    expect(done).toEqual(['show a', 'show b']);
    expect(neighbourWall([wall('a')], 'a', 1)).toBeUndefined();
    expect(neighbourWall(WALLS, 'gone', -1)?.id).toBe('c');
  });

  it('toggles the selected tile’s statistics', () => {
    const { done, actions } = recorder();
    runPageCommand('view.stats', actions);
    expect(done).toEqual(['stats']);
  });

  it('acts on the wall shown', () => {
    const { done, actions } = recorder('a');
    runPageCommand('wall.duplicate', actions);
    runPageCommand('wall.delete', actions);
    expect(done).toEqual(['duplicate a', 'remove a']);
  });
});
