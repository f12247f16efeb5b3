import { describe, expect, it } from 'vitest';
import { classifyFailure as classify, errorTypeOf } from '../../../renderer/src/player/failure';
import { clockMinutes, clockTime, tileBadge, tileNotes } from '../../../renderer/src/tiles/tile-badge';

const at = new Date(2024, 0, 1, 12, 3, 4).getTime();

describe('tile badge', () => {
  it('says live with the latency', () => {
    expect(tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { kind: 'playing', latencyMs: 4560, renewing: false })).toEqual({ tone: 'live', label: 'LIVE 4.6 s' });
    expect(tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { kind: 'playing', renewing: true }).label).toBe('LIVE · renewing');
    // A tile the decode budget lowered to key frames says how often its picture changes, and why.
    const reduced = tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { kind: 'playing', latencyMs: 3200, renewing: false, reduced: { tier: 'key-frames', fps: 0.5 } });
    expect(reduced).toMatchObject({ tone: 'live', label: 'LIVE 3.2 s · 0.5 fps' });
    expect(reduced.detail).toMatch(/Key frames only/);
    expect(tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { kind: 'playing', renewing: true, reduced: { tier: 'key-frames', fps: 1 } }).label).toBe('LIVE · 1 fps · renewing');
  });

  it("gives the tile bar's notes: the picture rate of a key-frames tile first, then the player's own", () => {
    expect(tileNotes({ kind: 'playing', renewing: false, reduced: { tier: 'key-frames', fps: 0.5 }, notes: ['software decode'] })).toEqual(['0.5 fps', 'software decode']);
    expect(tileNotes({ kind: 'playing', renewing: false })).toEqual([]);
    expect(tileNotes({ kind: 'buffering' })).toEqual([]);
    expect(tileNotes(null)).toEqual([]);
  });

  it('adds what the operator should know about the picture: sound it cannot play, software decode', () => {
    const phase = { kind: 'playing', latencyMs: 3400, renewing: false, notes: ['software decode', 'audio: G.711 not supported'] } as const;
    expect(tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { ...phase, notes: [...phase.notes] }).label).toBe('LIVE 3.4 s · software decode · audio: G.711 not supported');
  });

  it('says why a tile waits in main’s words, and when the next session frees in the page’s clock', () => {
    const reason = '10 of 10 sessions on this camera are in use: 6 on this wall, 4 elsewhere';
    expect(tileBadge({ kind: 'waiting', until: at, reason }, null)).toEqual({ tone: 'warn', label: 'Waiting · next one frees 12:03', detail: reason });
    expect(clockMinutes(at)).toBe('12:03');
    // Never a bare wait: without main's sentence the badge still says what it waits for.
    const bare = tileBadge({ kind: 'waiting' }, null);
    expect(bare.label).toBe('Waiting for a session');
    expect(bare.detail).toMatch(/Every session this app may use on this camera is taken/);
  });

  it('gives the reason and next retry of an error', () => {
    const badge = tileBadge({ kind: 'error', error: { code: 'ClientLimitExceededException', message: 'Too many requests', retryable: true }, retryAt: at }, null);
    expect(badge.tone).toBe('error');
    expect(badge.label).toBe(`Error: Too many requests · retry ${clockTime(at)}`);
  });

  it('keeps a playing tile live while its renewal waits for a slot', () => {
    expect(tileBadge({ kind: 'waiting', until: at }, { kind: 'playing', renewing: true, latencyMs: 4000 }).label).toBe('LIVE 4.0 s · renewing');
  });

  it('keeps a playing tile live while the broker reports a session error', () => {
    const badge = tileBadge({ kind: 'error', error: { code: 'X', message: 'm', retryable: true } }, { kind: 'playing', renewing: false });
    expect(badge.tone).toBe('live');
  });

  it('names a stopped camera, a lost network and an unsupported codec', () => {
    const g = { kind: 'granted', sessionId: 's', expiresAt: 0 } as const;
    expect(tileBadge(g, { kind: 'camera-offline', since: at }).label).toBe(`Camera offline · no video since ${clockTime(at)}`);
    expect(tileBadge(g, { kind: 'network-offline', retryAt: at }).label).toBe(`Offline · network unreachable · retry ${clockTime(at)}`);
    expect(tileBadge(g, { kind: 'unsupported', codec: 'hvc1.1.6.L93.B0' }).label).toBe('Unsupported codec on this machine (hvc1.1.6.L93.B0)');
  });

  it('labels look-back playback', () => {
    const g = { kind: 'granted', sessionId: 's', expiresAt: 0 } as const;
    expect(tileBadge(g, { kind: 'playing', latencyMs: 60_000, renewing: false }, 'LIVE_REPLAY').label).toBe('REPLAY');
  });
});

describe('failure classification', () => {
  const http = (status: number, body = '') => ({ code: 1001, data: ['https://x/getDASHManifest.mpd', status, body, {}, 0] });

  it('separates refused sessions, missing fragments, throttling and server errors', () => {
    expect(classify(http(403))).toEqual({ kind: 'session-refused', status: 403 });
    expect(classify(http(401))).toEqual({ kind: 'session-refused', status: 401 });
    expect(classify(http(404))).toEqual({ kind: 'no-fragments', status: 404 });
    expect(classify(http(400, '{"__type":"ClientLimitExceededException"}'))).toEqual({ kind: 'throttled', status: 400, errorType: 'ClientLimitExceededException' });
    expect(classify(http(503))).toEqual({ kind: 'server', status: 503 });
  });

  it('treats unreachable hosts and timeouts as the network', () => {
    expect(classify({ code: 1002, data: [] })).toEqual({ kind: 'network' });
    expect(classify({ code: 1003, data: [] })).toEqual({ kind: 'network' });
  });

  it('recognises content the browser cannot decode', () => {
    expect(classify({ code: 4032, data: [] })).toEqual({ kind: 'unsupported' });
    expect(classify(new Error('x'))).toEqual({ kind: 'other', code: 0 });
  });
});

describe('error type of a failed KVS answer', () => {
  it('reads the header Shaka hands over (lower-cased, only when exposed), else the JSON body', () => {
    expect(errorTypeOf({ 'x-amzn-errortype': 'ClientLimitExceededException:http://internal.amazon.com/coral/' }, '')).toBe('ClientLimitExceededException');
    expect(errorTypeOf({ 'x-amz-errortype': 'NotAuthorizedException' }, null)).toBe('NotAuthorizedException');
    expect(errorTypeOf({}, '{"__type":"com.amazonaws.kinesisvideo#ClientLimitExceededException","Message":"slow down"}')).toBe('ClientLimitExceededException');
    expect(errorTypeOf(undefined, 'Bad Request')).toBeUndefined();
    // Only a plain name goes to main: anything else would be refused by the contract.
    expect(errorTypeOf({ 'x-amzn-errortype': 'Weird <name>' }, '')).toBeUndefined();
  });

  it('classifies a 400 ClientLimitExceededException as throttled, carrying its type', () => {
    const shaka = (status: number, headers: object, body = '') => ({ code: 1001, data: ['https://x/getMP4MediaFragment.mp4', status, body, headers, 1] });
    expect(classify(shaka(400, { 'x-amzn-errortype': 'ClientLimitExceededException' }))).toEqual({ kind: 'throttled', status: 400, errorType: 'ClientLimitExceededException' });
    // Another 400 is not a throttle, whatever its text says.
    expect(classify(shaka(400, { 'x-amzn-errortype': 'InvalidArgumentException' }, 'Limit of fragments'))).toEqual({ kind: 'other', code: 1001 });
    expect(classify(shaka(429, {}))).toEqual({ kind: 'throttled', status: 429 });
  });
});
