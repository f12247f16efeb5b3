import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis-video';
import { GetImagesCommand, ListFragmentsCommand, type GetImagesCommandInput, type Image } from '@aws-sdk/client-kinesis-video-archived-media';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CODEC_SAMPLE_CLIPS } from '../../../emulator/media/clip-loader';
import { archivedMedia, CLIP_FILE, cameras, controlPlane, recordResponses, rejection, startTestEmulator, withRawBody, type Emulator } from './support';

let emulator: Emulator;
let advance: (ms: number) => void;
let freeze: () => void;
let unfreeze: () => void;
let now: () => number;

beforeAll(async () => {
  ({ emulator, advance, freeze, unfreeze, now } = await startTestEmulator({
    quotaModel: 'points',
    cameras: [
      ...cameras('image-cam', 'frame-cam', 'gap-cam', 'points-cam', 'page-cam'),
      { name: 'rooftop', file: join(import.meta.dirname, '../../../emulator/clips/rooftop.mp4') },
      { name: 'mpeg4-cam', file: CODEC_SAMPLE_CLIPS.mpeg4Part2 },
    ],
  }));
});
afterEach(() => {
  unfreeze();
  advance(2000);
});
afterAll(() => emulator?.stop());

const request = (overrides: Partial<GetImagesCommandInput>): GetImagesCommandInput => ({
  StreamName: 'image-cam',
  ImageSelectorType: 'PRODUCER_TIMESTAMP',
  StartTimestamp: new Date(now() - 60_000),
  EndTimestamp: new Date(now() - 50_000),
  SamplingInterval: 2000,
  Format: 'JPEG',
  ...overrides,
});

async function images(input: GetImagesCommandInput, client = archivedMedia(emulator)): Promise<{ images: Image[]; nextToken: string | undefined }> {
  const out = await client.send(new GetImagesCommand(input));
  return { images: out.Images ?? [], nextToken: out.NextToken };
}

const bytesOf = (image: Image | undefined): Buffer => Buffer.from(image?.ImageContent ?? '', 'base64');

/** Runs an ffmpeg tool with `input` on its stdin and returns what it wrote. */
function tool(command: 'ffmpeg' | 'ffprobe', args: readonly string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, ['-hide_banner', '-loglevel', 'error', ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin?.end(input);
  });
}

/** What ffprobe, an independent decoder, reads from an image. */
async function decoded(image: Buffer): Promise<{ codec: string; width: number; height: number }> {
  const out = await tool('ffprobe', ['-show_entries', 'stream=codec_name,width,height', '-of', 'json', '-i', 'pipe:0'], image);
  const stream = (JSON.parse(out.toString('utf8')) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams[0]!;
  return { codec: stream.codec_name, width: stream.width, height: stream.height };
}

/** A PNG's size straight from its IHDR chunk. */
const pngSize = (png: Buffer) => ({ signature: png.subarray(0, 8).toString('hex'), width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

const ffmpegOutput = (args: readonly string[], input?: Buffer) => tool('ffmpeg', args, input);

describe('GetImages (real SDK, ffprobe)', () => {
  it('answers one JPEG per sample time, start and end included, stretched to the asked size, under KVS\'s TimeStamp spelling', async () => {
    const start = now() - 60_000;
    const { client, responses } = recordResponses(archivedMedia(emulator));
    const { images: list, nextToken } = await images(request({ StartTimestamp: new Date(start), EndTimestamp: new Date(start + 10_000), WidthPixels: 200, HeightPixels: 100 }), client);
    expect(nextToken).toBeUndefined();
    expect(list.map((i) => i.TimeStamp?.getTime())).toEqual([0, 2, 4, 6, 8, 10].map((s) => start + s * 1000));
    expect(responses[0]?.body).toMatch(/^\{"Images":\[\{"TimeStamp":\d+(\.\d+)?,"ImageContent":"\/9j\//);
    for (const image of list) {
      expect(image.Error).toBeUndefined();
      const jpeg = bytesOf(image);
      expect(jpeg.subarray(0, 3).toString('hex')).toBe('ffd8ff');
      expect(await decoded(jpeg)).toEqual({ codec: 'mjpeg', width: 200, height: 100 });
    }
  });

  it('keeps the picture\'s aspect ratio for a height alone and its own size for neither; a width alone is a ValidationException', async () => {
    const [scaled] = (await images(request({ HeightPixels: 90, MaxResults: 1 }))).images;
    expect(await decoded(bytesOf(scaled))).toEqual({ codec: 'mjpeg', width: 160, height: 90 });
    const [original] = (await images(request({ Format: 'PNG', MaxResults: 1 }))).images;
    expect(pngSize(bytesOf(original))).toEqual({ signature: '89504e470d0a1a0a', width: 640, height: 360 });
    const [odd] = (await images(request({ Format: 'PNG', WidthPixels: 3, HeightPixels: 2161 - 2000, MaxResults: 1 }))).images;
    expect(pngSize(bytesOf(odd))).toMatchObject({ width: 3, height: 161 });

    const error = await rejection(archivedMedia(emulator).send(new GetImagesCommand(request({ WidthPixels: 320 }))));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('shows the frame at or before each sample time, pixel for pixel', async () => {
    // Every frame of the clip at 160×90, decoded by ffmpeg on its own: the reference.
    const frameBytes = 160 * 90 * 3;
    const reference = await ffmpegOutput(['-i', CLIP_FILE, '-vf', 'scale=160:90:flags=bicubic', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
    expect(reference.length).toBe(500 * frameBytes);
    const frameIndex = new Map<string, number[]>();
    for (let i = 0; i < 500; i++) {
      const key = createHash('sha1').update(reference.subarray(i * frameBytes, (i + 1) * frameBytes)).digest('hex');
      frameIndex.set(key, [...(frameIndex.get(key) ?? []), i]);
    }

    const listed = await archivedMedia(emulator).send(
      new ListFragmentsCommand({ StreamName: 'frame-cam', FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(now() - 90_000), EndTimestamp: new Date(now() - 80_000) } } }),
    );
    const fragmentStart = Math.min(...(listed.Fragments ?? []).map((f) => f.ProducerTimestamp!.getTime()));
    const matches: number[] = [];
    for (const offsetMs of [0, 39, 40, 1000, 1999, 2000 + 1999]) {
      const at = new Date(fragmentStart + offsetMs);
      const [image] = (await images(request({ StreamName: 'frame-cam', StartTimestamp: at, EndTimestamp: at, Format: 'PNG', WidthPixels: 160, HeightPixels: 90 }))).images;
      const pixels = await ffmpegOutput(['-f', 'png_pipe', '-i', 'pipe:0', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], bytesOf(image));
      const found = frameIndex.get(createHash('sha1').update(pixels).digest('hex'));
      expect(found, `no clip frame matches the image at +${offsetMs} ms`).toBeDefined();
      // 25 fps: frame n of a fragment shows from n × 40 ms.
      const expected = Math.floor((offsetMs % 2000) / 40);
      const match = found!.find((i) => i % 50 === expected);
      expect(match, `+${offsetMs} ms showed clip frames ${found!.join(', ')}`).toBeDefined();
      matches.push(match!);
    }
    // The last sample is in the next fragment: the clip frame 50 further on.
    expect(matches.at(-1)! % 500).toBe((matches[4]! + 50) % 500);
    expect(new Set(matches.slice(0, 5).map((m) => Math.floor(m / 50))).size).toBe(1);
  });

  it('encodes at the JPEGQuality asked (default 80)', async () => {
    const at = new Date(now() - 45_000);
    const one = (quality?: string) => images(request({ StartTimestamp: at, EndTimestamp: at, ...(quality ? { FormatConfig: { JPEGQuality: quality } } : {}) }));
    const [low] = (await one('5')).images;
    const [high] = (await one('95')).images;
    const [standard] = (await one()).images;
    const [eighty] = (await one('80')).images;
    expect(bytesOf(low).length).toBeLessThan(bytesOf(high).length);
    expect(bytesOf(standard).equals(bytesOf(eighty))).toBe(true);
  });

  it('puts NO_MEDIA where there is no media, in an answer that still succeeds', async () => {
    emulator.control.stopCamera('gap-cam');
    const stoppedAt = now();
    advance(20_000);
    emulator.control.resumeCamera('gap-cam');
    advance(10_000);
    const { images: list } = await images(request({ StreamName: 'gap-cam', StartTimestamp: new Date(stoppedAt - 10_000), EndTimestamp: new Date(stoppedAt + 35_000), SamplingInterval: 5000 }));
    const errors = list.map((i) => i.Error ?? 'image');
    // Before the stop: images. In the hole: NO_MEDIA. After the resume: images again. In the future: NO_MEDIA.
    expect(errors.slice(0, 2)).toEqual(['image', 'image']);
    expect(errors.slice(4, 6)).toEqual(['NO_MEDIA', 'NO_MEDIA']);
    expect(errors.slice(7, 8)).toEqual(['image']);
    expect(errors.at(-1)).toBe('NO_MEDIA');
    for (const image of list.filter((i) => i.Error)) expect(image.ImageContent).toBeUndefined();
    // Before the archive began.
    const [old] = (await images(request({ StreamName: 'gap-cam', StartTimestamp: new Date(now() - 3_600_000), EndTimestamp: new Date(now() - 3_600_000), MaxResults: 1 }))).images;
    expect(old?.Error).toBe('NO_MEDIA');
  });

  it('puts MEDIA_ERROR where a picture can\'t be made: no ffmpeg, or a codec KVS can\'t picture', async () => {
    const [mpeg4] = (await images(request({ StreamName: 'mpeg4-cam', StartTimestamp: new Date(now() - 20_000), EndTimestamp: new Date(now() - 20_000) }))).images;
    expect(mpeg4?.Error).toBe('MEDIA_ERROR');
    const { emulator: bare } = await startTestEmulator({ cameras: cameras('cam'), ffmpegPath: '/nonexistent/ffmpeg' });
    try {
      const t = new Date(Date.now() - 30_000);
      const out = await archivedMedia(bare).send(new GetImagesCommand({ StreamName: 'cam', ImageSelectorType: 'PRODUCER_TIMESTAMP', StartTimestamp: t, EndTimestamp: t, SamplingInterval: 1000, Format: 'PNG' }));
      expect(out.Images?.map((i) => i.Error)).toEqual(['MEDIA_ERROR']);
      expect(bare.control.counters().images).toEqual({ rendered: 0, fromCache: 0, failed: 1 });
    } finally {
      await bare.stop();
    }
  });

  it('pictures H.265 streams too', async () => {
    const [image] = (await images(request({ StreamName: 'rooftop', HeightPixels: 180, MaxResults: 1 }))).images;
    expect(await decoded(bytesOf(image))).toEqual({ codec: 'mjpeg', width: 320, height: 180 });
  });

  it('pages by 25 with a NextToken, up to MaxResults; a range shorter than the interval gives its start', async () => {
    const start = now() - 100_000;
    const wide = request({ StreamName: 'page-cam', StartTimestamp: new Date(start), EndTimestamp: new Date(start + 59_800), SamplingInterval: 200, MaxResults: 60, HeightPixels: 18 });
    const pages: Image[][] = [];
    let token: string | undefined;
    do {
      const page = await images({ ...wide, ...(token ? { NextToken: token } : {}) });
      pages.push(page.images);
      token = page.nextToken;
    } while (token && pages.length < 5);
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10]);
    expect(pages.flat().map((i) => i.TimeStamp?.getTime())).toEqual(Array.from({ length: 60 }, (_, i) => start + i * 200));

    // Without MaxResults: pages of 25, at most 100 in all.
    const first = await images(request({ StreamName: 'page-cam', StartTimestamp: new Date(start), EndTimestamp: new Date(start + 59_800), SamplingInterval: 200, HeightPixels: 18 }));
    expect(first.images).toHaveLength(25);
    expect(first.nextToken).toMatch(/^[a-zA-Z0-9+/]+={0,2}$/);

    const short = await images(request({ StreamName: 'page-cam', StartTimestamp: new Date(start), EndTimestamp: new Date(start + 150), SamplingInterval: 200, HeightPixels: 18 }));
    expect(short.images.map((i) => i.TimeStamp?.getTime())).toEqual([start]);

    // A token belongs to its request.
    const error = await rejection(archivedMedia(emulator).send(new GetImagesCommand({ ...wide, SamplingInterval: 400, NextToken: first.nextToken })));
    expect(error.name).toBe('InvalidArgumentException');
  });

  it('charges 400 + MaxResults metadata points and MaxResults media points per call, refused once the stream\'s budget is spent', async () => {
    emulator.control.resetCounters();
    const one = request({ StreamName: 'points-cam', MaxResults: 100, HeightPixels: 18, StartTimestamp: new Date(now() - 30_000), EndTimestamp: new Date(now() - 30_000) });
    freeze();
    for (let i = 0; i < 5; i++) await images(one);
    expect(emulator.control.counters().points['points-cam']).toEqual({ media: 500, metadata: 2500 });
    const error = await rejection(archivedMedia(emulator).send(new GetImagesCommand(one)));
    expect(error.name).toBe('ClientLimitExceededException');
    expect(emulator.control.counters().throttled['points-cam']).toEqual({ mediaPoints: 1 });
    unfreeze();
    advance(1000);
    await images({ ...one, MaxResults: 3 });
    expect(emulator.control.counters().points['points-cam']).toEqual({ media: 503, metadata: 2903 });
  });

  it('renders each frame once and answers repeats from its cache', async () => {
    const ask = request({ StreamName: 'image-cam', HeightPixels: 45, StartTimestamp: new Date(now() - 40_000), EndTimestamp: new Date(now() - 30_000) });
    await images(ask);
    const before = emulator.control.counters().images;
    const again = await images(ask);
    const after = emulator.control.counters().images;
    expect(again.images.every((i) => i.ImageContent)).toBe(true);
    expect(after.rendered).toBe(before.rendered);
    expect(after.fromCache - before.fromCache).toBe(again.images.length);
  });

  it('names each refusal as KVS documents it', async () => {
    const reason = async (overrides: Partial<GetImagesCommandInput>) => {
      const error = await rejection(archivedMedia(emulator).send(new GetImagesCommand(request(overrides))));
      return `${error.$metadata?.httpStatusCode} ${error.name}: ${error.message}`;
    };
    const t = now() - 60_000;
    expect(await reason({ StartTimestamp: new Date(t), EndTimestamp: new Date(t + 300_001) })).toMatch(/^400 IllegalArgumentException: .*300 seconds/);
    expect(await reason({ StartTimestamp: new Date(t), EndTimestamp: new Date(t - 1) })).toMatch(/^400 InvalidArgumentException: EndTimestamp/);
    expect(await reason({ SamplingInterval: 199 })).toMatch(/^400 InvalidArgumentException: SamplingInterval must be at least 200/);
    expect(await reason({ SamplingInterval: undefined })).toMatch(/^400 InvalidArgumentException: SamplingInterval is required/);
    expect(await reason({ MaxResults: 0 })).toMatch(/^400 InvalidArgumentException: .*'MaxResults'/);
    expect(await reason({ MaxResults: 101 })).toMatch(/^400 InvalidArgumentException: .*'MaxResults'/);
    expect(await reason({ WidthPixels: 3841, HeightPixels: 100 })).toMatch(/^400 InvalidArgumentException: .*'WidthPixels'/);
    expect(await reason({ HeightPixels: 2161 })).toMatch(/^400 InvalidArgumentException: .*'HeightPixels'/);
    expect(await reason({ Format: 'GIF' as never })).toMatch(/^400 InvalidArgumentException: .*'Format'/);
    for (const quality of ['0', '101', 'abc', '80.5']) expect(await reason({ FormatConfig: { JPEGQuality: quality } })).toMatch(/^400 InvalidArgumentException: .*JPEGQuality/);
    expect(await reason({ StreamName: 'nobody' })).toMatch(/^404 ResourceNotFoundException/);
    await controlPlane(emulator).send(new CreateStreamCommand({ StreamName: 'no-retention', DataRetentionInHours: 0 }));
    expect(await reason({ StreamName: 'no-retention' })).toMatch(/^400 NoDataRetentionException/);
  });

  it('names the field of a malformed request', async () => {
    for (const [body, field] of [
      ['{"StreamName":"image-cam","StartTimestamp":1,"EndTimestamp":2,"SamplingInterval":1000,"Format":"JPEG"}', "'ImageSelectorType'"],
      ['{"StreamName":"image-cam","ImageSelectorType":"SERVER_TIMESTAMP","StartTimestamp":"noon","EndTimestamp":2,"SamplingInterval":1000,"Format":"JPEG"}', "'StartTimestamp'"],
      ['{"StreamName":"image-cam","ImageSelectorType":"SERVER_TIMESTAMP","StartTimestamp":1,"EndTimestamp":2,"SamplingInterval":1.5,"Format":"JPEG"}', "'SamplingInterval'"],
      ['{"StreamName":"image-cam","ImageSelectorType":"SERVER_TIMESTAMP","StartTimestamp":1,"EndTimestamp":2,"SamplingInterval":1000,"Format":"JPEG","FormatConfig":{"JPEGQuality":"80","Other":"1"}}', "'FormatConfig"],
      ['{"StreamName":"image-cam","ImageSelectorType":"SERVER_TIMESTAMP","StartTimestamp":1,"EndTimestamp":2,"SamplingInterval":1000,"Format":"JPEG","FormatConfig":{"__proto__":"80"}}', "'FormatConfig"],
      ['{"StreamName":"image-cam","ImageSelectorType":"SERVER_TIMESTAMP","StartTimestamp":1,"EndTimestamp":2,"SamplingInterval":1000,"Format":"JPEG","FormatConfig":["JPEGQuality"]}', "'FormatConfig'"],
      ['{"StreamName":"image-cam","ImageSelectorType":"SERVER_TIMESTAMP","StartTimestamp":1,"EndTimestamp":2,"SamplingInterval":1000,"Format":"JPEG","NextToken":"not base64!"}', "'NextToken'"],
    ] as const) {
      const error = await rejection(withRawBody(archivedMedia(emulator), body).send(new GetImagesCommand(request({}))));
      expect(error.name, body).toBe('InvalidArgumentException');
      expect(error.message, body).toContain(field);
    }
  });
});
