import { describe, expect, it } from 'vitest';
import type { StreamInfo, Wall } from '../../../shared/model';
import { clearTile, coverage, defaultWall, gridFor, layoutCells, neighbour, placeStream, setGrid, setSpan, swapTiles } from '../../../renderer/src/walls/wall-layout';

const cam = (streamName: string) => ({ accountId: 'demo', streamName });
const wall = (grid: number, tiles: Wall['tiles']): Wall => ({ id: 'w1', name: 'Test', grid, tiles });
const tile = (cell: number, name?: string, span = 1): Wall['tiles'][number] => ({ cell, colSpan: span, rowSpan: span, muted: true, ...(name ? { stream: cam(name) } : {}) });

describe('wall layout', () => {
  it('lays out anchors and empty cells in reading order, skipping covered cells', () => {
    const w = wall(3, [tile(0, 'a', 2), tile(2, 'b')]);
    expect(layoutCells(w).map((p) => [p.spec.cell, p.spec.stream?.streamName ?? null])).toEqual([
      [0, 'a'], [2, 'b'], [5, null], [6, null], [7, null], [8, null],
    ]);
    expect(coverage(w)).toEqual([0, 0, 2, 0, 0, undefined, undefined, undefined, undefined]);
  });

  it('places a stream on an empty cell or replaces the camera of the covering tile', () => {
    let w = placeStream(wall(2, []), 3, cam('x'));
    expect(w.tiles).toEqual([tile(3, 'x')]);
    w = placeStream(wall(3, [tile(0, 'a', 2)]), 4, cam('y'));
    expect(w.tiles).toEqual([{ ...tile(0, 'y', 2) }]);
  });

  it('allows the same stream on several tiles', () => {
    const w = placeStream(placeStream(wall(2, []), 0, cam('x')), 1, cam('x'));
    expect(w.tiles.map((t) => t.stream?.streamName)).toEqual(['x', 'x']);
  });

  it('swaps two tiles, and moves a tile onto an empty cell', () => {
    const w = wall(2, [tile(0, 'a'), tile(1, 'b')]);
    expect(swapTiles(w, 0, 1).tiles.map((t) => [t.cell, t.stream?.streamName])).toEqual([[0, 'b'], [1, 'a']]);
    expect(swapTiles(w, 0, 3).tiles.map((t) => [t.cell, t.stream?.streamName])).toEqual([[1, 'b'], [3, 'a']]);
  });

  it('moves a camera\'s full-rate pin with it', () => {
    const w = wall(2, [{ ...tile(0, 'a'), fullRate: true }, tile(1, 'b')]);
    expect(swapTiles(w, 0, 1).tiles.map((t) => [t.cell, t.stream?.streamName, t.fullRate])).toEqual([[0, 'b', undefined], [1, 'a', true]]);
  });

  it('clears a tile', () => {
    expect(clearTile(wall(2, [tile(0, 'a'), tile(1, 'b')]), 1).tiles).toEqual([tile(0, 'a')]);
  });

  it('keeps row and column when the grid changes, dropping what no longer fits', () => {
    const w = setGrid(wall(3, [tile(0, 'a'), tile(4, 'b'), tile(8, 'c')]), 2);
    expect(w.tiles.map((t) => [t.cell, t.stream?.streamName])).toEqual([[0, 'a'], [3, 'b']]);
  });

  it('spans a tile over its neighbours and removes the tiles it covers', () => {
    const w = setSpan(wall(3, [tile(0, 'a'), tile(1, 'b'), tile(8, 'c')]), 0, 2, 2);
    expect(w.tiles.map((t) => [t.cell, t.colSpan, t.rowSpan, t.stream?.streamName])).toEqual([[0, 2, 2, 'a'], [8, 1, 1, 'c']]);
    // Spans are clamped to the grid.
    expect(setSpan(wall(3, [tile(8, 'c')]), 8, 3, 3).tiles[0]).toMatchObject({ colSpan: 1, rowSpan: 1 });
  });

  it('moves the selection with arrow keys across spans and stops at the edges', () => {
    const w = wall(3, [tile(0, 'a', 2), tile(2, 'b')]);
    expect(neighbour(w, 0, 'right')).toBe(2);
    expect(neighbour(w, 2, 'left')).toBe(0);
    expect(neighbour(w, 0, 'down')).toBe(6);
    expect(neighbour(w, 0, 'up')).toBe(0);
    expect(neighbour(w, 5, 'left')).toBe(0);
    expect(neighbour(w, 6, 'right')).toBe(7);
  });

  it('builds a default wall of the playable streams on the smallest grid', () => {
    const info = (name: string, playable = true): StreamInfo => ({ name, arn: `arn:${name}`, status: 'ACTIVE', retentionHours: 24, playable });
    const w = defaultWall('w', 'Demo wall', 'demo', [info('a'), info('b', false), info('c'), info('d'), info('e'), info('f')]);
    expect(w.grid).toBe(3);
    expect(w.tiles.map((t) => t.stream?.streamName)).toEqual(['a', 'c', 'd', 'e', 'f']);
    // Four cells to spare on 3×3: the first camera is featured 2×2 and the wall has no empty cell.
    expect(w.tiles.map((t) => [t.cell, t.colSpan])).toEqual([[0, 2], [2, 1], [5, 1], [6, 1], [7, 1]]);
    expect(layoutCells(w).every((p) => p.spec.stream)).toBe(false);
    const six = defaultWall('w', 'x', 'demo', ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => info(n)));
    expect(layoutCells(six).every((p) => p.spec.stream)).toBe(true);
    expect(defaultWall('w', 'x', 'demo', [info('a')]).grid).toBe(2);
    expect(gridFor(17)).toBe(5);
    expect(gridFor(64)).toBe(8);
  });
});
