import { MAX_THUMBNAILS_PER_CALL, MIN_THUMBNAIL_STEP_MS, type StreamRef, type Thumbnail } from '../../shared/model';
import { AppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { TimestampSelector } from '../kvs/session-issuer';
import { streamKey } from '../sessions/stream-key';
import type { ArchiveCalls, RawImage } from './archive-calls';

/** GetImages: one request spans at most 300 s. */
export const MAX_IMAGES_SPAN_MS = 300_000;
/** Small pictures for a hover strip: good enough to recognise a scene, a few KB each. */
export const THUMBNAIL_JPEG_QUALITY = 70;
/** About 10 MB of thumbnails at 160×90. */
const CACHE_ENTRIES = 2_000;
/** A time that had nothing recorded may still be uploading for this long; after it, NO_MEDIA is final. */
const SETTLED_AFTER_MS = 60_000;
/** GetImages throttled: tried this many times in all, each after the stream's backoff. */
const ATTEMPTS = 3;
/** A JPEG as GetImages sends it (base64 of bytes opening with FF D8 FF): only that goes to a page. */
export const JPEG_BASE64 = /^\/9j\/[A-Za-z0-9+/]*={0,2}$/;
const MAX_IMAGE_CHARS = 390_000;

export interface ThumbnailsRequest {
  stream: StreamRef;
  selector: TimestampSelector;
  from: number;
  stepMs: number;
  count: number;
  height: number;
}

/** One GetImages request: `count` samples from `start`, `intervalMs` apart. */
export interface ImagesPlanItem {
  start: number;
  count: number;
  intervalMs: number;
}

/**
 * The fewest GetImages requests for the sample times `times` (ascending, on a grid `stepMs` apart):
 * runs of neighbouring times, each at most 25 images and 300 s, one request (one page) each — a
 * request costs 400 metadata points however few images it asks, so filling it is what saves points.
 * Times too far apart to share a request get one each.
 */
export function planImageRequests(times: readonly number[], stepMs: number): ImagesPlanItem[] {
  const plan: ImagesPlanItem[] = [];
  const interval = Math.max(MIN_THUMBNAIL_STEP_MS, Math.round(stepMs));
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) plan.push({ start: run[0] as number, count: run.length, intervalMs: interval });
    run = [];
  };
  for (const time of times) {
    const first = run[0];
    const previous = run[run.length - 1];
    const joins =
      first !== undefined &&
      previous !== undefined &&
      time - previous === interval &&
      run.length < MAX_THUMBNAILS_PER_CALL &&
      time - first <= MAX_IMAGES_SPAN_MS;
    if (!joins) flush();
    run.push(time);
  }
  flush();
  return plan;
}

export interface ThumbnailService {
  thumbnails(request: ThumbnailsRequest): Promise<Thumbnail[]>;
}

export interface ThumbnailDeps {
  calls: Pick<ArchiveCalls, 'getImages'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Hover thumbnails for the timeline, from GetImages, spending as few of the stream's points as the
 * timeline allows: each picture is fetched once (cached by camera, clock, height and time), times
 * already asked for join the request under way, and the rest go out in as few requests as
 * GetImages' limits allow. A throttled request waits out the stream's backoff and tries again.
 */
export function createThumbnailService(deps: ThumbnailDeps): ThumbnailService {
  const cache = new Map<string, Thumbnail>();
  const pending = new Map<string, Promise<Thumbnail>>();

  const keyOf = (r: ThumbnailsRequest, time: number) => `${streamKey(r.stream)}|${r.selector}|${r.height}|${time}`;

  function remember(key: string, thumbnail: Thumbnail): void {
    const now = deps.clock.now();
    // Nothing recorded yet at a recent time may only mean the upload is still on its way.
    if (thumbnail.missing === 'NO_MEDIA' && thumbnail.time > now - SETTLED_AFTER_MS) return;
    cache.delete(key);
    cache.set(key, thumbnail);
    while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  }

  function toThumbnail(time: number, raw: RawImage | undefined): Thumbnail {
    if (!raw) return { time, missing: 'NO_MEDIA' };
    if (raw.error) return { time, missing: raw.error };
    // Only a JPEG of a sensible size goes to the page: the answer is KVS's, but it is still input.
    if (raw.content && raw.content.length <= MAX_IMAGE_CHARS && JPEG_BASE64.test(raw.content)) return { time, image: `data:image/jpeg;base64,${raw.content}` };
    return { time, missing: 'MEDIA_ERROR' };
  }

  async function fetchRun(request: ThumbnailsRequest, item: ImagesPlanItem): Promise<Map<number, Thumbnail>> {
    const end = item.start + (item.count - 1) * item.intervalMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const images = await deps.calls.getImages(request.stream, {
          selector: request.selector,
          start: item.start,
          end,
          intervalMs: item.intervalMs,
          maxResults: item.count,
          height: request.height,
          jpegQuality: THUMBNAIL_JPEG_QUALITY,
        });
        const out = new Map<number, Thumbnail>();
        for (let i = 0; i < item.count; i++) {
          const time = item.start + i * item.intervalMs;
          // KVS names each image by its sample time; the nearest within half an interval is the one.
          const raw = images.find((image) => Math.abs(image.time - time) < item.intervalMs / 2);
          out.set(time, toThumbnail(time, raw));
        }
        return out;
      } catch (err) {
        const throttled = err instanceof AppFailure && err.appError.code === 'ClientLimitExceededException';
        if (!throttled || attempt >= ATTEMPTS) throw err;
        // The stream now backs off; the next attempt's pricing waits for the pause to end.
        deps.logger.info('GetImages throttled; trying again after the stream backs off', { stream: request.stream.streamName, attempt });
      }
    }
  }

  return {
    async thumbnails(request) {
      const times = Array.from({ length: request.count }, (_, i) => request.from + i * request.stepMs);
      const answers = new Map<number, Promise<Thumbnail>>();
      const wanted: number[] = [];
      for (const time of times) {
        const key = keyOf(request, time);
        const cached = cache.get(key);
        if (cached) {
          answers.set(time, Promise.resolve(cached));
          continue;
        }
        const inFlight = pending.get(key);
        if (inFlight) answers.set(time, inFlight);
        else wanted.push(time);
      }
      for (const item of planImageRequests(wanted, request.stepMs)) {
        const run = fetchRun(request, item);
        for (let i = 0; i < item.count; i++) {
          const time = item.start + i * item.intervalMs;
          const key = keyOf(request, time);
          const one = run.then((found) => {
            const thumbnail = found.get(time) ?? { time, missing: 'NO_MEDIA' as const };
            remember(key, thumbnail);
            return thumbnail;
          });
          pending.set(key, one);
          void one.then(
            () => pending.delete(key),
            () => pending.delete(key),
          );
          answers.set(time, one);
        }
      }
      return Promise.all(times.map((time) => answers.get(time) as Promise<Thumbnail>));
    },
  };
}
