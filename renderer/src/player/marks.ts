/**
 * Performance marks for the moments that make up a tile's start (acquire → load → first frame), a
 * swap and a release. DevTools shows them on the timeline; the benchmark reads them with performance.getEntriesByType.
 */
export type TileMark = 'kvs-wall:acquire' | 'kvs-wall:release' | 'kvs-wall:load' | 'kvs-wall:first-frame' | 'kvs-wall:swap';

/**
 * The browser keeps every mark (with its detail) until the page clears them: a wall that swaps sessions
 * for weeks would pile them up. Past this many, the page's tile marks are cleared and counting restarts
 * (a benchmark or a test reads them within minutes, far below it).
 */
const MAX_MARKS = 5000;
const NAMES: readonly TileMark[] = ['kvs-wall:acquire', 'kvs-wall:release', 'kvs-wall:load', 'kvs-wall:first-frame', 'kvs-wall:swap'];
let marked = 0;

export function markTile(name: TileMark, tileId: string, extra: Record<string, string | number> = {}): void {
  if (++marked > MAX_MARKS) {
    for (const each of NAMES) performance.clearMarks(each);
    marked = 1;
  }
  performance.mark(name, { detail: { tileId, ...extra } });
}
