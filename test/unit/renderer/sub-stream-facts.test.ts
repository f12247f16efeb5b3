import { describe, expect, it } from 'vitest';
import type { CallName, CallRequest, CallResponse, WallApi } from '../../../shared/contract';
import { WallApiError, appError } from '../../../shared/errors';
import { SUB_STREAM_TAG, type StreamTags } from '../../../shared/model';
import { mergeFacts, nothingKnown, readSubStreamFacts, subStreamOf } from '../../../renderer/src/walls/sub-stream-facts';

/** Main's `streams.tags` and `streams.all` over a fixed account list, recording the calls. */
function api(accounts: Record<string, { tags: Record<string, StreamTags>; streams: string[]; truncated?: boolean; tagsFail?: boolean }>) {
  const calls: Array<{ name: CallName; request: unknown }> = [];
  const client = {
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
      calls.push({ name, request });
      if (name === 'streams.tags') {
        const r = request as CallRequest<'streams.tags'>;
        const account = accounts[r.accountId]!;
        if (account.tagsFail) throw new WallApiError(appError('AccessDeniedException', 'no ListTagsForStream'));
        return { tags: Object.fromEntries(r.streamNames.filter((n) => account.tags[n]).map((n) => [n, account.tags[n]!])) } as CallResponse<N>;
      }
      if (name === 'streams.all') {
        const account = accounts[(request as CallRequest<'streams.all'>).accountId]!;
        return { streams: account.streams.map((n) => ({ name: n, arn: n, status: 'ACTIVE', retentionHours: 24, playable: true })), truncated: account.truncated ?? false, fromCache: false, fetchedAt: 0 } as CallResponse<N>;
      }
      throw new Error(`unexpected ${name}`);
    },
    on: () => () => undefined,
  } as unknown as WallApi;
  return { client, calls };
}

const lobby = { accountId: 'a1', streamName: 'lobby' };
const gate = { accountId: 'a1', streamName: 'gate' };
const yard = { accountId: 'a2', streamName: 'yard' };

describe("a wall's sub-stream facts", () => {
  it('reads the cameras\' tags per account, and the stream list only of an account where a camera names a sub-stream', async () => {
    const { client, calls } = api({
      a1: { tags: { lobby: { [SUB_STREAM_TAG]: 'lobby-sub' }, gate: {} }, streams: ['lobby', 'lobby-sub', 'gate'] },
      a2: { tags: { yard: { site: 'x' } }, streams: ['yard'] },
    });
    const facts = await readSubStreamFacts(client, [lobby, gate, yard], undefined);
    expect(calls.map((c) => c.name).sort()).toEqual(['streams.all', 'streams.tags', 'streams.tags']);
    expect(calls.find((c) => c.name === 'streams.all')?.request).toEqual({ accountId: 'a1' });
    expect(subStreamOf(lobby, undefined, facts)).toEqual({ kind: 'sub', subStream: 'lobby-sub', from: 'tag' });
    expect(subStreamOf(gate, undefined, facts)).toEqual({ kind: 'none' });
    expect(subStreamOf(yard, undefined, facts)).toEqual({ kind: 'none' });
    // A camera not asked about yet is unknown: its tile waits (a while) before its first session.
    expect(subStreamOf({ accountId: 'a1', streamName: 'dock' }, undefined, facts)).toBe('unknown');
  });

  it('checks a named sub-stream against the account\'s streams only when the list is whole', async () => {
    const settings = [{ ...gate, subStream: 'gate-gone' }];
    const whole = await readSubStreamFacts(api({ a1: { tags: {}, streams: ['gate'] } }).client, [gate], settings);
    expect(subStreamOf(gate, settings, whole)).toMatchObject({ kind: 'invalid', reason: 'the setting names gate-gone, which is not a stream of this account' });
    const truncated = await readSubStreamFacts(api({ a1: { tags: {}, streams: ['gate'], truncated: true } }).client, [gate], settings);
    expect(subStreamOf(gate, settings, truncated)).toEqual({ kind: 'sub', subStream: 'gate-gone', from: 'setting' });
  });

  it('without tags (no permission) follows the settings alone, and the cameras count as asked', async () => {
    const settings = [{ ...lobby, subStream: 'lobby-sub' }];
    const facts = await readSubStreamFacts(api({ a1: { tags: { gate: { [SUB_STREAM_TAG]: 'gate-sub' } }, streams: ['lobby', 'lobby-sub', 'gate', 'gate-sub'], tagsFail: true } }).client, [lobby, gate], settings);
    expect(subStreamOf(lobby, settings, facts)).toEqual({ kind: 'sub', subStream: 'lobby-sub', from: 'setting' });
    expect(subStreamOf(gate, settings, facts)).toEqual({ kind: 'none' });
  });

  it('after the wait, knows nothing but lets the tiles start; what is read later wins', async () => {
    const waited = mergeFacts(nothingKnown([lobby]), mergeFacts(nothingKnown([]), nothingKnown([])));
    expect(subStreamOf(lobby, undefined, waited)).toEqual({ kind: 'none' });
    const read = await readSubStreamFacts(api({ a1: { tags: { lobby: { [SUB_STREAM_TAG]: 'lobby-sub' } }, streams: ['lobby', 'lobby-sub'] } }).client, [lobby], undefined);
    expect(subStreamOf(lobby, undefined, mergeFacts(waited, read))).toMatchObject({ kind: 'sub' });
    expect(subStreamOf(lobby, undefined, mergeFacts(nothingKnown([lobby]), read))).toMatchObject({ kind: 'sub' });
  });
});
