import { z } from 'zod';

/**
 * Where a tile is: the window it is shown in and its place on the wall (`<wallId>:<cell>`). The
 * pair stays the same across page reloads, reconnects and restarts, so a tile that comes back finds
 * the session it had.
 */
export interface TileAddress {
  readonly windowId: string;
  readonly tileId: string;
}

/** The map key for a tile. Window ids and tile ids never contain a slash, so the pair is unambiguous. */
export function tileKey(tile: TileAddress): string {
  return `${tile.windowId}/${tile.tileId}`;
}

/** The window part of a tile key. */
export function windowOfKey(key: string): string {
  return key.slice(0, key.indexOf('/'));
}

/** A tile key as stored (the pool remembers each session's last tile): `<windowId>/<tileId>`. */
export const TileKeySchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_:-]{1,80}$/, 'a tile key: window id, a slash, tile id');
