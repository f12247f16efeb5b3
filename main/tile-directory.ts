/**
 * Maps (sender, tile id) pairs to the broker's tile keys and back. Keys are short and opaque so
 * they satisfy the contract's id rules however long the sender and tile ids are.
 */
export interface TileDirectory {
  keyFor(senderId: string, tileId: string): string;
  existingKey(senderId: string, tileId: string): string | undefined;
  owner(key: string): { senderId: string; tileId: string } | undefined;
  keysOf(senderId: string): string[];
  forget(key: string): void;
}

export function createTileDirectory(): TileDirectory {
  const byPair = new Map<string, string>();
  const byKey = new Map<string, { senderId: string; tileId: string }>();
  let next = 0;
  const pair = (senderId: string, tileId: string) => `${senderId}\u0000${tileId}`;

  return {
    keyFor(senderId, tileId) {
      const existing = byPair.get(pair(senderId, tileId));
      if (existing) return existing;
      const key = `tile-${(++next).toString(36)}`;
      byPair.set(pair(senderId, tileId), key);
      byKey.set(key, { senderId, tileId });
      return key;
    },
    existingKey: (senderId, tileId) => byPair.get(pair(senderId, tileId)),
    owner: (key) => byKey.get(key),
    keysOf: (senderId) => [...byKey.entries()].filter(([, o]) => o.senderId === senderId).map(([k]) => k),
    forget(key) {
      const owner = byKey.get(key);
      if (!owner) return;
      byKey.delete(key);
      byPair.delete(pair(owner.senderId, owner.tileId));
    },
  };
}
