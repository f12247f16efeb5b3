import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../renderer/src/player/failure';
import { clockTime, tileBadge } from '../../../renderer/src/tiles/tile-badge';

const at = new Date(2024, 0, 1, 12, 3, 4).getTime();

describe('tile badge', () => {
  it('says live with the latency', () => {
    expect(tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { kind: 'playing', latencyMs: 4560, renewing: false })).toEqual({ tone: 'live', label: 'LIVE 4.6 s' });
    expect(tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { kind: 'playing', renewing: true }).label).toBe('LIVE · renewing');
  });

  it('adds what the operator should know about the picture: sound it cannot play, software decode', () => {
    const phase = { kind: 'playing', latencyMs: 3400, renewing: false, notes: ['software decode', 'audio: G.711 not supported'] } as const;
    expect(tileBadge({ kind: 'granted', sessionId: 's', expiresAt: 0 }, { ...phase, notes: [...phase.notes] }).label).toBe('LIVE 3.4 s · software decode · audio: G.711 not supported');
  });

  it('says when a waiting tile gets its slot', () => {
    expect(tileBadge({ kind: 'waiting', until: at, reason: 'all 10 sessions in use' }, null)).toEqual({
      tone: 'warn',
      label: `Waiting for a session slot · frees ${clockTime(at)}`,
      detail: 'all 10 sessions in use',
    });
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
    expect(classifyFailure(http(403))).toEqual({ kind: 'session-refused', status: 403 });
    expect(classifyFailure(http(401))).toEqual({ kind: 'session-refused', status: 401 });
    expect(classifyFailure(http(404))).toEqual({ kind: 'no-fragments', status: 404 });
    expect(classifyFailure(http(400, '{"__type":"ClientLimitExceededException"}'))).toEqual({ kind: 'throttled', status: 400 });
    expect(classifyFailure(http(503))).toEqual({ kind: 'server', status: 503 });
  });

  it('treats unreachable hosts and timeouts as the network', () => {
    expect(classifyFailure({ code: 1002, data: [] })).toEqual({ kind: 'network' });
    expect(classifyFailure({ code: 1003, data: [] })).toEqual({ kind: 'network' });
  });

  it('recognises content the browser cannot decode', () => {
    expect(classifyFailure({ code: 4032, data: [] })).toEqual({ kind: 'unsupported' });
    expect(classifyFailure(new Error('x'))).toEqual({ kind: 'other', code: 0 });
  });
});
