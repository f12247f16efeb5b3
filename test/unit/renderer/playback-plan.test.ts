import { describe, expect, it } from 'vitest';
import { codecLabel, codecsOfMediaType, planPlayback, type DecodeAbilities } from '../../../renderer/src/player/codecs/playback-plan';

/** Debian's Chromium: H.264 and AAC in MSE, no HEVC, no G.711, FLAC yes; WebAssembly and WebCodecs frames yes. */
const debianChromium = (codec: { video?: string; audio?: string }): DecodeAbilities => ({
  platformVideo: /^avc1/.test(codec.video ?? ''),
  platformAudio: /^mp4a/.test(codec.audio ?? ''),
  softwareHevc: true,
  g711ToMse: true,
});

const plan = (codecs: { video?: string; audio?: string }, overrides: Partial<DecodeAbilities> = {}, options = { muted: true, softwareSlotFree: true }) =>
  planPlayback(codecs, { ...debianChromium(codecs), ...overrides }, options);

describe('planPlayback', () => {
  it('plays H.264 through the platform decoder, with no audio to fetch', () => {
    expect(plan({ video: 'avc1.64001e' })).toEqual({ video: { kind: 'platform', codec: 'avc1.64001e' }, audio: { kind: 'none' }, hasAudio: false, audioPlayable: false, fetchAudio: false });
  });

  it('prefers the platform H.265 decoder where it exists (Windows, macOS, VAAPI)', () => {
    expect(plan({ video: 'hvc1.1.6.L93.B0' }, { platformVideo: true }).video).toEqual({ kind: 'platform', codec: 'hvc1.1.6.L93.B0' });
  });

  it('sends H.265 to the software decoder when the platform has none and the budget has a slot', () => {
    expect(plan({ video: 'hvc1.1.6.L93.B0' }).video).toEqual({ kind: 'software', codec: 'hvc1.1.6.L93.B0' });
    expect(plan({ video: 'hev1.1.6.L120.90' }).video.kind).toBe('software');
  });

  it('says why H.265 cannot play beyond the software limit, or without a software decoder', () => {
    expect(plan({ video: 'hvc1.1.6.L93.B0' }, {}, { muted: true, softwareSlotFree: false }).video).toEqual({
      kind: 'unsupported',
      codec: 'hvc1.1.6.L93.B0',
      reason: 'H.265: software decode limit reached on this machine',
    });
    expect(plan({ video: 'hvc1.1.6.L93.B0' }, { softwareHevc: false }).video).toMatchObject({ kind: 'unsupported', reason: "This machine can't decode H.265" });
    // No software path for other codecs: the sentence names them.
    expect(plan({ video: 'av01.0.05M.08' }).video).toMatchObject({ kind: 'unsupported', reason: "This machine can't decode av01.0.05M.08" });
  });

  it('fetches AAC only when the tile is unmuted', () => {
    const muted = plan({ video: 'avc1.64001e', audio: 'mp4a.40.2' });
    expect(muted).toMatchObject({ audio: { kind: 'platform', codec: 'mp4a.40.2' }, hasAudio: true, audioPlayable: true, fetchAudio: false });
    expect(plan({ video: 'avc1.64001e', audio: 'mp4a.40.2' }, {}, { muted: false, softwareSlotFree: true }).fetchAudio).toBe(true);
  });

  it('routes G.711 through the renderer when MSE refuses it, and fetches it only unmuted', () => {
    const unmuted = plan({ video: 'avc1.64001e', audio: 'alaw' }, {}, { muted: false, softwareSlotFree: true });
    expect(unmuted).toMatchObject({ audio: { kind: 'g711', codec: 'alaw', law: 'alaw' }, audioPlayable: true, fetchAudio: true });
    expect(plan({ video: 'avc1.64001e', audio: 'ulaw' }).audio).toEqual({ kind: 'g711', codec: 'ulaw', law: 'ulaw' });
    // Safari-style platforms that take G.711 in MSE keep their own decoder.
    expect(plan({ video: 'avc1.64001e', audio: 'alaw' }, { platformAudio: true }).audio.kind).toBe('platform');
  });

  it('never fetches audio it cannot play, muted or not, and says so', () => {
    const p = plan({ video: 'avc1.64001e', audio: 'alaw' }, { g711ToMse: false }, { muted: false, softwareSlotFree: true });
    expect(p).toMatchObject({ audio: { kind: 'unsupported', reason: 'audio: G.711 not supported' }, hasAudio: true, audioPlayable: false, fetchAudio: false });
    expect(plan({ video: 'avc1.64001e', audio: 'ec-3' }, {}, { muted: false, softwareSlotFree: true }).audio).toMatchObject({ kind: 'unsupported', reason: 'audio: ec-3 not supported' });
  });
});

describe('codecsOfMediaType', () => {
  it('reads a KVS MediaType list into probe codecs', () => {
    expect(codecsOfMediaType('video/h264,audio/aac')).toEqual({ video: 'avc1.42E01E', audio: 'mp4a.40.2' });
    expect(codecsOfMediaType('video/h265')).toEqual({ video: 'hvc1.1.6.L93.B0' });
    expect(codecsOfMediaType(' VIDEO/H264 , audio/alaw')).toEqual({ video: 'avc1.42E01E', audio: 'alaw' });
    expect(codecsOfMediaType('video/h264,audio/mulaw').audio).toBe('ulaw');
  });

  it('keeps unknown types by name and ignores empty input', () => {
    expect(codecsOfMediaType('video/vp9,audio/opus')).toEqual({ video: 'vp9', audio: 'opus' });
    expect(codecsOfMediaType(undefined)).toEqual({});
    expect(codecsOfMediaType('')).toEqual({});
  });

  it('labels codecs for the operator', () => {
    expect(['avc1.64001e', 'hev1.1.6.L93.B0', 'mp4a.40.2', 'alaw', 'ulaw', 'opus'].map(codecLabel)).toEqual(['H.264', 'H.265', 'AAC', 'G.711 A-law', 'G.711 µ-law', 'opus']);
  });
});
