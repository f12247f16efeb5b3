import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateStreamCommand, GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import { GetClipCommand, ListFragmentsCommand, type Fragment, type GetClipCommandInput } from '@aws-sdk/client-kinesis-video-archived-media';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CODEC_SAMPLE_CLIPS } from '../../../emulator/media/clip-loader';
import { archivedMedia, cameras, controlPlane, rejection, startTestEmulator, withRawBody, type Emulator } from './support';

const run = promisify(execFile);

let emulator: Emulator;
let advance: (ms: number) => void;
let freeze: () => void;
let unfreeze: () => void;
let now: () => number;
let scratch: string;

beforeAll(async () => {
  ({ emulator, advance, freeze, unfreeze, now } = await startTestEmulator({
    quotaModel: 'points',
    cameras: [
      ...cameras('clip-cam', 'long-cam', 'points-cam', 'switch-cam', 'no-cpd-cam'),
      { name: 'rooftop', file: join(import.meta.dirname, '../../../emulator/clips/rooftop.mp4') },
      { name: 'reception', file: join(import.meta.dirname, '../../../emulator/clips/reception.mp4') },
      { name: 'intercom', file: join(import.meta.dirname, '../../../emulator/clips/intercom.mp4') },
      { name: 'mpeg4-cam', file: CODEC_SAMPLE_CLIPS.mpeg4Part2 },
    ],
  }));
  scratch = await mkdtemp(join(tmpdir(), 'kvs-get-clip-'));
});
afterEach(() => {
  unfreeze();
  // Refills every point budget the test used.
  advance(2000);
});
afterAll(async () => {
  await emulator?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function fragments(stream: string, fromMs: number, toMs: number): Promise<Fragment[]> {
  const out = await archivedMedia(emulator).send(
    new ListFragmentsCommand({ StreamName: stream, MaxResults: 1000, FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(fromMs), EndTimestamp: new Date(toMs) } } }),
  );
  return [...(out.Fragments ?? [])].sort((a, b) => (a.ProducerTimestamp?.getTime() ?? 0) - (b.ProducerTimestamp?.getTime() ?? 0));
}

const range = (startMs: number, endMs: number, type: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP' = 'PRODUCER_TIMESTAMP'): GetClipCommandInput['ClipFragmentSelector'] => ({
  FragmentSelectorType: type,
  TimestampRange: { StartTimestamp: new Date(startMs), EndTimestamp: new Date(endMs) },
});

async function clip(input: GetClipCommandInput): Promise<{ contentType: string | undefined; bytes: Uint8Array }> {
  const out = await archivedMedia(emulator).send(new GetClipCommand(input));
  return { contentType: out.ContentType, bytes: (await out.Payload?.transformToByteArray()) ?? new Uint8Array() };
}

interface Probed {
  format: string;
  streams: Array<{ codec_name: string; codec_type: string; duration: string; nb_frames: string }>;
}

async function probe(name: string, bytes: Uint8Array): Promise<Probed> {
  const path = join(scratch, name);
  await writeFile(path, bytes);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type,duration,nb_frames:format=format_name', '-of', 'json', path]);
  const parsed = JSON.parse(stdout) as { streams: Probed['streams']; format: { format_name: string } };
  return { format: parsed.format.format_name, streams: parsed.streams };
}

const startOf = (f: Fragment | undefined) => f?.ProducerTimestamp?.getTime() ?? Number.NaN;
const totalMs = (list: readonly Fragment[]) => list.reduce((sum, f) => sum + (f.FragmentLengthInMilliseconds ?? 0), 0);

describe('GetClip (real SDK, ffprobe)', () => {
  it('is reached through GetDataEndpoint with APIName GET_CLIP, like GET_IMAGES', async () => {
    for (const APIName of ['GET_CLIP', 'GET_IMAGES'] as const) {
      const { DataEndpoint } = await controlPlane(emulator).send(new GetDataEndpointCommand({ StreamName: 'clip-cam', APIName }));
      expect(DataEndpoint).toBe(emulator.url);
    }
  });

  it('answers a traditional MP4 (video/mp4) of the fragments starting in the range, both ends inclusive, as long as they are', async () => {
    const listed = await fragments('clip-cam', now() - 120_000, now() - 60_000);
    const [a, , , b] = listed;
    // Start and end exactly on fragment starts: both fragments are in.
    const inclusive = listed.filter((f) => startOf(f) >= startOf(a) && startOf(f) <= startOf(b));
    expect(inclusive).toHaveLength(4);
    const { contentType, bytes } = await clip({ StreamName: 'clip-cam', ClipFragmentSelector: range(startOf(a), startOf(b)) });
    expect(contentType).toBe('video/mp4');
    expect(Buffer.from(bytes.subarray(4, 8)).toString('latin1')).toBe('ftyp');
    expect(Buffer.from(bytes).includes('moof')).toBe(false);
    const probed = await probe('inclusive.mp4', bytes);
    expect(probed.format).toContain('mp4');
    expect(probed.streams.map((s) => s.codec_name)).toEqual(['h264']);
    expect(Number(probed.streams[0]!.duration) * 1000).toBeCloseTo(totalMs(inclusive), 0);
    expect(Number(probed.streams[0]!.nb_frames)).toBe(4 * 50);

    // A millisecond later the first fragment is out; a millisecond earlier the last one is.
    const inner = await probe('inner.mp4', (await clip({ StreamName: 'clip-cam', ClipFragmentSelector: range(startOf(a) + 1, startOf(b) - 1) })).bytes);
    expect(Number(inner.streams[0]!.duration) * 1000).toBeCloseTo(totalMs(inclusive.slice(1, 3)), 0);
  });

  it('selects on server timestamps too', async () => {
    const listed = await fragments('clip-cam', now() - 100_000, now() - 90_000);
    const first = listed[0]!;
    const server = first.ServerTimestamp!.getTime();
    const probed = await probe('server.mp4', (await clip({ StreamName: 'clip-cam', ClipFragmentSelector: range(server, server + 1, 'SERVER_TIMESTAMP') })).bytes);
    expect(Number(probed.streams[0]!.duration) * 1000).toBeCloseTo(first.FragmentLengthInMilliseconds ?? 0, 0);
  });

  it.each([
    ['rooftop', ['hevc']],
    ['reception', ['h264', 'aac']],
    ['intercom', ['h264', 'pcm_alaw']],
  ] as const)('%s: clips H.265 and sound as the stream carries them (%s)', async (stream, codecs) => {
    const listed = await fragments(stream, now() - 60_000, now() - 50_001);
    const probed = await probe(`${stream}.mp4`, (await clip({ StreamName: stream, ClipFragmentSelector: range(now() - 60_000, now() - 50_001) })).bytes);
    expect(probed.streams.map((s) => s.codec_name)).toEqual(codecs);
    for (const s of probed.streams) expect(Number(s.duration) * 1000).toBeCloseTo(totalMs(listed), -2);
  });

  it('cuts a long range silently at 200 fragments and charges their points from both budgets', async () => {
    const available = await fragments('long-cam', now() - 590_000, now() - 10_000);
    expect(available.length).toBeGreaterThan(200);
    emulator.control.resetCounters();
    const probed = await probe('long.mp4', (await clip({ StreamName: 'long-cam', ClipFragmentSelector: range(now() - 590_000, now() - 10_000) })).bytes);
    expect(Number(probed.streams[0]!.duration) * 1000).toBeCloseTo(totalMs(available.slice(0, 200)), 0);
    expect(emulator.control.counters().points['long-cam']).toEqual({ media: 200, metadata: 200 });
  });

  it('is limited by the stream\'s media points in the points model: ClientLimitExceededException, nothing spent', async () => {
    const wide = range(now() - 590_000, now() - 10_000);
    freeze();
    await clip({ StreamName: 'points-cam', ClipFragmentSelector: wide });
    await clip({ StreamName: 'points-cam', ClipFragmentSelector: wide });
    // 400 of 500 media points spent in this instant: another 200 do not fit.
    const error = await rejection(clip({ StreamName: 'points-cam', ClipFragmentSelector: wide }));
    expect(error.name).toBe('ClientLimitExceededException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(emulator.control.counters().throttled['points-cam']).toEqual({ mediaPoints: 1 });
    // A small clip still fits.
    await clip({ StreamName: 'points-cam', ClipFragmentSelector: range(now() - 100_000, now() - 90_000) });
  });

  it('is limited to 1 call per second per stream in the sessions model', async () => {
    const { emulator: older, advance: step } = await startTestEmulator({ cameras: cameras('one-cam') });
    try {
      const client = archivedMedia(older);
      const call = () => client.send(new GetClipCommand({ StreamName: 'one-cam', ClipFragmentSelector: range(Date.now() - 60_000, Date.now() - 50_000) }));
      await call();
      expect((await rejection(call())).name).toBe('ClientLimitExceededException');
      step(1000);
      await call();
    } finally {
      await older.stop();
    }
  });

  it('names each refusal as KVS does', async () => {
    const client = archivedMedia(emulator);
    const reason = async (input: GetClipCommandInput) => {
      const error = await rejection(client.send(new GetClipCommand(input)));
      return `${error.$metadata?.httpStatusCode} ${error.name}: ${error.message}`;
    };
    const t = now() - 60_000;
    expect(await reason({ StreamName: 'clip-cam', ClipFragmentSelector: range(t, t) })).toMatch(/^400 InvalidArgumentException: EndTimestamp must be later/);
    expect(await reason({ StreamName: 'clip-cam', ClipFragmentSelector: range(t, t - 1000) })).toMatch(/^400 InvalidArgumentException/);
    expect(await reason({ StreamName: 'clip-cam', ClipFragmentSelector: range(t - 25 * 3_600_000, t) })).toMatch(/^400 InvalidArgumentException: .*24 hours/);
    expect(await reason({ StreamName: 'clip-cam', ClipFragmentSelector: range(t, now() + 60_000, 'SERVER_TIMESTAMP') })).toMatch(/^400 InvalidArgumentException: .*in the past/);
    expect(await reason({ ClipFragmentSelector: range(t, t + 1000) })).toMatch(/^400 InvalidArgumentException: You must specify either the StreamName or the StreamARN/);
    expect(await reason({ StreamName: 'nobody', ClipFragmentSelector: range(t, t + 1000) })).toMatch(/^404 ResourceNotFoundException/);
    // No fragment starts in a range before the archive began.
    expect(await reason({ StreamName: 'clip-cam', ClipFragmentSelector: range(now() - 3_600_000, now() - 3_000_000) })).toMatch(/^404 ResourceNotFoundException: No fragments/);
    await controlPlane(emulator).send(new CreateStreamCommand({ StreamName: 'no-retention', DataRetentionInHours: 0 }));
    expect(await reason({ StreamName: 'no-retention', ClipFragmentSelector: range(t, t + 1000) })).toMatch(/^400 NoDataRetentionException/);
    expect(await reason({ StreamName: 'mpeg4-cam', ClipFragmentSelector: range(now() - 30_000, now() - 10_000) })).toMatch(/^400 UnsupportedStreamMediaTypeException/);

    const lostAt = now();
    emulator.control.setCodec('no-cpd-cam', { hasCodecPrivateData: false });
    advance(4500);
    expect(await reason({ StreamName: 'no-cpd-cam', ClipFragmentSelector: range(lostAt, now() - 1) })).toMatch(/^400 MissingCodecPrivateDataException/);

    // A codec change inside the range: the clip can't hold both.
    const switchAt = now();
    emulator.control.setCodec('switch-cam', { kvsCodecId: 'V_MPEGH/ISO/HEVC' });
    advance(4500);
    expect(await reason({ StreamName: 'switch-cam', ClipFragmentSelector: range(switchAt - 10_000, now() - 1) })).toMatch(/^400 InvalidCodecPrivateDataException/);
    // Each side of the change on its own is fine.
    await clip({ StreamName: 'switch-cam', ClipFragmentSelector: range(switchAt - 10_000, switchAt - 2500) });
  });

  it('names the field of a malformed request', async () => {
    for (const [body, field] of [
      ['{"StreamName":"clip-cam"}', "'ClipFragmentSelector' failed to satisfy constraint: Member must not be null"],
      ['{"StreamName":"clip-cam","ClipFragmentSelector":"today"}', "'ClipFragmentSelector'"],
      ['{"StreamName":"clip-cam","ClipFragmentSelector":{"FragmentSelectorType":"WALL_CLOCK","TimestampRange":{"StartTimestamp":1,"EndTimestamp":2}}}', "'ClipFragmentSelector.FragmentSelectorType'"],
      ['{"StreamName":"clip-cam","ClipFragmentSelector":{"FragmentSelectorType":"SERVER_TIMESTAMP"}}', "'ClipFragmentSelector.TimestampRange' failed to satisfy constraint: Member must not be null"],
      ['{"StreamName":"clip-cam","ClipFragmentSelector":{"FragmentSelectorType":"SERVER_TIMESTAMP","TimestampRange":{"StartTimestamp":"noon","EndTimestamp":2}}}', "'ClipFragmentSelector.TimestampRange.StartTimestamp'"],
      ['{"StreamName":"clip-cam","ClipFragmentSelector":{"FragmentSelectorType":"SERVER_TIMESTAMP","TimestampRange":{"StartTimestamp":-5,"EndTimestamp":2}}}', "'ClipFragmentSelector.TimestampRange.StartTimestamp'"],
    ] as const) {
      const error = await rejection(withRawBody(archivedMedia(emulator), body).send(new GetClipCommand({ StreamName: 'clip-cam', ClipFragmentSelector: range(1, 2) })));
      expect(error.name, body).toBe('InvalidArgumentException');
      expect(error.message, body).toContain(field);
    }
  });
});
