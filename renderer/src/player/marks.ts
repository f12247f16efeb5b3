/**
 * Performance marks for the moments that make up a tile's start (acquire → load → first frame), a
 * swap and a release. DevTools shows them on the timeline; the benchmark reads them with performance.getEntriesByType.
 */
export type TileMark = 'kvs-wall:acquire' | 'kvs-wall:release' | 'kvs-wall:load' | 'kvs-wall:first-frame' | 'kvs-wall:swap';

export function markTile(name: TileMark, tileId: string, extra: Record<string, string | number> = {}): void {
  performance.mark(name, { detail: { tileId, ...extra } });
}
