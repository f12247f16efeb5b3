import { describe, expect, it } from 'vitest';
import { toStreamInfo, unplayableReason } from '../../../main/kvs/catalogue';
import { sessionRequest } from '../../../main/kvs/session-issuer';

const raw = {
  StreamName: 'lobby',
  StreamARN: 'arn:aws:kinesisvideo:us-west-2:123456789012:stream/lobby/1598784211076',
  Status: 'ACTIVE' as const,
  MediaType: 'video/h264',
  DataRetentionInHours: 24,
  CreationTime: new Date(1598784211076),
};

describe('stream playability', () => {
  it('a healthy H.264 stream is playable', () => {
    expect(toStreamInfo(raw)).toEqual({ name: 'lobby', arn: raw.StreamARN, status: 'ACTIVE', mediaType: 'video/h264', retentionHours: 24, createdAt: 1598784211076, playable: true });
  });

  it.each([
    [{ DataRetentionInHours: 0 }, 'keeps no media — data retention is 0 hours'],
    [{ Status: 'CREATING' as const }, 'the stream is creating, not active'],
    [{ Status: 'DELETING' as const }, 'the stream is deleting, not active'],
    [{ MediaType: 'video/vp8' }, 'media type video/vp8 is not H.264 or H.265 video'],
    [{ MediaType: 'audio/aac' }, 'media type audio/aac is not H.264 or H.265 video'],
  ])('marks %o unplayable', (change, reason) => {
    expect(toStreamInfo({ ...raw, ...change })).toMatchObject({ playable: false, unplayableReason: reason });
  });

  it('accepts H.265, video+audio and a missing media type', () => {
    expect(unplayableReason({ status: 'ACTIVE', retentionHours: 1, mediaType: 'video/h265' })).toBeUndefined();
    expect(unplayableReason({ status: 'ACTIVE', retentionHours: 1, mediaType: 'video/h264,audio/aac' })).toBeUndefined();
    expect(unplayableReason({ status: 'ACTIVE', retentionHours: 1 })).toBeUndefined();
  });

  it('drops entries AWS described badly instead of trusting them', () => {
    expect(toStreamInfo({ ...raw, StreamName: 'bad name!' })).toBeUndefined();
    expect(toStreamInfo({ ...raw, StreamName: undefined })).toBeUndefined();
    expect(toStreamInfo({ ...raw, DataRetentionInHours: -1 })).toBeUndefined();
  });
});

describe('sessionRequest', () => {
  it('LIVE asks for kvs:ts, the expiry and the newest 5 fragments, with no selector', () => {
    expect(sessionRequest('lobby', { mode: 'LIVE' }, 1800)).toEqual({
      StreamName: 'lobby',
      PlaybackMode: 'LIVE',
      DisplayFragmentTimestamp: 'ALWAYS',
      Expires: 1800,
      MaxManifestFragmentResults: 5,
    });
  });

  it('says MaxManifestFragmentResults explicitly: it prices every manifest GET', () => {
    expect(sessionRequest('lobby', { mode: 'LIVE_REPLAY', start: 1000, selector: 'SERVER_TIMESTAMP' }, 600).MaxManifestFragmentResults).toBe(5);
    // ON_DEMAND: room for every fragment the range can hold (KVS fragments last at least 1 s).
    expect(sessionRequest('lobby', { mode: 'ON_DEMAND', start: 0, end: 300_000, selector: 'SERVER_TIMESTAMP' }, 600).MaxManifestFragmentResults).toBe(301);
    // At most 1,000: what both KVS quota tables accept.
    expect(sessionRequest('lobby', { mode: 'ON_DEMAND', start: 0, end: 86_400_000, selector: 'SERVER_TIMESTAMP' }, 600).MaxManifestFragmentResults).toBe(1000);
  });

  it('LIVE_REPLAY has a start only; ON_DEMAND has start and end', () => {
    expect(sessionRequest('lobby', { mode: 'LIVE_REPLAY', start: 1000, selector: 'SERVER_TIMESTAMP' }, 600).DASHFragmentSelector).toEqual({
      FragmentSelectorType: 'SERVER_TIMESTAMP',
      TimestampRange: { StartTimestamp: new Date(1000) },
    });
    expect(sessionRequest('lobby', { mode: 'ON_DEMAND', start: 1000, end: 5000, selector: 'PRODUCER_TIMESTAMP' }, 600)).toMatchObject({
      PlaybackMode: 'ON_DEMAND',
      DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(1000), EndTimestamp: new Date(5000) } },
    });
  });
});
