import { describe, expect, it } from 'vitest';
import { SettingsSchema, type AccountSummary, type Settings, type Wall } from '../../../shared/model';
import { cameraKey, ceilingRangeText, decodeDraftOf, pinnableCameras, validateDecode } from '../../../renderer/src/settings/decode-form';

const account = (id: string, name = id): AccountSummary => ({ id, kind: 'keys', name, region: 'us-east-1', accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', hasSessionToken: false });
const base: Settings = { sessionExpiresSeconds: 1800, sessionReservePerStream: 0 };
const wall = (id: string, streams: Array<[string, string]>): Wall => ({
  id,
  name: id,
  grid: 3,
  tiles: streams.map(([accountId, streamName], cell) => ({ cell, colSpan: 1, rowSpan: 1, muted: true, stream: { accountId, streamName } })),
});

describe('decoding settings form', () => {
  it('offers every camera on a wall once, and a pinned camera no wall shows any more', () => {
    const settings: Settings = { ...base, decode: { fullRateCameras: [{ accountId: 'a1', streamName: 'gone' }] } };
    const cameras = pinnableCameras([wall('w1', [['a1', 'lobby'], ['a1', 'dock']]), wall('w2', [['a1', 'lobby']])], settings, [account('a1')]);
    expect(cameras.map((c) => c.label)).toEqual(['dock', 'gone', 'lobby']);
    // With several accounts the same stream name is told apart by its account.
    const two = pinnableCameras([wall('w', [['a1', 'lobby'], ['a2', 'lobby']])], base, [account('a1', 'Site A'), account('a2', 'Site B')]);
    expect(two.map((c) => c.label)).toEqual(['lobby (Site A)', 'lobby (Site B)']);
  });

  it('saves the ceiling and the pins as the contract takes them; empty keeps the default', () => {
    const cameras = pinnableCameras([wall('w', [['a1', 'lobby'], ['a1', 'dock']])], base, [account('a1')]);
    const lobby = cameras.find((c) => c.ref.streamName === 'lobby')!;
    const checked = validateDecode({ cpuCeilingPercent: ' 65 % ', pinned: [lobby.key, 'not offered'] }, cameras);
    expect(checked.update).toEqual({ decode: { cpuCeilingPercent: 65, fullRateCameras: [{ accountId: 'a1', streamName: 'lobby' }] } });
    const stored = SettingsSchema.parse({ ...base, ...checked.update });
    expect(decodeDraftOf(stored)).toEqual({ cpuCeilingPercent: '65', pinned: [cameraKey({ accountId: 'a1', streamName: 'lobby' })] });
    expect(validateDecode({ cpuCeilingPercent: '', pinned: [] }, cameras).update).toEqual({ decode: { fullRateCameras: [] } });
  });

  it('refuses a ceiling out of the schema range or not a whole number, next to its field', () => {
    for (const typed of ['29', '101', '70.5', 'eighty', '-50']) {
      expect(validateDecode({ cpuCeilingPercent: typed, pinned: [] }, []).errors).toEqual({ 'decode.cpuCeilingPercent': ceilingRangeText() });
    }
    expect(ceilingRangeText()).toBe('Enter a whole number from 30 to 100\u00a0%, or leave it empty for 80\u00a0%.');
  });

  it('refuses more pins than the contract allows', () => {
    const many = pinnableCameras([wall('w', Array.from({ length: 65 }, (_, i) => ['a1', `cam-${i}`] as [string, string]))], base, [account('a1')]);
    expect(validateDecode({ cpuCeilingPercent: '', pinned: many.map((c) => c.key) }, many).errors).toEqual({ 'decode.fullRateCameras': 'At most 64 cameras can be pinned.' });
    expect(validateDecode({ cpuCeilingPercent: '', pinned: many.slice(0, 64).map((c) => c.key) }, many).update?.decode.fullRateCameras).toHaveLength(64);
  });

  it('main refuses what the form would refuse', () => {
    expect(SettingsSchema.partial().strict().safeParse({ decode: { cpuCeilingPercent: 20 } }).success).toBe(false);
    expect(SettingsSchema.partial().strict().safeParse({ decode: { fullRateCameras: [{ accountId: 'a1', streamName: 'bad name!' }] } }).success).toBe(false);
    expect(SettingsSchema.partial().strict().safeParse({ decode: { cpuCeilingPercent: 90, extra: 1 } }).success).toBe(false);
  });
});
