import type { z } from 'zod';
import { AlertSettingsSchema, KioskSettingsSchema, MAX_TOUR_WALLS, TourSettingsSchema, type AlertSettings, type KioskSettings, type Settings, type TourSettings } from '../../../shared/model';
import type { SettingsErrors, Validated } from './settings-form';

/**
 * The desktop sections' forms (alerts, kiosk, tour): what settings hold when nothing was chosen, and
 * drafts as typed checked against the contract's own bounds, so the screen and main agree.
 */

export const DEFAULT_ALERTS: AlertSettings = { enabled: true, offlineAfterSeconds: 60, desktopNotifications: false };
export const DEFAULT_KIOSK: KioskSettings = { hideCursorAfterSeconds: 3, confirmBeforeClose: true };
export const DEFAULT_TOUR: TourSettings = { enabled: false, wallIds: [], intervalSeconds: 30, resumeAfterSeconds: 60 };

export const alertsOf = (s: Settings): AlertSettings => s.alerts ?? DEFAULT_ALERTS;
export const kioskOf = (s: Settings): KioskSettings => s.kiosk ?? DEFAULT_KIOSK;
export const tourOf = (s: Settings): TourSettings => s.tour ?? DEFAULT_TOUR;

/** A whole number of seconds as typed, checked against `schema`'s bounds; the message names them. */
export function secondsField(text: string, schema: z.ZodNumber, label: string): { value: number; error?: undefined } | { value?: undefined; error: string } {
  const min = schema.minValue ?? 0;
  const max = schema.maxValue ?? Number.MAX_SAFE_INTEGER;
  const rule = `${label}: enter a whole number of seconds from ${min} to ${max}.`;
  const trimmed = text.trim();
  if (!/^\d{1,7}$/.test(trimmed)) return { error: rule };
  const value = Number(trimmed);
  return schema.safeParse(value).success ? { value } : { error: rule };
}

export interface AlertsDraft {
  enabled: boolean;
  offlineAfterSeconds: string;
  desktopNotifications: boolean;
}

export function validateAlerts(draft: AlertsDraft): Validated<{ alerts: AlertSettings }> {
  const offline = secondsField(draft.offlineAfterSeconds, AlertSettingsSchema.shape.offlineAfterSeconds, 'Offline after');
  if (offline.error !== undefined) return { errors: { offlineAfterSeconds: offline.error } };
  return { update: { alerts: { enabled: draft.enabled, offlineAfterSeconds: offline.value, desktopNotifications: draft.desktopNotifications } } };
}

export interface KioskDraft {
  hideCursorAfterSeconds: string;
  confirmBeforeClose: boolean;
}

export function validateKiosk(draft: KioskDraft): Validated<{ kiosk: KioskSettings }> {
  const hide = secondsField(draft.hideCursorAfterSeconds, KioskSettingsSchema.shape.hideCursorAfterSeconds, 'Hide the pointer after');
  if (hide.error !== undefined) return { errors: { hideCursorAfterSeconds: hide.error } };
  return { update: { kiosk: { hideCursorAfterSeconds: hide.value, confirmBeforeClose: draft.confirmBeforeClose } } };
}

export interface TourDraft {
  enabled: boolean;
  wallIds: string[];
  intervalSeconds: string;
  resumeAfterSeconds: string;
}

export function validateTour(draft: TourDraft, existingWallIds: readonly string[]): Validated<{ tour: TourSettings }> {
  const errors: SettingsErrors = {};
  const interval = secondsField(draft.intervalSeconds, TourSettingsSchema.shape.intervalSeconds, 'Each wall shows for');
  const resume = secondsField(draft.resumeAfterSeconds, TourSettingsSchema.shape.resumeAfterSeconds, 'Carry on after');
  if (interval.error !== undefined) errors['intervalSeconds'] = interval.error;
  if (resume.error !== undefined) errors['resumeAfterSeconds'] = resume.error;
  // Kept in wall order, walls removed since left out.
  const wallIds = existingWallIds.filter((id) => draft.wallIds.includes(id));
  if (draft.enabled && wallIds.length < 2) errors['wallIds'] = 'A tour needs at least two walls: tick the walls it shows.';
  if (wallIds.length > MAX_TOUR_WALLS) errors['wallIds'] = `A tour shows at most ${MAX_TOUR_WALLS} walls.`;
  if (Object.keys(errors).length > 0 || interval.value === undefined || resume.value === undefined) return { errors };
  return { update: { tour: { enabled: draft.enabled, wallIds, intervalSeconds: interval.value, resumeAfterSeconds: resume.value } } };
}
