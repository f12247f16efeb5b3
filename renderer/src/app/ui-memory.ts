import { z } from 'zod';
import { IdSchema } from '../../../shared/model';

/**
 * What the operator had open, kept across a reload of the same tab or window. Main reloads the page
 * itself when an account brings a new media origin; the operator who just added that account should
 * land back on its cameras, not on a closed panel.
 */
export const UI_MEMORY_KEY = 'kvs-wall:ui';

export const PanelSchema = z.enum(['none', 'cameras', 'account', 'settings']);
export type Panel = z.infer<typeof PanelSchema>;

const UiMemorySchema = z.object({
  panel: PanelSchema,
  editing: z.boolean(),
  pickerAccountId: IdSchema.optional(),
});
export type UiMemory = z.infer<typeof UiMemorySchema>;

/** What was remembered, or nothing when there is none or it doesn't read (another version, a hand edit). */
export function recallUi(storage: Pick<Storage, 'getItem'> | undefined): UiMemory | undefined {
  try {
    const raw = storage?.getItem(UI_MEMORY_KEY);
    if (!raw) return undefined;
    const parsed = UiMemorySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function rememberUi(storage: Pick<Storage, 'setItem'> | undefined, memory: UiMemory): void {
  try {
    storage?.setItem(UI_MEMORY_KEY, JSON.stringify(memory));
  } catch {
    // Storage full or disabled: only the convenience is lost.
  }
}

/** `sessionStorage` when the page may use it (it throws in some sandboxed contexts). */
export function pageStorage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}
