/**
 * The software H.265 decoder's worker: @hevcjs/core's WebAssembly decoder (a spec-written HEVC decoder,
 * MIT) fed Annex B, its 16-bit planes packed into 8-bit I420 `VideoFrame`s that are transferred to the
 * page. Decoding here keeps the page's main thread free for the wall.
 */
import { HEVCDecoder, type HEVCFrame } from '@hevcjs/core';
import { annexB, parseHvcc, splitLengthPrefixed, type HvccRecord } from './hvcc';
import type { FromWorker, ToWorker } from './worker-protocol';

declare function importScripts(...urls: string[]): void;

let decoder: HEVCDecoder | null = null;
let ready: Promise<void> | null = null;
let config: HvccRecord | null = null;
let parameterSetsFed = false;
/** Input timestamps not yet matched to an output picture; pictures leave in display (= timestamp) order. */
const pending: Array<{ timestamp: number; duration: number | null }> = [];
let queue = 0;

function send(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

function fail(error: unknown): void {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

/** 8-bit I420 from the decoder's 16-bit planes; 10-bit pictures are shifted down to 8 bits. */
function toVideoFrame(picture: HEVCFrame): VideoFrame | null {
  const next = takeTimestamp();
  if (!next) return null;
  const ySize = picture.width * picture.height;
  const cSize = picture.chromaWidth * picture.chromaHeight;
  const out = new Uint8Array(ySize + 2 * cSize);
  if (picture.bitDepth === 8) {
    // TypedArray.set converts element by element in native code: the fastest repack available here.
    out.set(picture.y, 0);
    out.set(picture.cb, ySize);
    out.set(picture.cr, ySize + cSize);
  } else {
    const shift = picture.bitDepth - 8;
    const planes = [picture.y, picture.cb, picture.cr];
    let at = 0;
    for (const plane of planes) for (let i = 0; i < plane.length; i++) out[at++] = plane[i]! >> shift;
  }
  // `transfer` hands the buffer to the frame without a copy (not yet in TypeScript's DOM types).
  const init: VideoFrameBufferInit & { transfer: ArrayBuffer[] } = { format: 'I420', codedWidth: picture.width, codedHeight: picture.height, timestamp: next.timestamp, transfer: [out.buffer] };
  if (next.duration !== null) init.duration = next.duration;
  return new VideoFrame(out, init);
}

function takeTimestamp(): { timestamp: number; duration: number | null } | undefined {
  let best = 0;
  for (let i = 1; i < pending.length; i++) if (pending[i]!.timestamp < pending[best]!.timestamp) best = i;
  return pending.splice(best, 1)[0];
}

function emit(pictures: HEVCFrame[], decodeMs: number): void {
  for (const picture of pictures) {
    const frame = toVideoFrame(picture);
    if (frame) send({ type: 'frame', frame, decodeMs }, [frame]);
  }
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init':
      ready = (async () => {
        // The Emscripten glue is a classic script that defines HEVCDecoderModule, which create() looks for.
        importScripts(message.glueUrl);
        decoder = await HEVCDecoder.create({ wasmBinaryUrl: message.wasmUrl });
        send({ type: 'ready' });
      })();
      await ready;
      return;
    case 'configure':
      await ready;
      config = parseHvcc(new Uint8Array(message.description));
      parameterSetsFed = false;
      return;
    case 'decode': {
      await ready;
      queue--;
      if (!decoder || !config) throw new Error('decode before configure');
      const started = performance.now();
      if (!parameterSetsFed) {
        decoder.feed(annexB(config.parameterSets));
        parameterSetsFed = true;
      }
      pending.push({ timestamp: message.timestamp, duration: message.duration });
      decoder.feed(annexB(splitLengthPrefixed(new Uint8Array(message.data), config.lengthSize)));
      const pictures = decoder.drain();
      emit(pictures, performance.now() - started);
      send({ type: 'dequeued', queue });
      return;
    }
    case 'flush': {
      await ready;
      if (decoder) emit(decoder.flush(), 0);
      pending.length = 0;
      send({ type: 'flushed', id: message.id });
      return;
    }
    case 'reset':
      await ready;
      // Empty the picture buffer and drop what it held: the next stream starts at a key frame with its own
      // parameter sets, and no earlier picture may come out after it.
      decoder?.flush();
      pending.length = 0;
      parameterSetsFed = false;
      return;
  }
}

// Messages are handled strictly in order: decoding is a sequence.
let chain: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (event.data.type === 'decode') queue++;
  chain = chain.then(() => handle(event.data)).catch(fail);
};
