import type { z } from 'zod';
import type { CallRequest, WallApi } from '../../../shared/contract';
import { WallApiError } from '../../../shared/errors';
import { AccountQuotaSchema, SettingsSchema, type AccountQuota, type AccountSummary, type QuotaModel, type Settings } from '../../../shared/model';

/**
 * The settings screen's forms: drafts as typed (strings, in the units a person thinks in), checked with
 * the contract's own schemas so the screen and main agree on every rule, turned into a
 * `settings.update`. Errors are keyed by field so each one shows next to its input.
 */

/** The service's documented cap of active sessions per stream, for accounts without a quota of their own. */
export const DEFAULT_SESSION_LIMIT = 10;
export const DEFAULT_POINTS_SHARE = 0.5;

/** An account's quota when settings don't name one: the `sessions` model with the app-wide reserve. */
export function defaultQuota(settings: Settings): AccountQuota {
  return { model: 'sessions', sessionLimit: DEFAULT_SESSION_LIMIT, reservePerStream: settings.sessionReservePerStream, pointsShare: DEFAULT_POINTS_SHARE };
}

export function quotaOf(settings: Settings, accountId: string): AccountQuota {
  return settings.accountQuotas?.[accountId] ?? defaultQuota(settings);
}

/** How a number is shown and typed: the stored value times `scale`, in `unit`. */
interface NumberField {
  label: string;
  schema: z.ZodNumber;
  scale: number;
  unit: string;
}

const FIELDS = {
  sessionLimit: { label: 'Session limit', schema: AccountQuotaSchema.shape.sessionLimit, scale: 1, unit: 'sessions' },
  reservePerStream: { label: 'Reserve for other viewers', schema: AccountQuotaSchema.shape.reservePerStream, scale: 1, unit: 'sessions' },
  pointsShare: { label: 'Share of the points', schema: AccountQuotaSchema.shape.pointsShare, scale: 100, unit: '%' },
  sessionExpiresSeconds: { label: 'Session length', schema: SettingsSchema.shape.sessionExpiresSeconds, scale: 1 / 60, unit: 'minutes' },
} satisfies Record<string, NumberField>;
type NumberFieldName = keyof typeof FIELDS;

function shown(value: number, field: NumberField): string {
  return String(Math.round(value * field.scale * 100) / 100);
}

/** "Enter a whole number from 1 to 100 sessions": the rule, from the schema's own bounds. */
export function rangeText(name: NumberFieldName): string {
  const field: NumberField = FIELDS[name];
  const min = field.schema.minValue ?? 0;
  const max = field.schema.maxValue ?? Number.MAX_SAFE_INTEGER;
  const whole = field.schema.isInt && field.scale === 1 ? 'a whole number' : 'a number';
  // A no-break space: "100 %" never splits over two lines.
  const unit = `\u00a0${field.unit}`;
  return `Enter ${whole} from ${shown(min, field)}${field.unit === '%' ? unit : ''} to ${shown(max, field)}${unit}.`;
}

/** Parses what was typed: a plain decimal number in the field's unit, or NaN (which the schema refuses). */
function parsed(text: string, field: NumberField): number {
  const trimmed = text.trim().replace(/\s*%$/, '');
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return Number.NaN;
  const value = Number(trimmed) / field.scale;
  // Whole units stored (seconds, sessions): 30.5 minutes is 1830 s, but 0.001 minutes is not a whole second.
  return field.schema.isInt ? (Math.abs(value - Math.round(value)) < 1e-9 ? Math.round(value) : value) : Math.round(value * 1e6) / 1e6;
}

export interface QuotaDraft {
  model: QuotaModel;
  sessionLimit: string;
  reservePerStream: string;
  pointsShare: string;
}

export interface SettingsDraft {
  sessionExpiresSeconds: string;
  /** By account id, for the accounts shown. */
  quotas: Record<string, QuotaDraft>;
}

/** Field key → message. Keys: `sessionExpiresSeconds`, `quota.<accountId>.<field>`. */
export type SettingsErrors = Record<string, string>;

export function quotaFieldKey(accountId: string, field: keyof QuotaDraft): string {
  return `quota.${accountId}.${field}`;
}

export function draftOf(settings: Settings, accounts: readonly AccountSummary[]): SettingsDraft {
  const quotas: Record<string, QuotaDraft> = {};
  for (const account of accounts) {
    const q = quotaOf(settings, account.id);
    quotas[account.id] = {
      model: q.model,
      sessionLimit: shown(q.sessionLimit, FIELDS.sessionLimit),
      reservePerStream: shown(q.reservePerStream, FIELDS.reservePerStream),
      pointsShare: shown(q.pointsShare, FIELDS.pointsShare),
    };
  }
  return { sessionExpiresSeconds: shown(settings.sessionExpiresSeconds, FIELDS.sessionExpiresSeconds), quotas };
}

function messageFor(issue: z.core.$ZodIssue, name: NumberFieldName): string {
  if (issue.code === 'custom') return `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.`;
  return rangeText(name);
}

export type Validated<T> = { update: T; errors?: undefined } | { update?: undefined; errors: SettingsErrors };

/** The session length section: Expires, app-wide. */
export function validateSessionLength(draft: SettingsDraft): Validated<{ sessionExpiresSeconds: number }> {
  const value = parsed(draft.sessionExpiresSeconds, FIELDS.sessionExpiresSeconds);
  const result = FIELDS.sessionExpiresSeconds.schema.safeParse(value);
  if (result.success) return { update: { sessionExpiresSeconds: result.data } };
  return { errors: { sessionExpiresSeconds: rangeText('sessionExpiresSeconds') } };
}

function sameQuota(a: AccountQuota, b: AccountQuota): boolean {
  return a.model === b.model && a.sessionLimit === b.sessionLimit && a.reservePerStream === b.reservePerStream && a.pointsShare === b.pointsShare;
}

/**
 * The quota section: every shown account's quota checked with `AccountQuotaSchema`. The update keeps
 * quotas of accounts not shown, names only quotas that differ from the default (so an account left at
 * the default keeps following the app-wide reserve), and drops ones set back to it.
 */
export function validateQuotas(draft: SettingsDraft, settings: Settings): Validated<{ accountQuotas: Record<string, AccountQuota> }> {
  const errors: SettingsErrors = {};
  const quotas: Record<string, AccountQuota> = { ...(settings.accountQuotas ?? {}) };
  for (const [accountId, q] of Object.entries(draft.quotas)) {
    const candidate = {
      model: q.model,
      sessionLimit: parsed(q.sessionLimit, FIELDS.sessionLimit),
      reservePerStream: parsed(q.reservePerStream, FIELDS.reservePerStream),
      pointsShare: parsed(q.pointsShare, FIELDS.pointsShare),
    };
    const result = AccountQuotaSchema.safeParse(candidate);
    if (!result.success) {
      // The reserve is only compared with a limit that is itself valid.
      const limitInvalid = result.error.issues.some((i) => i.path[0] === 'sessionLimit');
      for (const issue of result.error.issues) {
        if (limitInvalid && issue.code === 'custom' && issue.path[0] === 'reservePerStream') continue;
        const field = issue.path[0];
        if (field === 'sessionLimit' || field === 'reservePerStream' || field === 'pointsShare') {
          errors[quotaFieldKey(accountId, field)] ??= messageFor(issue, field);
        } else {
          errors[quotaFieldKey(accountId, 'model')] ??= 'Choose sessions or points.';
        }
      }
      continue;
    }
    if (sameQuota(result.data, defaultQuota(settings))) delete quotas[accountId];
    else quotas[accountId] = result.data;
  }
  return Object.keys(errors).length > 0 ? { errors } : { update: { accountQuotas: quotas } };
}

/** Main's refusal of a field (`field` of an InvalidRequest), as the key of the input it is about. */
export function errorKeyOfField(field: string | undefined): string | undefined {
  if (!field) return undefined;
  if (field === 'sessionExpiresSeconds') return field;
  const match = /^accountQuotas\.([A-Za-z0-9_-]{1,64})\.(model|sessionLimit|reservePerStream|pointsShare)$/.exec(field);
  return match ? quotaFieldKey(match[1]!, match[2] as keyof QuotaDraft) : undefined;
}

export type SaveResult = { settings: Settings; errors?: undefined; message?: undefined } | { settings?: undefined; errors: SettingsErrors; message: string };

/** Saves with `settings.update`; a refusal comes back as a message, on its field when main named one. */
export async function saveSettings(api: WallApi, update: CallRequest<'settings.update'>): Promise<SaveResult> {
  try {
    return { settings: await api.call('settings.update', update) };
  } catch (error) {
    const detail = error instanceof WallApiError ? error.detail : undefined;
    const message = detail ? detail.message : error instanceof Error ? error.message : String(error);
    const key = errorKeyOfField(detail?.field);
    return { errors: key ? { [key]: message } : {}, message: `The settings were not saved: ${message}` };
  }
}
