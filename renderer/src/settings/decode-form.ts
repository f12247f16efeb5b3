import { DecodeSettingsSchema, type AccountSummary, type DecodeSettings, type Settings, type StreamRef, type Wall } from '../../../shared/model';
import type { Validated } from './settings-form';

/**
 * The decoding section's form: the CPU ceiling as typed (percent of the whole machine; empty for the
 * default) and the cameras pinned to full rate, checked with the contract's `DecodeSettingsSchema`.
 */

export const DEFAULT_CPU_CEILING_PERCENT = 80;
const CEILING = DecodeSettingsSchema.shape.cpuCeilingPercent.unwrap();
/** The contract's cap on pinned cameras (`fullRateCameras` max). */
const MAX_PINNED = 64;

/** "Enter a whole number from 30 to 100 %, or leave it empty for 80 %." — the schema's own bounds. */
export function ceilingRangeText(): string {
  return `Enter a whole number from ${CEILING.minValue ?? 0} to ${CEILING.maxValue ?? 100}\u00a0%, or leave it empty for ${DEFAULT_CPU_CEILING_PERCENT}\u00a0%.`;
}

export interface DecodeDraft {
  cpuCeilingPercent: string;
  /** Keys (`cameraKey`) of the cameras pinned to full rate. */
  pinned: string[];
}

/** One camera the form offers to pin. */
export interface PinnableCamera {
  key: string;
  ref: StreamRef;
  /** What the checkbox says: the stream's name, and its account's when there are several accounts. */
  label: string;
}

export function cameraKey(ref: StreamRef): string {
  return JSON.stringify([ref.accountId, ref.streamName]);
}

export function decodeDraftOf(settings: Settings): DecodeDraft {
  const percent = settings.decode?.cpuCeilingPercent;
  return { cpuCeilingPercent: percent === undefined ? '' : String(percent), pinned: (settings.decode?.fullRateCameras ?? []).map(cameraKey) };
}

/**
 * The cameras to offer: every camera on a saved wall, and any camera already pinned (so it can be
 * unpinned after it left every wall), once each, by name.
 */
export function pinnableCameras(walls: readonly Wall[], settings: Settings, accounts: readonly AccountSummary[]): PinnableCamera[] {
  const byKey = new Map<string, StreamRef>();
  for (const wall of walls) for (const tile of wall.tiles) if (tile.stream) byKey.set(cameraKey(tile.stream), tile.stream);
  for (const ref of settings.decode?.fullRateCameras ?? []) byKey.set(cameraKey(ref), ref);
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  const several = new Set([...byKey.values()].map((r) => r.accountId)).size > 1;
  return [...byKey.entries()]
    .map(([key, ref]) => ({ key, ref, label: several ? `${ref.streamName} (${names.get(ref.accountId) ?? 'removed account'})` : ref.streamName }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The draft as `settings.update`'s `decode`, or the field's error. */
export function validateDecode(draft: DecodeDraft, offered: readonly PinnableCamera[]): Validated<{ decode: DecodeSettings }> {
  const typed = draft.cpuCeilingPercent.trim().replace(/\s*%$/, '');
  const percent = typed === '' ? undefined : /^\d{1,3}$/.test(typed) ? Number(typed) : Number.NaN;
  const chosen = new Set(draft.pinned);
  const decode = {
    ...(percent === undefined ? {} : { cpuCeilingPercent: percent }),
    fullRateCameras: offered.filter((c) => chosen.has(c.key)).map((c) => c.ref),
  };
  const result = DecodeSettingsSchema.safeParse(decode);
  if (result.success) return { update: { decode: result.data } };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    if (issue.path[0] === 'cpuCeilingPercent') errors['decode.cpuCeilingPercent'] = ceilingRangeText();
    else errors['decode.fullRateCameras'] ??= `At most ${MAX_PINNED} cameras can be pinned.`;
  }
  return { errors };
}
