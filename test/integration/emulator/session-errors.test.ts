import { CreateStreamCommand, DescribeStreamCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand, type GetDASHStreamingSessionURLCommandInput } from '@aws-sdk/client-kinesis-video-archived-media';
import { parse } from 'mpd-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index';
import { CODEC_SAMPLE_CLIPS } from '../../../emulator/media/clip-loader';
import { archivedMedia, cameras, sequenceNumber, controlPlane, errorOf, getOk, rejection, sessionUrl, startTestEmulator, type Emulator } from './support';

let emulator: Emulator;
let advance: (ms: number) => void;
let now: () => number;

beforeAll(async () => {
  ({ emulator, advance, now } = await startTestEmulator({ cameras: cameras('cam', 'stopped-cam', 'odd-codec-cam', 'no-cpd-cam', 'switch-cam') }));
});
afterAll(() => emulator?.stop());

/** Each call gets a fresh second of quota, so validation is what these tests see, not throttling. */
async function attempt(input: GetDASHStreamingSessionURLCommandInput): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  advance(1000);
  return rejection(archivedMedia(emulator).send(new GetDASHStreamingSessionURLCommand(input)));
}

const range = (startAgoS: number, endAgoS?: number) => ({
  StartTimestamp: new Date(now() - startAgoS * 1000),
  ...(endAgoS !== undefined && { EndTimestamp: new Date(now() - endAgoS * 1000) }),
});

describe('GetDASHStreamingSessionURL validation and errors', () => {
  it('raises InvalidArgumentException for each invalid parameter combination', async () => {
    const cases: Array<[GetDASHStreamingSessionURLCommandInput, RegExp]> = [
      [{ StreamName: 'cam', PlaybackMode: 'LIVE', DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(60) } }, /TimestampRange/],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND' }, /DASHFragmentSelector/],
      [{ StreamName: 'cam', PlaybackMode: 'LIVE_REPLAY' }, /DASHFragmentSelector/],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(60) } }, /EndTimestamp/],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(30, 60) } }, /EndTimestamp must be later/],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: { TimestampRange: range(60, 30) } }, /FragmentSelectorType/],
      [{ StreamName: 'cam', PlaybackMode: 'PAUSED' as never }, /PlaybackMode/],
      [{ StreamName: 'cam', DisplayFragmentNumber: 'SOMETIMES' as never }, /DisplayFragmentNumber/],
      [{ StreamName: 'cam', Expires: 43_201 }, /Expires/],
      [{ StreamName: 'cam', Expires: 0 }, /Expires/],
      [{ StreamName: 'cam', MaxManifestFragmentResults: 0 }, /MaxManifestFragmentResults/],
      [{ StreamName: 'cam', MaxManifestFragmentResults: 1001 }, /MaxManifestFragmentResults/],
      [{}, /StreamName or the StreamARN/],
    ];
    for (const [input, message] of cases) {
      const error = await attempt(input);
      expect(error.name, JSON.stringify(input)).toBe('InvalidArgumentException');
      expect(error.message).toMatch(message);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('keeps KVS bounds on Expires when test controls are off', async () => {
    const plain = await startEmulator({ cameras: cameras('cam') });
    try {
      const client = archivedMedia(plain);
      const short = await rejection(client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'cam', Expires: 299 })));
      expect(short.name).toBe('InvalidArgumentException');
      const ok = await client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'cam', Expires: 300 }));
      expect(ok.DASHStreamingSessionURL).toContain('SessionToken=');
      expect(() => plain.control.failNext('getDASHManifest', 1)).toThrow(/testControls/);
      expect((await fetch(`${plain.url}/_control/counters`)).status).toBe(404);
      expect(plain.control.counters().activeSessions).toEqual({ cam: 1 });
    } finally {
      await plain.stop();
    }
  });

  it('raises ResourceNotFoundException for unknown streams and ranges without fragments', async () => {
    expect((await attempt({ StreamName: 'no-such-camera' })).name).toBe('ResourceNotFoundException');
    const beforeArchive = await attempt({
      StreamName: 'cam',
      PlaybackMode: 'ON_DEMAND',
      DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(7200, 3600) },
    });
    expect(beforeArchive.name).toBe('ResourceNotFoundException');
    expect(beforeArchive.$metadata?.httpStatusCode).toBe(404);
    const future = await attempt({ StreamName: 'cam', PlaybackMode: 'LIVE_REPLAY', DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(-3600) } });
    expect(future.name).toBe('ResourceNotFoundException');
  });

  it('raises ResourceNotFoundException for LIVE when no fragment arrived in the last 30 s', async () => {
    await sessionUrl(emulator, { StreamName: 'stopped-cam' });
    emulator.control.stopCamera('stopped-cam');
    advance(25_000);
    await sessionUrl(emulator, { StreamName: 'stopped-cam' });
    advance(10_000);
    const error = await attempt({ StreamName: 'stopped-cam' });
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toMatch(/30 seconds/);
    emulator.control.resumeCamera('stopped-cam');
    // The first GOP after the resume must be captured whole and ingested before LIVE can start again.
    advance(5000);
    expect(await sessionUrl(emulator, { StreamName: 'stopped-cam' })).toContain('SessionToken=');
  });

  it('raises NoDataRetentionException for a stream that keeps no data', async () => {
    await controlPlane(emulator).send(new CreateStreamCommand({ StreamName: 'no-retention', DataRetentionInHours: 0, MediaType: 'video/h264' }));
    const error = await attempt({ StreamName: 'no-retention' });
    expect(error.name).toBe('NoDataRetentionException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('raises UnsupportedStreamMediaTypeException when the camera sends a codec KVS cannot package', async () => {
    emulator.control.setCodec('odd-codec-cam', { kvsCodecId: 'V_MPEG4/ISO/ASP' });
    advance(4500);
    const error = await attempt({ StreamName: 'odd-codec-cam' });
    expect(error.name).toBe('UnsupportedStreamMediaTypeException');
    // Archive from before the switch is still H.264 and plays.
    const url = await sessionUrl(emulator, {
      StreamName: 'odd-codec-cam',
      PlaybackMode: 'ON_DEMAND',
      DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(120, 60) },
    });
    expect((await getOk(url)).status).toBe(200);
  });

  it('serves H.265 cameras but refuses an MPEG-4 Part 2 camera with UnsupportedStreamMediaTypeException', async () => {
    const mixed = await startEmulator({
      cameras: [
        { name: 'hevc-cam', file: CODEC_SAMPLE_CLIPS.hevc },
        { name: 'mpeg4-cam', file: CODEC_SAMPLE_CLIPS.mpeg4Part2 },
      ],
    });
    try {
      const kv = controlPlane(mixed);
      expect((await kv.send(new DescribeStreamCommand({ StreamName: 'hevc-cam' }))).StreamInfo?.MediaType).toBe('video/h265');
      const client = archivedMedia(mixed);
      const hevc = await client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'hevc-cam', Expires: 300 }));
      const xml = await (await getOk(hevc.DASHStreamingSessionURL ?? '')).text();
      expect(xml).toMatch(/codecs="hvc1\./);
      const mpeg4 = await rejection(client.send(new GetDASHStreamingSessionURLCommand({ StreamName: 'mpeg4-cam', Expires: 300 })));
      expect(mpeg4.name).toBe('UnsupportedStreamMediaTypeException');
      expect(mpeg4.message).toContain('V_MPEG4/ISO/ASP');
    } finally {
      await mixed.stop();
    }
  });

  it('raises MissingCodecPrivateDataException when the track has no codec private data', async () => {
    emulator.control.setCodec('no-cpd-cam', { hasCodecPrivateData: false });
    advance(4500);
    const error = await attempt({ StreamName: 'no-cpd-cam' });
    expect(error.name).toBe('MissingCodecPrivateDataException');
  });

  it('refuses fragments of a new codec in a session that started with another', async () => {
    const url = await sessionUrl(emulator, { StreamName: 'switch-cam', Expires: 3600 });
    const segments = async () => parse(await (await getOk(url)).text(), { manifestUri: url }).playlists[0]?.segments ?? [];
    const before = await segments();
    expect((await fetch(before.at(-1)?.resolvedUri ?? '')).status).toBe(200);

    emulator.control.setCodec('switch-cam', { kvsCodecId: 'V_MPEGH/ISO/HEVC' });
    advance(4500);
    const after = await segments();
    const newest = after.at(-1);
    expect(sequenceNumber(newest?.resolvedUri)).toBeGreaterThan(sequenceNumber(before.at(-1)?.resolvedUri));
    const error = await errorOf(await fetch(newest?.resolvedUri ?? ''));
    expect(error.status).toBe(400);
    expect(error.type).toBe('InvalidCodecPrivateDataException');
    // Fragments from before the switch still play in that session.
    expect((await fetch(before.at(-1)?.resolvedUri ?? '')).status).toBe(200);
  });
});
