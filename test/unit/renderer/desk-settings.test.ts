import { describe, expect, it } from 'vitest';
import { alertsOf, DEFAULT_TOUR, kioskOf, secondsField, validateAlerts, validateKiosk, validateTour } from '../../../renderer/src/settings/desk-settings';
import { SettingsSchema, TourSettingsSchema } from '../../../shared/model';

describe('desktop settings forms', () => {
  it('reads whole seconds within the contract’s bounds, naming them when refused', () => {
    const schema = TourSettingsSchema.shape.intervalSeconds;
    expect(secondsField(' 45 ', schema, 'Each wall shows for')).toEqual({ value: 45 });
    for (const bad of ['4', '3601', '1.5', '-10', 'ten', '', '1e3']) {
      expect(secondsField(bad, schema, 'Each wall shows for').error, bad).toBe('Each wall shows for: enter a whole number of seconds from 5 to 3600.');
    }
  });

  it('validates alerts and kiosk drafts into settings main accepts', () => {
    const alerts = validateAlerts({ enabled: true, offlineAfterSeconds: '120', desktopNotifications: true });
    expect(alerts.update).toEqual({ alerts: { enabled: true, offlineAfterSeconds: 120, desktopNotifications: true } });
    expect(validateAlerts({ enabled: true, offlineAfterSeconds: '2', desktopNotifications: false }).errors).toEqual({ offlineAfterSeconds: expect.stringMatching(/from 5 to 3600/) });
    const kiosk = validateKiosk({ hideCursorAfterSeconds: '0', confirmBeforeClose: false });
    expect(kiosk.update).toEqual({ kiosk: { hideCursorAfterSeconds: 0, confirmBeforeClose: false } });
    expect(SettingsSchema.partial().strict().safeParse({ ...alerts.update, ...kiosk.update }).success).toBe(true);
  });

  it('keeps a tour’s walls in wall order, drops removed ones, and needs two to start', () => {
    const draft = { enabled: true, wallIds: ['c', 'gone', 'a'], intervalSeconds: '30', resumeAfterSeconds: '60' };
    expect(validateTour(draft, ['a', 'b', 'c']).update).toEqual({ tour: { enabled: true, wallIds: ['a', 'c'], intervalSeconds: 30, resumeAfterSeconds: 60 } });
    expect(validateTour({ ...draft, wallIds: ['a'] }, ['a', 'b']).errors).toEqual({ wallIds: 'A tour needs at least two walls: tick the walls it shows.' });
    // Off, a tour may keep fewer walls (it is being set up).
    expect(validateTour({ ...draft, enabled: false, wallIds: ['a'] }, ['a']).update?.tour.wallIds).toEqual(['a']);
    expect(validateTour({ ...draft, intervalSeconds: '1', resumeAfterSeconds: 'x' }, ['a', 'c']).errors).toEqual({
      intervalSeconds: expect.stringMatching(/^Each wall shows for/),
      resumeAfterSeconds: expect.stringMatching(/^Carry on after/),
    });
  });

  it('has defaults for settings that never chose', () => {
    const settings = SettingsSchema.parse({ sessionExpiresSeconds: 1800, sessionReservePerStream: 0 });
    expect(alertsOf(settings).enabled).toBe(true);
    expect(kioskOf(settings).confirmBeforeClose).toBe(true);
    expect(TourSettingsSchema.safeParse(DEFAULT_TOUR).success).toBe(true);
  });
});
