/**
 * GetImages (`POST /getImages`): still images of a stream at sample times from StartTimestamp to
 * EndTimestamp every SamplingInterval, as KVS's archived-media API serves them. Each image is the frame
 * showing at (at or before) its sample time, as JPEG or PNG at the asked size. A sample time with no
 * media gets `Error: NO_MEDIA` in its place, not an HTTP error; one whose media can't be turned into a
 * picture gets `MEDIA_ERROR`. Pages hold at most 25 images; MaxResults (1–100) caps the request.
 *
 * Where the documentation is silent or contradicts itself, the emulator takes the stricter reading, so
 * code that works here works against KVS: SamplingInterval (optional in the model, its default never
 * stated) is required; a width without a height is the documented `ValidationException` (the height
 * alone scales the width by the picture's aspect ratio, as HeightPixels' documentation says); a range
 * over 300 s is the documented `IllegalArgumentException`.
 */
import { z } from 'zod';
import { invalidArgument, KvsError } from '../errors';
import { epochSeconds, int, oneOf, parseRequest, StreamArnField, StreamNameField, text, TimestampSelectorField } from '../http/validation';
import type { Clip, TimelineFragment } from '../media/api';
import type { FrameRef, ImageShape } from '../media/frame-images';
import { seedHash } from '../media/fragment-numbers';
import { POINT_COSTS } from '../quotas/point-costs';
import type { ServiceContext } from '../service-context';
import { codecAt, PLAYABLE_CODEC_IDS, type StreamRecord } from '../streams/stream';
import { fragmentsInRange, timestampOf } from './fragment-window';

/** GetImages' documented limits. */
export const MIN_SAMPLING_INTERVAL_MS = 200;
export const MAX_IMAGES_RANGE_MS = 300_000;
export const MAX_IMAGES_PER_REQUEST = 100;
export const IMAGES_PER_PAGE = 25;
export const MAX_WIDTH_PIXELS = 3840;
export const MAX_HEIGHT_PIXELS = 2160;
export const DEFAULT_JPEG_QUALITY = 80;
/** ImageContent's documented maximum length (base64 characters). */
export const MAX_IMAGE_CONTENT_CHARS = 6_291_456;

const TOKEN_PREFIX = 'kvsi1:';

/** FormatConfig: exactly one entry, JPEGQuality, whose value is a string (read entry by entry, like tags). */
const FormatConfigField = z
  .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { error: 'Member must be a map of strings to strings' })
  .superRefine((map, ctx) => {
    const entries = Object.entries(map);
    if (entries.length !== 1) ctx.addIssue({ code: 'custom', message: `Member must have exactly 1 entry, not ${entries.length}` });
    for (const [key, value] of entries) {
      if (key !== 'JPEGQuality') ctx.addIssue({ code: 'custom', path: [key], message: 'Member must satisfy enum value set: [JPEGQuality]' });
      else if (typeof value !== 'string' || value.length > 256 || !/^[a-zA-Z_0-9]+/.test(value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'Member must be a string matching ^[a-zA-Z_0-9]+ of at most 256 characters' });
      }
    }
  })
  .transform((map) => String(map.JPEGQuality));

const Request = z.object({
  StreamName: StreamNameField.optional(),
  StreamARN: StreamArnField.optional(),
  ImageSelectorType: TimestampSelectorField,
  StartTimestamp: epochSeconds(),
  EndTimestamp: epochSeconds(),
  // A 32-bit integer in the service model; its lower bound (200) is checked with its own message.
  SamplingInterval: int(-(2 ** 31), 2 ** 31 - 1).optional(),
  Format: oneOf(['JPEG', 'PNG'] as const),
  FormatConfig: FormatConfigField.optional(),
  WidthPixels: int(1, MAX_WIDTH_PIXELS).optional(),
  HeightPixels: int(1, MAX_HEIGHT_PIXELS).optional(),
  MaxResults: int(1, MAX_IMAGES_PER_REQUEST).optional(),
  NextToken: text(1, 4096, /^[a-zA-Z0-9+/]+={0,2}$/).optional(),
});
type Request = z.infer<typeof Request>;

interface Image {
  TimeStamp: number;
  Error?: 'NO_MEDIA' | 'MEDIA_ERROR';
  ImageContent?: string;
}

function jpegQuality(value: string | undefined): number {
  if (value === undefined) return DEFAULT_JPEG_QUALITY;
  const quality = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(quality >= 1 && quality <= 100)) throw invalidArgument(`FormatConfig JPEGQuality must be an integer from 1 to 100, not '${value.slice(0, 32)}'.`);
  return quality;
}

/** The page token names the next image and the request it belongs to, so it can't be replayed on another. */
function fingerprint(streamName: string, req: Request): string {
  const { NextToken: _token, StreamName: _name, StreamARN: _arn, ...shape } = req;
  return seedHash(JSON.stringify([streamName, shape])).toString(36);
}

function encodeToken(next: number, print: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${next}:${print}`, 'utf8').toString('base64');
}

function decodeToken(token: string, print: string): number {
  const match = /^kvsi1:(\d{1,4}):([0-9a-z]+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match || match[2] !== print) throw invalidArgument('NextToken is not a valid pagination token for this request.');
  return Number(match[1]);
}

/** The size of the images: as asked, the height alone scaled by the picture's aspect ratio, or the picture's own. */
function imageSize(req: Request, clip: Pick<Clip, 'width' | 'height'>): { width: number; height: number } {
  if (req.WidthPixels !== undefined && req.HeightPixels !== undefined) return { width: req.WidthPixels, height: req.HeightPixels };
  if (req.HeightPixels !== undefined) {
    const width = Math.round((req.HeightPixels * clip.width) / clip.height);
    return { width: Math.min(MAX_WIDTH_PIXELS, Math.max(1, width)), height: req.HeightPixels };
  }
  return { width: clip.width, height: clip.height };
}

/**
 * The fragment showing at `atMs`: the last one whose selected timestamp is at or before it, while `atMs`
 * is within its duration or before the next fragment (server timestamps jitter a little between fragments).
 */
function fragmentAt(fragments: readonly TimelineFragment[], atMs: number, selector: Request['ImageSelectorType']): TimelineFragment | undefined {
  let low = 0;
  let high = fragments.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (timestampOf(fragments[middle] as TimelineFragment, selector) <= atMs) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const fragment = fragments[found];
  if (!fragment) return undefined;
  const start = timestampOf(fragment, selector);
  const next = fragments[found + 1];
  const contiguous = next !== undefined && next.index === fragment.index + 1;
  return atMs < start + fragment.durationMs || (contiguous && atMs < timestampOf(next, selector)) ? fragment : undefined;
}

function checkRequest(req: Request): { startMs: number; endMs: number; interval: number } {
  if (req.SamplingInterval === undefined) throw invalidArgument('SamplingInterval is required: the interval between images, at least 200 ms.');
  if (req.SamplingInterval < MIN_SAMPLING_INTERVAL_MS) {
    throw invalidArgument(`SamplingInterval must be at least ${MIN_SAMPLING_INTERVAL_MS} ms (5 images per second), not ${req.SamplingInterval}.`);
  }
  const startMs = req.StartTimestamp * 1000;
  const endMs = req.EndTimestamp * 1000;
  if (endMs < startMs) throw invalidArgument('EndTimestamp must not be earlier than StartTimestamp.');
  if (endMs - startMs > MAX_IMAGES_RANGE_MS) {
    throw new KvsError('IllegalArgumentException', 'The time range between StartTimestamp and EndTimestamp must not be more than 300 seconds.');
  }
  if (req.WidthPixels !== undefined && req.HeightPixels === undefined) {
    throw new KvsError('ValidationException', 'WidthPixels must be used with HeightPixels; give both, only HeightPixels (the width follows the aspect ratio), or neither (the original size).');
  }
  return { startMs, endMs, interval: req.SamplingInterval };
}

/** The images of one page: each sample time's frame rendered, or the reason there is none. */
async function pageImages(stream: StreamRecord, times: readonly number[], req: Request, ctx: ServiceContext, quality: number): Promise<Image[]> {
  const media = stream.media;
  const nowMs = ctx.now();
  const answers: Image[] = times.map((t) => ({ TimeStamp: t / 1000 }));
  if (!media || times.length === 0) return answers.map((a) => ({ ...a, Error: 'NO_MEDIA' }));
  const { clip, timeline } = media;
  const longestMs = Math.ceil((Math.max(...clip.fragments.map((f) => f.durationTicks)) * 1000) / clip.timescale);
  const selector = req.ImageSelectorType;
  const fragments = fragmentsInRange(stream, (times[0] as number) - longestMs - 1000, (times[times.length - 1] as number) + 1, selector, nowMs);

  const wanted: Array<{ answer: number; ref: FrameRef }> = [];
  times.forEach((t, i) => {
    const fragment = fragmentAt(fragments, t, selector);
    const answer = answers[i] as Image;
    if (!fragment) {
      answer.Error = 'NO_MEDIA';
      return;
    }
    // A picture needs a video codec KVS (and a decoder) understands.
    if (!PLAYABLE_CODEC_IDS.has(codecAt(stream, fragment.producerTimestampMs).kvsCodecId) || !PLAYABLE_CODEC_IDS.has(clip.kvsCodecId)) {
      answer.Error = 'MEDIA_ERROR';
      return;
    }
    const clipFragment = timeline.clipFragmentIndex(fragment.index);
    const offsetTicks = ((t - timestampOf(fragment, selector)) * clip.timescale) / 1000;
    wanted.push({ answer: i, ref: { clipFragment, frame: ctx.images.frameAt(clip, clipFragment, offsetTicks) } });
  });
  if (wanted.length === 0) return answers;

  const shape: ImageShape = { format: req.Format, quality, ...imageSize(req, clip) };
  const images = await ctx.images.render(clip, wanted.map((w) => w.ref), shape);
  wanted.forEach((w, i) => {
    const answer = answers[w.answer] as Image;
    const image = images[i];
    const content = image && Buffer.from(image).toString('base64');
    if (content && content.length <= MAX_IMAGE_CONTENT_CHARS) answer.ImageContent = content;
    else answer.Error = 'MEDIA_ERROR';
  });
  return answers;
}

export async function getImages(body: Record<string, unknown>, ctx: ServiceContext): Promise<unknown> {
  const req = parseRequest(Request, body);
  const { startMs, endMs, interval } = checkRequest(req);
  const quality = jpegQuality(req.FormatConfig);
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  if (stream.dataRetentionInHours === 0) throw new KvsError('NoDataRetentionException', 'GetImages was requested for a stream that does not retain data (DataRetentionInHours is 0).');
  const print = fingerprint(stream.name, req);
  const first = req.NextToken === undefined ? 0 : decodeToken(req.NextToken, print);

  const cap = req.MaxResults ?? MAX_IMAGES_PER_REQUEST;
  // A range shorter than the interval still has its start; otherwise every interval up to the end, inclusive.
  const total = Math.min(cap, Math.floor((endMs - startMs) / interval) + 1);
  if (first >= total) throw invalidArgument('NextToken is not a valid pagination token for this request.');
  const last = Math.min(total, first + Math.min(IMAGES_PER_PAGE, cap));
  // Priced as AWS prices a call: 400 metadata points plus the images requested (MaxResults), in both budgets.
  ctx.quotas.require({ api: 'GetImages', stream: stream.name, points: POINT_COSTS.getImages(cap) }, ctx.now());

  const times = Array.from({ length: last - first }, (_, i) => startMs + (first + i) * interval);
  const images = await pageImages(stream, times, req, ctx, quality);
  return { Images: images, ...(last < total ? { NextToken: encodeToken(last, print) } : {}) };
}
