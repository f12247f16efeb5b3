import { describe, expect, it } from 'vitest';
import { SettingsSchema, SUB_STREAM_TAG, type AccountSummary, type Settings, type Wall } from '../../../shared/model';
import { subStreamRows, tagText, validateSubStreams } from '../../../renderer/src/settings/sub-stream-form';
import { streamNote, subStreamTrouble } from '../../../renderer/src/tiles/sub-stream-note';

const account = (id: string, name = id): AccountSummary => ({ id, kind: 'keys', name, region: 'us-east-1', accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', hasSessionToken: false });
const base: Settings = { sessionExpiresSeconds: 1800, sessionReservePerStream: 0 };
const wall = (streams: string[]): Wall => ({
  id: 'w',
  name: 'w',
  grid: 3,
  tiles: streams.map((streamName, cell) => ({ cell, colSpan: 1, rowSpan: 1, muted: true, stream: { accountId: 'a1', streamName } })),
});

describe('sub-streams settings form', () => {
  it('offers every camera on a wall and every camera with a setting, each as set', () => {
    const settings: Settings = { ...base, subStreams: [{ accountId: 'a1', streamName: 'gone', subStream: null }, { accountId: 'a1', streamName: 'lobby', subStream: 'lobby-low' }] };
    const rows = subStreamRows([wall(['lobby', 'dock'])], settings, [account('a1')]);
    expect(rows.map((r) => [r.label, r.mode, r.stream])).toEqual([
      ['dock', 'tag', ''],
      ['gone', 'none', ''],
      ['lobby', 'stream', 'lobby-low'],
    ]);
  });

  it('saves what the contract takes, and main stores it', () => {
    const rows = subStreamRows([wall(['lobby', 'dock', 'gate'])], base, [account('a1')]);
    rows[0]!.mode = 'none'; // dock
    rows[2]!.mode = 'stream'; // lobby
    rows[2]!.stream = ' lobby-sub ';
    const checked = validateSubStreams(rows, new Map([['a1', new Set(['lobby', 'lobby-sub', 'dock', 'gate'])]]));
    expect(checked.update).toEqual({
      subStreams: [
        { accountId: 'a1', streamName: 'dock', subStream: null },
        { accountId: 'a1', streamName: 'lobby', subStream: 'lobby-sub' },
      ],
    });
    expect(SettingsSchema.parse({ ...base, ...checked.update }).subStreams).toHaveLength(2);
  });

  it('refuses, next to its camera, a missing name, a bad name, the camera itself and a stream the account lacks', () => {
    const rows = subStreamRows([wall(['a', 'b', 'c', 'd'])], base, [account('a1')]);
    const [a, b, c, d] = rows;
    a!.mode = 'stream';
    b!.mode = 'stream';
    b!.stream = 'b sub';
    c!.mode = 'stream';
    c!.stream = 'c';
    d!.mode = 'stream';
    d!.stream = 'd-gone';
    const checked = validateSubStreams(rows, new Map([['a1', new Set(['a', 'b', 'c', 'd'])]]));
    expect(checked.errors).toEqual({
      [`subStreams.${a!.key}`]: 'Name the sub-stream, or choose “from its tag” or “none”.',
      [`subStreams.${b!.key}`]: 'This names "b sub", which is not a KVS stream name (1–256 of a-z A-Z 0-9 _ . -).',
      [`subStreams.${c!.key}`]: "This names the camera's own stream as its sub-stream.",
      [`subStreams.${d!.key}`]: 'This names d-gone, which is not a stream of this account.',
    });
    // Unknown account list: a well-formed name is taken (the tile says so if it gets no session).
    a!.mode = 'tag';
    b!.mode = 'tag';
    c!.mode = 'tag';
    expect(validateSubStreams(rows, new Map()).update).toEqual({ subStreams: [{ accountId: 'a1', streamName: 'd', subStream: 'd-gone' }] });
  });

  it('says what a camera\'s tag names', () => {
    const ref = { accountId: 'a1', streamName: 'lobby' };
    expect(tagText(ref, { [SUB_STREAM_TAG]: 'lobby-sub' }, undefined)).toBe('lobby-sub');
    expect(tagText(ref, {}, undefined)).toBe('no tag: its own stream');
    expect(tagText(ref, undefined, undefined)).toBe('tags not read');
    expect(tagText(ref, { [SUB_STREAM_TAG]: 'lobby-x' }, new Set(['lobby']))).toBe('unusable: the tag kvs-wall:sub-stream names lobby-x, which is not a stream of this account');
  });
});

describe("the tile bar's stream note", () => {
  const sub = { kind: 'sub', subStream: 'lobby-sub', from: 'tag' } as const;

  it('says sub while the sub-stream shows, main while the camera\'s own does, nothing without a sub-stream', () => {
    expect(streamNote(sub, 'a1/lobby-sub', 'a1/lobby')).toMatchObject({ text: 'sub', trouble: false });
    expect(streamNote(sub, 'a1/lobby', 'a1/lobby')).toMatchObject({ text: 'main', trouble: false });
    expect(streamNote(sub, undefined, 'a1/lobby')).toBeNull();
    expect(streamNote({ kind: 'none' }, 'a1/lobby', 'a1/lobby')).toBeNull();
  });

  it('says why a named sub-stream is not used', () => {
    const note = streamNote({ kind: 'invalid', from: 'tag', reason: 'the tag kvs-wall:sub-stream names x y, which is not a KVS stream name' }, 'a1/lobby', 'a1/lobby');
    expect(note).toEqual({ text: 'no sub-stream', title: "Plays the camera's own stream: the tag kvs-wall:sub-stream names x y, which is not a KVS stream name.", trouble: true });
  });

  it('sets aside a sub-stream that got no session until its retry time', () => {
    const trouble = { subStream: 'lobby-sub', message: 'The stream lobby-sub was not found.', until: 1_000_000 };
    const aside = subStreamTrouble(sub, trouble, 999_999);
    expect(aside).toMatchObject({ kind: 'invalid', from: 'tag' });
    expect(aside.kind === 'invalid' && aside.reason).toMatch(/^its sub-stream lobby-sub got no session \(The stream lobby-sub was not found\); tried again at \d\d:\d\d:\d\d$/);
    expect(subStreamTrouble(sub, trouble, 1_000_000)).toBe(sub);
    expect(subStreamTrouble({ ...sub, subStream: 'other' }, trouble, 0)).toMatchObject({ kind: 'sub' });
  });
});
