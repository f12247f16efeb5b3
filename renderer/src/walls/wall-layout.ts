import type { StreamInfo, StreamRef, TileSpec, Wall } from '../../../shared/model';

/** A tile as placed on the grid: its spec plus its resolved row/column. */
export interface PlacedTile {
  spec: TileSpec;
  row: number;
  col: number;
}

export function sameStream(a: StreamRef | undefined, b: StreamRef | undefined): boolean {
  return !!a && !!b && a.accountId === b.accountId && a.streamName === b.streamName;
}

function rowCol(grid: number, cell: number): { row: number; col: number } {
  return { row: Math.floor(cell / grid), col: cell % grid };
}

/** Which tile (by anchor cell) covers each cell; cells nobody covers map to undefined. */
export function coverage(wall: Wall): Array<number | undefined> {
  const out: Array<number | undefined> = new Array<number | undefined>(wall.grid * wall.grid).fill(undefined);
  for (const tile of [...wall.tiles].sort((a, b) => a.cell - b.cell)) {
    const { row, col } = rowCol(wall.grid, tile.cell);
    for (let r = row; r < Math.min(wall.grid, row + tile.rowSpan); r++) {
      for (let c = col; c < Math.min(wall.grid, col + tile.colSpan); c++) {
        if (out[r * wall.grid + c] === undefined) out[r * wall.grid + c] = tile.cell;
      }
    }
  }
  return out;
}

/**
 * Every grid position as the wall shows it: the tiles (anchors, spans clamped to the grid) plus an
 * empty placeholder for each uncovered cell, in reading order. This is what keyboard numbers address.
 */
export function layoutCells(wall: Wall): PlacedTile[] {
  const cover = coverage(wall);
  const out: PlacedTile[] = [];
  for (let cell = 0; cell < wall.grid * wall.grid; cell++) {
    const owner = cover[cell];
    const { row, col } = rowCol(wall.grid, cell);
    if (owner === undefined) {
      out.push({ spec: { cell, colSpan: 1, rowSpan: 1, muted: true }, row, col });
    } else if (owner === cell) {
      const spec = wall.tiles.find((t) => t.cell === cell)!;
      out.push({ spec: { ...spec, colSpan: Math.min(spec.colSpan, wall.grid - col), rowSpan: Math.min(spec.rowSpan, wall.grid - row) }, row, col });
    }
  }
  return out;
}

function withTiles(wall: Wall, tiles: TileSpec[]): Wall {
  return { ...wall, tiles: tiles.sort((a, b) => a.cell - b.cell) };
}

/** Puts a stream on the tile covering `cell` (or a new 1×1 tile there). */
export function placeStream(wall: Wall, cell: number, stream: StreamRef): Wall {
  const anchor = coverage(wall)[cell] ?? cell;
  const existing = wall.tiles.find((t) => t.cell === anchor);
  const others = wall.tiles.filter((t) => t.cell !== anchor);
  return withTiles(wall, [...others, existing ? { ...existing, stream } : { cell: anchor, colSpan: 1, rowSpan: 1, muted: true, stream }]);
}

/** Swaps the cameras of two tiles (dragging one tile onto another); spans stay with their cells. */
export function swapTiles(wall: Wall, fromCell: number, toCell: number): Wall {
  const cover = coverage(wall);
  const from = cover[fromCell] ?? fromCell;
  const to = cover[toCell] ?? toCell;
  if (from === to) return wall;
  const a = wall.tiles.find((t) => t.cell === from);
  const b = wall.tiles.find((t) => t.cell === to);
  const rest = wall.tiles.filter((t) => t.cell !== from && t.cell !== to);
  const moved = (target: number, spec: TileSpec | undefined, source: TileSpec | undefined): TileSpec[] => {
    // An emptied 1×1 tile disappears; an emptied span keeps its shape for the next camera.
    if (!source?.stream && (!spec || (spec.colSpan === 1 && spec.rowSpan === 1))) return [];
    const base: TileSpec = spec ?? { cell: target, colSpan: 1, rowSpan: 1, muted: true };
    const next: TileSpec = { ...base, muted: source?.muted ?? true };
    // The camera's settings go with it: its stream, and whether it is pinned to full rate.
    if (source?.stream) next.stream = source.stream;
    else delete next.stream;
    if (source?.fullRate) next.fullRate = true;
    else delete next.fullRate;
    return [next];
  };
  return withTiles(wall, [...rest, ...moved(to, b, a), ...moved(from, a, b)]);
}

export function clearTile(wall: Wall, cell: number): Wall {
  const anchor = coverage(wall)[cell] ?? cell;
  return withTiles(wall, wall.tiles.filter((t) => t.cell !== anchor));
}

/** Changes the grid size, keeping each tile at its row/column when it still fits. */
export function setGrid(wall: Wall, grid: number): Wall {
  const tiles: TileSpec[] = [];
  for (const t of wall.tiles) {
    const { row, col } = rowCol(wall.grid, t.cell);
    if (row < grid && col < grid) {
      tiles.push({ ...t, cell: row * grid + col, colSpan: Math.min(t.colSpan, grid - col), rowSpan: Math.min(t.rowSpan, grid - row) });
    }
  }
  return dropCovered(withTiles({ ...wall, grid }, tiles));
}

/** Sets a tile's span; tiles it now covers are removed (their cameras leave the wall). */
export function setSpan(wall: Wall, cell: number, colSpan: number, rowSpan: number): Wall {
  const anchor = coverage(wall)[cell] ?? cell;
  const { row, col } = rowCol(wall.grid, anchor);
  const existing = wall.tiles.find((t) => t.cell === anchor) ?? { cell: anchor, colSpan: 1, rowSpan: 1, muted: true };
  const spanned: TileSpec = { ...existing, colSpan: clamp(colSpan, 1, wall.grid - col), rowSpan: clamp(rowSpan, 1, wall.grid - row) };
  return dropCovered(withTiles(wall, [...wall.tiles.filter((t) => t.cell !== anchor), spanned]), anchor);
}

/** Removes tiles whose anchor is covered by another tile's span (the `keep` tile wins ties). */
function dropCovered(wall: Wall, keep?: number): Wall {
  const ordered = keep === undefined ? wall : { ...wall, tiles: [...wall.tiles].sort((a, b) => (a.cell === keep ? -1 : b.cell === keep ? 1 : a.cell - b.cell)) };
  const taken = new Set<number>();
  const kept: TileSpec[] = [];
  for (const t of ordered.tiles) {
    if (taken.has(t.cell)) continue;
    const { row, col } = rowCol(wall.grid, t.cell);
    const cells: number[] = [];
    for (let r = row; r < row + t.rowSpan; r++) for (let c = col; c < col + t.colSpan; c++) cells.push(r * wall.grid + c);
    if (cells.some((c) => taken.has(c))) continue;
    cells.forEach((c) => taken.add(c));
    kept.push(t);
  }
  return withTiles(wall, kept);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** The smallest preset grid that holds `count` tiles. */
export function gridFor(count: number): number {
  for (const g of [1, 2, 3, 4, 5, 6, 8]) if (g * g >= count) return g;
  return 8;
}

/** A first wall: the playable streams in order, on the smallest grid (2×2 or larger) that holds them. */
export function defaultWall(id: string, name: string, accountId: string, streams: readonly StreamInfo[]): Wall {
  const playable = streams.filter((s) => s.playable).slice(0, 64);
  const grid = Math.max(2, gridFor(playable.length));
  // Three or more cells to spare: the first camera takes a 2×2 spot instead of leaving a row empty.
  const featured = grid >= 3 && grid * grid - playable.length >= 3;
  const free = Array.from({ length: grid * grid }, (_, cell) => cell).filter((cell) => !featured || ![1, grid, grid + 1].includes(cell));
  return {
    id,
    name,
    grid,
    tiles: playable.map((s, i) => {
      const span = featured && i === 0 ? 2 : 1;
      return { cell: free[i]!, colSpan: span, rowSpan: span, muted: true, stream: { accountId, streamName: s.name } };
    }),
  };
}

export function newWallId(): string {
  return `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export type Direction = 'left' | 'right' | 'up' | 'down';

/** The grid position the arrow keys move to from `cell`: the tile covering the next cell that way. */
export function neighbour(wall: Wall, cell: number, direction: Direction): number {
  const cover = coverage(wall);
  const anchor = cover[cell] ?? cell;
  const spec = wall.tiles.find((t) => t.cell === anchor) ?? { colSpan: 1, rowSpan: 1 };
  let { row, col } = rowCol(wall.grid, anchor);
  if (direction === 'left') col -= 1;
  if (direction === 'right') col += spec.colSpan;
  if (direction === 'up') row -= 1;
  if (direction === 'down') row += spec.rowSpan;
  if (row < 0 || col < 0 || row >= wall.grid || col >= wall.grid) return anchor;
  const target = row * wall.grid + col;
  return cover[target] ?? target;
}
