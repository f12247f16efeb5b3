import glueUrl from '@hevcjs/core/dist/wasm/hevc-decode.js?url';
import wasmUrl from '@hevcjs/core/dist/wasm/hevc-decode.wasm?url';
import type { FrameDecoder, FrameDecoderInit } from '../canvas/frame-decoder';
import { isHevc } from '../codecs/playback-plan';
import { softwareHevcAvailable } from './availability';
import type { FromWorker, ToWorker } from './worker-protocol';

/** Cost of the pictures decoded so far, for the decode budget. */
export interface SoftwareDecodeStats {
  frames: number;
  /** Worker time spent decoding (feed + drain), ms. */
  decodeMs: number;
}

/**
 * H.265 decoded in a worker by a WebAssembly decoder (@hevcjs/core), pictures out as I420 VideoFrames.
 * Same shape and states as WebCodecs' VideoDecoder (the canvas player's `FrameDecoder` seam), so the
 * canvas player uses it where the platform has no H.265 decoder.
 */
export class SoftwareHevcDecoder implements FrameDecoder {
  private worker: Worker | null;
  private stateNow: CodecState = 'unconfigured';
  private queued = 0;
  private flushes = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextFlush = 0;
  readonly stats: SoftwareDecodeStats = { frames: 0, decodeMs: 0 };

  constructor(private readonly init: FrameDecoderInit) {
    this.worker = new Worker(new URL('./hevc-worker.ts', import.meta.url));
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    this.worker.onerror = (event) => this.fail(new Error(`H.265 decoder worker failed: ${event.message || 'could not start'}`));
    this.post({ type: 'init', glueUrl: new URL(glueUrl, document.baseURI).href, wasmUrl: new URL(wasmUrl, document.baseURI).href });
  }

  get state(): CodecState {
    return this.stateNow;
  }

  get decodeQueueSize(): number {
    return this.queued;
  }

  static isConfigSupported(config: VideoDecoderConfig): boolean {
    return isHevc(config.codec) && config.description !== undefined && softwareHevcAvailable();
  }

  configure(config: VideoDecoderConfig): void {
    this.assertOpen('configure');
    if (!isHevc(config.codec)) throw new DOMException(`the software decoder takes H.265 only, not ${config.codec}`, 'NotSupportedError');
    if (!config.description) throw new TypeError('an H.265 configuration needs its hvcC record as description');
    this.post({ type: 'configure', description: copyOf(config.description) });
    this.stateNow = 'configured';
  }

  decode(chunk: EncodedVideoChunk): void {
    if (this.stateNow !== 'configured') throw new DOMException(`decode while ${this.stateNow}`, 'InvalidStateError');
    const data = new ArrayBuffer(chunk.byteLength);
    chunk.copyTo(data);
    this.queued++;
    this.post({ type: 'decode', data, timestamp: chunk.timestamp, duration: chunk.duration, key: chunk.type === 'key' }, [data]);
  }

  flush(): Promise<void> {
    if (this.stateNow !== 'configured') return Promise.reject(new DOMException(`flush while ${this.stateNow}`, 'InvalidStateError'));
    const id = this.nextFlush++;
    return new Promise((resolve, reject) => {
      this.flushes.set(id, { resolve, reject });
      this.post({ type: 'flush', id });
    });
  }

  reset(): void {
    this.assertOpen('reset');
    this.rejectFlushes(new DOMException('reset', 'AbortError'));
    this.post({ type: 'reset' });
    this.stateNow = 'unconfigured';
  }

  close(): void {
    if (this.stateNow === 'closed') return;
    this.stateNow = 'closed';
    this.rejectFlushes(new DOMException('closed', 'AbortError'));
    this.worker?.terminate();
    this.worker = null;
  }

  private receive(message: FromWorker): void {
    if (this.stateNow === 'closed') {
      if (message.type === 'frame') message.frame.close();
      return;
    }
    switch (message.type) {
      case 'frame':
        this.stats.frames++;
        this.stats.decodeMs += message.decodeMs;
        this.init.output(message.frame);
        return;
      case 'dequeued':
        this.queued = Math.max(0, this.queued - 1);
        return;
      case 'flushed':
        this.flushes.get(message.id)?.resolve();
        this.flushes.delete(message.id);
        return;
      case 'error':
        this.fail(new Error(`H.265 software decode: ${message.message}`));
        return;
      case 'ready':
        return;
    }
  }

  private fail(error: Error): void {
    if (this.stateNow === 'closed') return;
    this.close();
    this.init.error(error);
  }

  private rejectFlushes(error: Error): void {
    for (const f of this.flushes.values()) f.reject(error);
    this.flushes.clear();
  }

  private assertOpen(what: string): void {
    if (this.stateNow === 'closed') throw new DOMException(`${what} after close`, 'InvalidStateError');
  }

  private post(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(message, transfer);
  }
}

function copyOf(source: AllowSharedBufferSource): ArrayBuffer {
  const bytes = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
  return bytes.slice().buffer;
}
