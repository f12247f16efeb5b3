import { z } from 'zod';
import { WallSchema, type Wall } from '../../shared/model';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import { openJsonFile } from './atomic-json';
import type { StoreContext } from './store-context';

/** Far more than any control room uses; bounds the file and the renderer's wall menu. */
export const MAX_WALLS = 200;

const WallsSchema = z.array(WallSchema).max(MAX_WALLS);

export interface WallsStore {
  list(): Promise<Wall[]>;
  get(id: string): Promise<Wall | undefined>;
  /** Creates the wall, or replaces the one with the same id; returns it as stored. */
  save(wall: Wall): Promise<Wall>;
  /** Throws WallNotFound when there is no such wall. */
  remove(id: string): Promise<void>;
}

export function createWallsStore(ctx: StoreContext): WallsStore {
  const file = openJsonFile<Wall[]>({ ...ctx, name: 'walls.json', version: 1, schema: WallsSchema, defaults: () => [] });
  return {
    list: async () => (await file.read()).value,
    get: async (id) => (await file.read()).value.find((w) => w.id === id),
    async save(wall) {
      const parsed = WallSchema.safeParse(wall);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AppFailure(appError('InvalidRequest', `The wall was not saved: ${issue?.message ?? 'invalid wall'}.`, { field: issue?.path.join('.') }));
      }
      const stored = parsed.data;
      await file.update((walls) => {
        const index = walls.findIndex((w) => w.id === stored.id);
        if (index >= 0) return walls.map((w, i) => (i === index ? stored : w));
        if (walls.length >= MAX_WALLS) throw new AppFailure(appError('InvalidRequest', `KVS Wall keeps at most ${MAX_WALLS} walls; remove one first.`));
        return [...walls, stored];
      });
      return stored;
    },
    async remove(id) {
      await file.update((walls) => {
        if (!walls.some((w) => w.id === id)) throw new AppFailure(appError('WallNotFound', 'That wall no longer exists.'));
        return walls.filter((w) => w.id !== id);
      });
    },
  };
}
