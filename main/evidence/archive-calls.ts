import { GetClipCommand, GetImagesCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import type { StreamRef } from '../../shared/model';
import { AppFailure } from '../core/app-failure';
import type { DataEndpointCall } from '../kvs/data-endpoint-call';
import type { TimestampSelector } from '../kvs/session-issuer';
import type { PricedCall } from '../sessions/points-price';

/** One GetImages item as KVS answers it: the sample time, and the picture (base64) or why there is none. */
export interface RawImage {
  time: number;
  error?: 'NO_MEDIA' | 'MEDIA_ERROR';
  content?: string;
}

export interface ImagesRequest {
  selector: TimestampSelector;
  /** Sample times: start, start + interval, … up to end (both inclusive). */
  start: number;
  end: number;
  intervalMs: number;
  /** The images asked for: what each request (page) is priced at. */
  maxResults: number;
  height: number;
  jpegQuality: number;
}

/** A clip's body as it arrives, and its type (`video/mp4`). */
export interface ClipBody {
  contentType: string | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

/** The archived-media calls the evidence features make, each priced against the stream's points first. */
export interface ArchiveCalls {
  getImages(ref: StreamRef, request: ImagesRequest): Promise<RawImage[]>;
  /** Fragments starting in [start, end] (both inclusive), as one MP4; `fragments` prices it. */
  getClip(ref: StreamRef, selector: TimestampSelector, start: number, end: number, fragments: number, signal: AbortSignal): Promise<ClipBody>;
}

export interface ArchiveCallDeps {
  onDataEndpoint: DataEndpointCall;
  /** Waits for room in the stream's points (and for a throttling backoff to end), then counts the call. */
  beforeSpending: (stream: StreamRef, call: PricedCall) => Promise<void>;
  /** KVS throttled a call: the stream backs off. */
  onThrottled: (stream: StreamRef, retryAt?: number) => void;
}

/** GetImages answers at most this many per page; asking more only splits the answer into pages. */
const PAGE = 25;
const MAX_PAGES = 4;

export function createArchiveCalls(deps: ArchiveCallDeps): ArchiveCalls {
  async function throttleNoted<T>(ref: StreamRef, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof AppFailure && err.appError.code === 'ClientLimitExceededException') deps.onThrottled(ref, err.appError.retryAt);
      throw err;
    }
  }

  return {
    async getImages(ref, request) {
      const images: RawImage[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        // Every page is a request of its own, priced at the call's MaxResults.
        await deps.beforeSpending(ref, { api: 'GetImages', images: request.maxResults });
        const token = nextToken;
        const out = await throttleNoted(ref, () =>
          deps.onDataEndpoint(ref, 'GET_IMAGES', 'GetImages', 'priced', (client) =>
            client.send(
              new GetImagesCommand({
                StreamName: ref.streamName,
                ImageSelectorType: request.selector,
                StartTimestamp: new Date(request.start),
                EndTimestamp: new Date(request.end),
                SamplingInterval: request.intervalMs,
                Format: 'JPEG',
                FormatConfig: { JPEGQuality: String(request.jpegQuality) },
                HeightPixels: request.height,
                MaxResults: request.maxResults,
                ...(token ? { NextToken: token } : {}),
              }),
            ),
          ),
        );
        for (const item of out.Images ?? []) {
          const time = item.TimeStamp?.getTime();
          if (time === undefined || !Number.isFinite(time)) continue;
          const error = item.Error === 'NO_MEDIA' || item.Error === 'MEDIA_ERROR' ? item.Error : undefined;
          images.push({ time, ...(error ? { error } : {}), ...(typeof item.ImageContent === 'string' && !error ? { content: item.ImageContent } : {}) });
        }
        nextToken = typeof out.NextToken === 'string' && out.NextToken.length > 0 ? out.NextToken : undefined;
        if (!nextToken || images.length >= request.maxResults) break;
      }
      return images;
    },

    async getClip(ref, selector, start, end, fragments, signal) {
      await deps.beforeSpending(ref, { api: 'GetClip', fragments });
      signal.throwIfAborted();
      const out = await throttleNoted(ref, () =>
        deps.onDataEndpoint(ref, 'GET_CLIP', 'GetClip', 'priced', (client) =>
          client.send(
            new GetClipCommand({
              StreamName: ref.streamName,
              ClipFragmentSelector: { FragmentSelectorType: selector, TimestampRange: { StartTimestamp: new Date(start), EndTimestamp: new Date(end) } },
            }),
            { abortSignal: signal },
          ),
        ),
      );
      const payload = out.Payload as unknown;
      if (!isAsyncIterable(payload)) throw new TypeError('GetClip answered without a body');
      return { contentType: out.ContentType, chunks: payload };
    },
  };
}

/** In Node the SDK's streaming body is an IncomingMessage: an async iterable of Buffers. */
function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

export { PAGE as IMAGES_PER_PAGE };
