import { describe, expect, it, vi } from 'vitest';
import type { WallApi } from '../../../shared/contract';
import { WallApiError, appError } from '../../../shared/errors';
import { SettingsSchema, type AccountSummary, type Settings } from '../../../shared/model';
import {
  draftOf,
  errorKeyOfField,
  quotaFieldKey,
  rangeText,
  saveSettings,
  validateQuotas,
  validateSessionLength,
} from '../../../renderer/src/settings/settings-form';
import { PanelSchema, recallUi, rememberUi } from '../../../renderer/src/app/ui-memory';

const account = (id: string, name = id): AccountSummary => ({ id, kind: 'keys', name, region: 'us-east-1', accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', hasSessionToken: false });
const base: Settings = { sessionExpiresSeconds: 1800, sessionReservePerStream: 1 };

/** A settings store with main's validation: what it holds is what `settings.update` accepted. */
function settingsApi(initial: Settings): { api: WallApi; stored: () => Settings } {
  let stored = initial;
  const api = {
    call: vi.fn(async (name: string, request: unknown) => {
      if (name !== 'settings.update') throw new Error(`unexpected ${name}`);
      const parsed = SettingsSchema.partial().strict().safeParse(request);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new WallApiError(appError('InvalidRequest', issue.message, { field: issue.path.join('.') }));
      }
      stored = SettingsSchema.parse({ ...stored, ...parsed.data });
      return stored;
    }),
    on: () => () => undefined,
  } as unknown as WallApi;
  return { api, stored: () => stored };
}

describe('settings form', () => {
  it('shows every account with its quota, the default where settings name none, in the units people use', () => {
    const settings: Settings = { ...base, accountQuotas: { b: { model: 'points', sessionLimit: 10, reservePerStream: 1, pointsShare: 0.25 } } };
    expect(draftOf(settings, [account('a'), account('b')])).toEqual({
      sessionExpiresSeconds: '30',
      quotas: {
        a: { model: 'sessions', sessionLimit: '10', reservePerStream: '1', pointsShare: '50' },
        b: { model: 'points', sessionLimit: '10', reservePerStream: '1', pointsShare: '25' },
      },
    });
  });

  it('checks each field with the contract schema and says the rule next to it', () => {
    const draft = draftOf(base, [account('a')]);
    draft.quotas['a'] = { model: 'sessions', sessionLimit: 'ten', reservePerStream: '2.5', pointsShare: '3' };
    const result = validateQuotas(draft, base);
    expect(result.errors).toEqual({
      [quotaFieldKey('a', 'sessionLimit')]: 'Enter a whole number from 1 to 100\u00a0sessions.',
      [quotaFieldKey('a', 'reservePerStream')]: 'Enter a whole number from 0 to 99\u00a0sessions.',
      [quotaFieldKey('a', 'pointsShare')]: 'Enter a number from 5\u00a0% to 100\u00a0%.',
    });
    // A limit that is itself wrong is the one problem: the reserve is not blamed for it.
    draft.quotas['a'] = { model: 'sessions', sessionLimit: '0', reservePerStream: '0', pointsShare: '50' };
    expect(validateQuotas(draft, base).errors).toEqual({ [quotaFieldKey('a', 'sessionLimit')]: 'Enter a whole number from 1 to 100\u00a0sessions.' });
    draft.quotas['a'] = { model: 'sessions', sessionLimit: '4', reservePerStream: '4', pointsShare: '50' };
    expect(validateQuotas(draft, base).errors).toEqual({ [quotaFieldKey('a', 'reservePerStream')]: 'The reserve must leave at least one session for this app.' });
  });

  it('names only quotas that differ from the default and keeps those of accounts not shown', () => {
    const settings: Settings = { ...base, accountQuotas: { gone: { model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare: 0.3 }, b: { model: 'points', sessionLimit: 10, reservePerStream: 1, pointsShare: 0.5 } } };
    const draft = draftOf(settings, [account('a'), account('b')]);
    draft.quotas['a'] = { model: 'points', sessionLimit: '10', reservePerStream: '1', pointsShare: '40 %' };
    draft.quotas['b'] = { model: 'sessions', sessionLimit: '10', reservePerStream: '1', pointsShare: '50' };
    expect(validateQuotas(draft, settings).update).toEqual({
      accountQuotas: {
        gone: { model: 'points', sessionLimit: 10, reservePerStream: 0, pointsShare: 0.3 },
        a: { model: 'points', sessionLimit: 10, reservePerStream: 1, pointsShare: 0.4 },
      },
    });
  });

  it('session length: minutes typed, whole seconds stored, the schema’s range in minutes', () => {
    expect(validateSessionLength({ sessionExpiresSeconds: '30.5', quotas: {} }).update).toEqual({ sessionExpiresSeconds: 1830 });
    expect(rangeText('sessionExpiresSeconds')).toBe('Enter a number from 5 to 720\u00a0minutes.');
    for (const bad of ['4', '721', '', '1e3', '0.001']) {
      expect(validateSessionLength({ sessionExpiresSeconds: bad, quotas: {} }).errors, bad).toEqual({ sessionExpiresSeconds: 'Enter a number from 5 to 720\u00a0minutes.' });
    }
  });

  it('saves through settings.update and reads back what main stored', async () => {
    const { api, stored } = settingsApi(base);
    const draft = draftOf(base, [account('a')]);
    draft.quotas['a'] = { model: 'sessions', sessionLimit: '12', reservePerStream: '3', pointsShare: '50' };
    const result = await saveSettings(api, validateQuotas(draft, base).update!);
    expect(result.settings?.accountQuotas).toEqual({ a: { model: 'sessions', sessionLimit: 12, reservePerStream: 3, pointsShare: 0.5 } });
    expect(stored()).toEqual(result.settings);
  });

  it('puts main’s refusal on the field it names', async () => {
    const { api, stored } = settingsApi(base);
    const result = await saveSettings(api, { accountQuotas: { a: { model: 'sessions', sessionLimit: 0, reservePerStream: 0, pointsShare: 0.5 } } });
    expect(Object.keys(result.errors ?? {})).toEqual([quotaFieldKey('a', 'sessionLimit')]);
    expect(result.message).toMatch(/^The settings were not saved: /);
    expect(stored()).toEqual(base);
    expect(errorKeyOfField('accountQuotas.x.evil')).toBeUndefined();
  });
});

describe('what the operator had open, across a reload', () => {
  it('comes back as it was, and anything unreadable is ignored', () => {
    const items = new Map<string, string>();
    const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
    rememberUi(storage, { panel: 'cameras', editing: true, pickerAccountId: 'acc-1' });
    expect(recallUi(storage)).toEqual({ panel: 'cameras', editing: true, pickerAccountId: 'acc-1' });
    items.set('kvs-wall:ui', '{"panel":"nowhere","editing":true}');
    expect(recallUi(storage)).toBeUndefined();
    items.set('kvs-wall:ui', 'not json');
    expect(recallUi(storage)).toBeUndefined();
    expect(recallUi(undefined)).toBeUndefined();
    expect(PanelSchema.options).toContain('settings');
  });
});
