import { describe, expect, it } from 'vitest';
import { calls } from '../../../shared/contract';
import { SettingsSchema, SUB_STREAM_TAG, SubStreamSettingsSchema } from '../../../shared/model';
import { resolveSubStream, shownStream, taggedSubStreams } from '../../../shared/sub-streams';

const lobby = { accountId: 'demo', streamName: 'lobby' };

describe("a camera's sub-stream", () => {
  it('comes from the camera tag when nothing is set', () => {
    expect(resolveSubStream(lobby, { tags: { [SUB_STREAM_TAG]: 'lobby-sub', site: 'hq' } })).toEqual({ kind: 'sub', subStream: 'lobby-sub', from: 'tag' });
  });

  it('is none without a tag or a setting', () => {
    expect(resolveSubStream(lobby, { tags: { site: 'hq' } })).toEqual({ kind: 'none' });
    expect(resolveSubStream(lobby, {})).toEqual({ kind: 'none' });
  });

  it('follows the setting over the tag, and a null setting turns a tagged sub-stream off', () => {
    const tags = { [SUB_STREAM_TAG]: 'lobby-sub' };
    expect(resolveSubStream(lobby, { tags, settings: [{ ...lobby, subStream: 'lobby-low' }] })).toEqual({ kind: 'sub', subStream: 'lobby-low', from: 'setting' });
    expect(resolveSubStream(lobby, { tags, settings: [{ ...lobby, subStream: null }] })).toEqual({ kind: 'none', from: 'setting' });
  });

  it('takes only the setting of the same camera on the same account', () => {
    const settings = [
      { accountId: 'other', streamName: 'lobby', subStream: 'x' },
      { accountId: 'demo', streamName: 'gate-2', subStream: 'y' },
    ];
    expect(resolveSubStream(lobby, { settings })).toEqual({ kind: 'none' });
  });

  it('refuses a tag that is not a stream name, or that names the camera itself, saying which', () => {
    const bad = resolveSubStream(lobby, { tags: { [SUB_STREAM_TAG]: 'lobby sub!' } });
    expect(bad).toMatchObject({ kind: 'invalid', from: 'tag' });
    expect(bad.kind === 'invalid' && bad.reason).toMatch(/kvs-wall:sub-stream names "lobby sub!", which is not a KVS stream name/);
    const self = resolveSubStream(lobby, { tags: { [SUB_STREAM_TAG]: 'lobby' } });
    expect(self.kind === 'invalid' && self.reason).toMatch(/camera's own stream/);
    expect(resolveSubStream(lobby, { tags: { [SUB_STREAM_TAG]: '' } })).toMatchObject({ kind: 'invalid' });
  });

  it('refuses a sub-stream the account does not have, when the account list is known', () => {
    const streams = new Set(['lobby', 'lobby-sub']);
    expect(resolveSubStream(lobby, { tags: { [SUB_STREAM_TAG]: 'lobby-sub' }, streams })).toMatchObject({ kind: 'sub' });
    const missing = resolveSubStream(lobby, { settings: [{ ...lobby, subStream: 'lobby-gone' }], streams });
    expect(missing).toMatchObject({ kind: 'invalid', from: 'setting' });
    expect(missing.kind === 'invalid' && missing.reason).toBe('the setting names lobby-gone, which is not a stream of this account');
  });

  it('is played only by a live grid tile: selected, maximised and replaying tiles show the camera', () => {
    const sub = resolveSubStream(lobby, { tags: { [SUB_STREAM_TAG]: 'lobby-sub' } });
    expect(shownStream(lobby, sub, { featured: false, live: true })).toEqual({ accountId: 'demo', streamName: 'lobby-sub' });
    expect(shownStream(lobby, sub, { featured: true, live: true })).toEqual(lobby);
    expect(shownStream(lobby, sub, { featured: false, live: false })).toEqual(lobby);
    expect(shownStream(lobby, { kind: 'invalid', from: 'tag', reason: 'x' }, { featured: false, live: true })).toEqual(lobby);
  });

  it('lists the streams tagged as sub-streams, for a first wall to leave out', () => {
    const names = taggedSubStreams({ lobby: { [SUB_STREAM_TAG]: 'lobby-sub' }, gate: { [SUB_STREAM_TAG]: 'gate' }, yard: { [SUB_STREAM_TAG]: 'bad name' }, dock: {} });
    expect([...names]).toEqual(['lobby-sub']);
  });
});

describe('the sub-stream settings contract', () => {
  const update = calls['settings.update'].request;

  it('accepts sub-streams and a null that turns one off', () => {
    const ok = update.safeParse({ subStreams: [{ ...lobby, subStream: 'lobby-sub' }, { accountId: 'demo', streamName: 'gate-2', subStream: null }] });
    expect(ok.success).toBe(true);
  });

  it('refuses a camera naming itself, a bad name, a camera listed twice, and unknown fields, each at its field', () => {
    const self = update.safeParse({ subStreams: [{ ...lobby, subStream: 'lobby' }] });
    expect(self.success).toBe(false);
    expect(self.error?.issues[0]).toMatchObject({ path: ['subStreams', 0, 'subStream'], message: expect.stringMatching(/another stream than the camera's own/) });

    const badName = update.safeParse({ subStreams: [{ ...lobby, subStream: 'lobby sub' }] });
    expect(badName.error?.issues[0]?.path).toEqual(['subStreams', 0, 'subStream']);

    const twice = SubStreamSettingsSchema.safeParse([{ ...lobby, subStream: 'a' }, { ...lobby, subStream: 'b' }]);
    expect(twice.error?.issues[0]).toMatchObject({ path: [1, 'streamName'], message: 'lobby is listed twice: a camera has one sub-stream' });

    expect(update.safeParse({ subStreams: [{ ...lobby, subStream: 'a', extra: 1 }] }).success).toBe(false);
    expect(update.safeParse({ subStreams: [{ accountId: '../x', streamName: 'lobby', subStream: 'a' }] }).success).toBe(false);
    expect(SettingsSchema.safeParse({ sessionExpiresSeconds: 1800, sessionReservePerStream: 0, subStreams: 'lobby-sub' }).success).toBe(false);
  });

  it('session.acquire takes a handover flag, a boolean only', () => {
    const acquire = calls['session.acquire'].request;
    const base = { tileId: 'w1:3', stream: lobby, playback: { mode: 'LIVE' } };
    expect(acquire.safeParse({ ...base, handover: true }).success).toBe(true);
    expect(acquire.safeParse(base).success).toBe(true);
    expect(acquire.safeParse({ ...base, handover: 'yes' }).success).toBe(false);
  });

  it('bounds the list', () => {
    const many = Array.from({ length: 257 }, (_, i) => ({ accountId: 'demo', streamName: `cam-${i}`, subStream: `cam-${i}-sub` }));
    expect(SubStreamSettingsSchema.safeParse(many).success).toBe(false);
    expect(SubStreamSettingsSchema.safeParse(many.slice(0, 256)).success).toBe(true);
  });
});
