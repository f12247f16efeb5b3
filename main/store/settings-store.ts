import { SettingsSchema, type Settings } from '../../shared/model';
import { appError } from '../../shared/errors';
import { AppFailure } from '../core/app-failure';
import { openJsonFile } from './atomic-json';
import type { StoreContext } from './store-context';

/**
 * 1800 s: long enough that each tile renews only twice an hour (a 64-tile wall makes ~0.07 session
 * calls/s in all, far under the 1 call/s per stream sustained quota), short enough that a session
 * left behind by a crash or a closed tile stops holding one of the stream's 10 slots within half an hour.
 */
export const DEFAULT_SESSION_EXPIRES_SECONDS = 1800;

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  sessionExpiresSeconds: DEFAULT_SESSION_EXPIRES_SECONDS,
  sessionReservePerStream: 0,
});

export interface SettingsStore {
  get(): Promise<Settings>;
  /** Applies a partial change; the merged result must still be valid settings. */
  update(patch: Partial<Settings>): Promise<Settings>;
}

export function createSettingsStore(ctx: StoreContext): SettingsStore {
  const file = openJsonFile<Settings>({ ...ctx, name: 'settings.json', version: 1, schema: SettingsSchema, defaults: () => ({ ...DEFAULT_SETTINGS }) });
  return {
    get: async () => (await file.read()).value,
    update: (patch) =>
      file.update((current) => {
        const merged = SettingsSchema.safeParse({ ...current, ...dropUndefined(patch) });
        if (!merged.success) {
          const issue = merged.error.issues[0];
          throw new AppFailure(appError('InvalidRequest', `Settings not saved: ${issue?.message ?? 'invalid value'}.`, { field: issue?.path.join('.') }));
        }
        return merged.data;
      }),
  };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
