import type { z } from 'zod';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { openJsonFile } from './atomic-json';
import type { NoticeSink } from './notices';

/** The load/save shape other services (the session broker's ledger) persist through. */
export interface JsonStore<T> {
  /** The stored value, or undefined when there is none (missing, or set aside as unusable). */
  load(): Promise<T | undefined>;
  save(value: T): Promise<void>;
}

export interface JsonStoreOptions<T> {
  dir: string;
  name: string;
  version: number;
  schema: z.ZodType<T>;
  migrate?: (fromVersion: number, data: unknown) => unknown;
  clock?: Clock;
  notices?: NoticeSink;
  logger?: Logger;
}

export function createJsonStore<T>(options: JsonStoreOptions<T>): JsonStore<T> {
  const file = openJsonFile<T | undefined>({
    ...options,
    schema: options.schema as z.ZodType<T | undefined>,
    defaults: () => undefined,
  });
  return {
    load: async () => (await file.read()).value,
    save: (value) => file.write(value),
  };
}
