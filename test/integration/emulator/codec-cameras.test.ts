import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeStreamCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { parse, type ParsedPlaylist } from 'mpd-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClip } from '../../../emulator/media/clip-loader';
import { archivedMedia, controlPlane, errorOf, getOk, rejection, sessionUrl, startTestEmulator, type Emulator } from './support';

const run = promisify(execFile);

let emulator: Emulator;
let advance: (ms: number) => void;
let scratch: string;

beforeAll(async () => {
  ({ emulator, advance } = await startTestEmulator({ codecCameras: true }));
  scratch = await mkdtemp(join(tmpdir(), 'kvs-codec-cameras-'));
});
afterAll(async () => {
  await emulator?.stop();
  await rm(scratch, { recursive: true, force: true });
});

interface Tracks {
  xml: string;
  video: ParsedPlaylist;
  audio: ParsedPlaylist | undefined;
}

async function tracksOf(stream: string, maxResults = 3): Promise<Tracks> {
  const url = await sessionUrl(emulator, { StreamName: stream, MaxManifestFragmentResults: maxResults, Expires: 3600 });
  const xml = await (await getOk(url)).text();
  const parsed = parse(xml, { manifestUri: url });
  expect(parsed.playlists).toHaveLength(1);
  const audio = Object.values(parsed.mediaGroups.AUDIO).flatMap((group) => Object.values(group)).flatMap((rendition) => rendition.playlists);
  expect(audio.length).toBeLessThanOrEqual(1);
  return { xml, video: parsed.playlists[0]!, audio: audio[0] };
}

const bytesOf = async (url: string): Promise<{ bytes: Buffer; type: string | null }> => {
  const res = await getOk(url);
  return { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
};

/** Independent of the emulator's own box reader: the first box of `type` found by its fourcc. */
function boxAt(bytes: Buffer, type: string): number {
  const at = bytes.indexOf(type, 0, 'latin1');
  if (at < 4) throw new Error(`no ${type} box`);
  return at - 4;
}
const trackIdOf = (fragment: Buffer) => fragment.readUInt32BE(boxAt(fragment, 'tfhd') + 12);
const decodeTimeOf = (fragment: Buffer) => {
  const tfdt = boxAt(fragment, 'tfdt');
  return fragment[tfdt + 8] === 1 ? Number(fragment.readBigUInt64BE(tfdt + 12)) : fragment.readUInt32BE(tfdt + 12);
};
/** The sample entry's fourcc: stsd's header (8), version/flags (4) and entry count (4), then the entry's size. */
const sampleEntryOf = (init: Buffer) => init.toString('latin1', boxAt(init, 'stsd') + 20, boxAt(init, 'stsd') + 24);

/** What ffprobe makes of a track's init segment followed by its fragments: its codec and the time it spans. */
async function probe(name: string, init: Buffer, fragments: readonly Buffer[]): Promise<{ codec: string; seconds: number }> {
  const path = join(scratch, name);
  await writeFile(path, Buffer.concat([init, ...fragments]));
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,start_time,duration', '-of', 'json', path]);
  const streams = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; start_time: string; duration: string }> }).streams;
  expect(streams).toHaveLength(1);
  // The fragments start where the live timeline is (tfdt), so the stream ends at start + span.
  return { codec: streams[0]!.codec_name, seconds: Number(streams[0]!.duration) - Number(streams[0]!.start_time) };
}

describe('codec cameras (real SDK, mpd-parser, ffprobe)', () => {
  it('declare their codecs in MediaType, as a KVS producer does', async () => {
    const kv = controlPlane(emulator);
    const mediaType = async (name: string) => (await kv.send(new DescribeStreamCommand({ StreamName: name }))).StreamInfo?.MediaType;
    expect(await mediaType('rooftop')).toBe('video/h265');
    expect(await mediaType('reception')).toBe('video/h264,audio/aac');
    expect(await mediaType('intercom')).toBe('video/h264,audio/alaw');
    expect(await mediaType('lobby')).toBe('video/h264');
  });

  it('list the video AdaptationSet first and the audio one second, with the codecs and MIME types KVS uses', async () => {
    const rooftop = await tracksOf('rooftop');
    expect(rooftop.video.attributes.CODECS).toMatch(/^hvc1\.1\.6\.L\d+\.[0-9A-F]+/);
    expect(rooftop.audio).toBeUndefined();

    for (const [stream, codec] of [
      ['reception', 'mp4a.40.2'],
      ['intercom', 'alaw'],
    ] as const) {
      const { xml, video, audio } = await tracksOf(stream);
      expect(video.attributes.CODECS).toMatch(/^avc1\.4d40[0-9a-f]{2}$/);
      expect(audio?.attributes.CODECS).toBe(codec);
      const sets = [...xml.matchAll(/<AdaptationSet [^>]*contentType="(\w+)" mimeType="([^"]+)" codecs="([^"]+)"/g)].map((m) => [m[1], m[2], m[3]]);
      expect(sets).toEqual([
        ['video', 'video/mp4', video.attributes.CODECS],
        ['audio', 'audio/mp4', codec],
      ]);
      // The same fragments, numbered alike, in both tracks.
      const numbers = (playlist: ParsedPlaylist | undefined) => playlist?.segments.map((s) => new URL(s.resolvedUri).searchParams.get('FragmentSequenceNumber'));
      expect(numbers(audio)).toEqual(numbers(video));
      expect(audio?.segments.every((s) => new URL(s.resolvedUri).searchParams.get('TrackNumber') === '2')).toBe(true);
    }
  });

  it.each([
    ['rooftop', 'hvc1', undefined, 'hevc', undefined],
    ['reception', 'avc1', 'mp4a', 'h264', 'aac'],
    ['intercom', 'avc1', 'alaw', 'h264', 'pcm_alaw'],
  ] as const)('%s: each track\'s init and fragments load at the manifest\'s URLs, carry their track id and decode times that run on, and decode as %s/%s', async (stream, videoEntry, audioEntry, videoCodec, audioCodec) => {
    const tracks = await tracksOf(stream, 4);
    for (const [number, playlist, entry, codec] of [
      [1, tracks.video, videoEntry, videoCodec],
      [2, tracks.audio, audioEntry, audioCodec],
    ] as const) {
      if (!entry || !codec) {
        expect(playlist).toBeUndefined();
        continue;
      }
      if (!playlist) throw new Error(`${stream} has no track ${number}`);
      const init = await bytesOf(playlist.segments[0]!.map!.resolvedUri);
      expect(init.type).toBe(number === 1 ? 'video/mp4' : 'audio/mp4');
      expect(sampleEntryOf(init.bytes)).toBe(entry);
      const fragments = [];
      for (const segment of playlist.segments) {
        const fragment = await bytesOf(segment.resolvedUri);
        expect(fragment.type).toBe(init.type);
        expect(trackIdOf(fragment.bytes)).toBe(number);
        fragments.push({ segment, bytes: fragment.bytes });
      }
      // tfdt = S@t, and each fragment starts where the previous one ended.
      const timescale = Number(/timescale="(\d+)"/.exec(tracks.xml.split('<AdaptationSet').at(number)!)?.[1]);
      for (const [i, { segment, bytes }] of fragments.entries()) {
        expect(decodeTimeOf(bytes)).toBe(Math.round(segment.presentationTime! * timescale));
        if (i > 0) expect(decodeTimeOf(bytes)).toBe(decodeTimeOf(fragments[i - 1]!.bytes) + Math.round(fragments[i - 1]!.segment.duration * timescale));
      }
      const probed = await probe(`${stream}-${number}.mp4`, init.bytes, fragments.map((f) => f.bytes));
      expect(probed.codec).toBe(codec);
      const listed = fragments.reduce((sum, f) => sum + f.segment.duration, 0);
      expect(probed.seconds).toBeCloseTo(listed, 1);
    }
  });

  it('charge one media point per fragment GET, audio as much as video', async () => {
    const { video, audio } = await tracksOf('intercom', 2);
    const mediaPoints = () => emulator.control.counters().points['intercom']?.media ?? 0;
    const before = mediaPoints();
    await bytesOf(video.segments[1]!.resolvedUri);
    await bytesOf(audio!.segments[1]!.resolvedUri);
    await bytesOf(audio!.segments[0]!.resolvedUri);
    expect(mediaPoints() - before).toBe(3);
    // An init is free, whatever its track.
    await bytesOf(audio!.segments[0]!.map!.resolvedUri);
    expect(mediaPoints() - before).toBe(3);
  });

  it('refuse track 2 on a silent stream and any other track number with ResourceNotFoundException', async () => {
    const silent = await tracksOf('rooftop', 1);
    const asTrack = (uri: string, track: string) => uri.replace('TrackNumber=1', `TrackNumber=${track}`);
    for (const uri of [asTrack(silent.video.segments[0]!.resolvedUri, '2'), asTrack(silent.video.segments[0]!.map!.resolvedUri, '2')]) {
      const error = await errorOf(await fetch(uri));
      expect(error.status).toBe(404);
      expect(error.type).toBe('ResourceNotFoundException');
    }
    const sound = await tracksOf('reception', 1);
    for (const track of ['3', '0', '-1', '2.0', 'x']) {
      const error = await errorOf(await fetch(asTrack(sound.video.segments[0]!.resolvedUri, track)));
      expect(error.status, track).toBe(404);
    }
  });

  it('fail later fragments of both tracks after a codec change, as a DASH session must', async () => {
    const before = await tracksOf('reception', 2);
    expect((await fetch(before.audio!.segments[1]!.resolvedUri)).status).toBe(200);
    emulator.control.setCodec('reception', { kvsCodecId: 'V_MPEGH/ISO/HEVC' });
    advance(4500);
    // The same session's manifest now lists fragments of the new codec.
    const url = new URL(before.video.segments[0]!.resolvedUri);
    const manifestUrl = `${url.origin}/dash/v1/getDASHManifest.mpd?SessionToken=${encodeURIComponent(url.searchParams.get('SessionToken')!)}`;
    const after = parse(await (await getOk(manifestUrl)).text(), { manifestUri: manifestUrl });
    const newestAudio = Object.values(after.mediaGroups.AUDIO).flatMap((g) => Object.values(g))[0]!.playlists[0]!.segments.at(-1)!;
    for (const uri of [after.playlists[0]!.segments.at(-1)!.resolvedUri, newestAudio.resolvedUri]) {
      const error = await errorOf(await fetch(uri));
      expect(error.status).toBe(400);
      expect(error.type).toBe('InvalidCodecPrivateDataException');
    }
  });

  it('refuse a session on a stream whose sound KVS cannot package (track 2 not AAC or G.711)', async () => {
    const clip = await loadClip(join(import.meta.dirname, '../../../emulator/clips/reception.mp4'));
    const { emulator: odd } = await startTestEmulator({ cameras: [{ name: 'opus-cam', clip: { ...clip, audio: { ...clip.audio!, codec: 'opus', kvsCodecId: 'A_OPUS' } } }] });
    try {
      const error = await rejection(archivedMedia(odd).send(new GetDASHStreamingSessionURLCommand({ StreamName: 'opus-cam' })));
      expect(error.name).toBe('UnsupportedStreamMediaTypeException');
      expect(error.message).toContain('A_OPUS');
    } finally {
      await odd.stop();
    }
  });
});
