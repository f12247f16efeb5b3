import { Backoff } from '../backoff';
import { videoCodecOf } from '../codec-support';
import type { Failure } from '../failure';
import { fillTemplate, parseManifestTimeline, segmentUrlsOf, type SegmentUrls, type TimedFragment } from '../kvs-timeline';
import { FALLBACK_POLL_SEC, LivePhase, liveEdgeOf, type LiveEdge } from '../live-phase';
import { decoderProviderFor, type FrameDecoder } from './frame-decoder';
import { readInit, readSamples, type Sample, type VideoTrack } from './fmp4';
import { KvsFetchError, kvsGet, type RequestCounter } from './kvs-fetch';

/**
 * What the canvas player decodes of each fragment:
 * - `key-frames`: only the key frame each fragment opens with — one decode per fragment instead of ~50,
 *   and a picture at most one fragment old;
 * - `all-frames`: every frame, presented at its time on a playback clock (a full-rate player for codecs
 *   the platform's `<video>` can't play, through a registered software decoder).
 */
export type CanvasMode = 'key-frames' | 'all-frames';

export interface CanvasLayerEvents {
  /** A failure the tile should know about: a refused session, no fragments, the network, the decoder… */
  onFailure(layer: CanvasLayer, failure: Failure): void;
  /** A throttled answer that starts a burst on this session. */
  onThrottled?(layer: CanvasLayer, status: number, errorType: string | undefined): void;
}

export interface CanvasLayerOptions {
  mode: CanvasMode;
  /** Counts every KVS GET (points accounting). */
  counter: RequestCounter;
  /** Each decode's time, decode() → its frame (ms): the machine meter's decode-time signal. */
  onDecodeTime?: (ms: number) => void;
}

const REQUEST_TIMEOUT_MS = 10_000;
/** all-frames: chunks handed to the decoder but not yet output, and frames decoded but not yet shown. */
const MAX_DECODE_QUEUE = 3;
const MAX_READY_FRAMES = 8;
/** all-frames: further behind the live point than this, jump to the newest fragment's key frame. */
const JUMP_BEHIND_SEC = 3;
/** all-frames: behind by more than this, play slightly fast until back. */
const CATCH_UP_BEHIND_SEC = 0.5;
const CATCH_UP_RATE = 1.1;

interface PendingChunk {
  chunk: EncodedVideoChunk;
  /** Camera time (epoch ms) of this picture, from the fragment's kvs:ts. */
  cameraMs: number | undefined;
}

interface ReadyFrame {
  frame: VideoFrame;
  timeSec: number;
  cameraMs: number | undefined;
}

/**
 * A canvas player for one live KVS session: it polls the session's DASH manifest on the fragment
 * schedule (live-phase.ts), fetches the init and new fragments itself (each GET counted), demuxes
 * them (fmp4.ts) and decodes through a `FrameDecoder` (frame-decoder.ts) onto a `<canvas>`. Live
 * sessions only. A tile holds one beside or instead of its Shaka layer; it is raised once it has drawn
 * a picture, so switching between the two never shows a black frame.
 */
export class CanvasLayer {
  readonly canvas: HTMLCanvasElement;
  /** End of the newest fragment listed, and when (performance.now) it last moved. */
  newestEndSec = 0;
  newestMovedAt = performance.now();
  /** When (performance.now) the last manifest arrived. */
  lastManifestAt = performance.now();
  codec: string | undefined;
  /** A codec no registered decoder can decode here, once known. */
  unsupportedCodec: string | undefined;
  /** Pictures drawn so far: the progress counter the tile's watchdog reads. */
  framesDrawn = 0;
  /** all-frames: decoded pictures skipped because they were late. */
  framesDropped = 0;
  /** Camera time (epoch ms) of the picture on the canvas. */
  shownCameraMs: number | undefined;
  /** Media time (s) of the picture on the canvas. */
  shownTimeSec: number | undefined;
  /** The decoder in use ('WebCodecs', …), once chosen. */
  decoderName: string | undefined;
  private mode: CanvasMode;
  private readonly context: CanvasRenderingContext2D;
  private readonly abort = new AbortController();
  private networkStopped = false;
  private destroyed = false;
  private url = '';
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly phase = new LivePhase();
  /** After a failed poll: 1 s, 2 s, … up to 15 s (a silent camera, an unreachable service). */
  private readonly backoff = new Backoff();
  /** A manifest request is on its way. */
  private polling = false;
  /** Hidden tile: no polls, no decodes. */
  private paused = false;
  private edge: LiveEdge | undefined;
  private urls: SegmentUrls | undefined;
  private fragments: TimedFragment[] = [];
  private track: VideoTrack | undefined;
  private decoder: FrameDecoder | null = null;
  private decoderConfig: VideoDecoderConfig | undefined;
  /** The newest fragment number fetched (or being fetched). */
  private fetchedNumber = -1;
  private fetching = false;
  /** Timestamps (µs) of chunks handed to the decoder → when, and the picture's camera time. */
  private readonly inDecode = new Map<number, { at: number; cameraMs: number | undefined }>();
  private readonly frameWaiters = new Set<() => void>();
  // all-frames state
  private readonly pending: PendingChunk[] = [];
  private readonly ready: ReadyFrame[] = [];
  /** Playback clock: media time `anchorMedia` was due at `anchorWall` (performance.now), running at `rate`. */
  private anchorMedia: number | undefined;
  private anchorWall = 0;
  private rate = 1;
  private rafHandle = 0;

  constructor(
    host: HTMLElement,
    readonly sessionId: string,
    private readonly events: CanvasLayerEvents,
    private readonly options: CanvasLayerOptions,
  ) {
    this.mode = options.mode;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'layer';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.canvas.dataset['mode'] = this.mode;
    const context = this.canvas.getContext('2d', { alpha: false, desynchronized: true });
    if (!context) throw new Error('This browser gives no 2D canvas.');
    this.context = context;
    host.append(this.canvas);
  }

  get currentMode(): CanvasMode {
    return this.mode;
  }

  /** Pictures a second in key-frames mode: one per fragment (0.5 with 2 s fragments). */
  pictureRate(): number {
    const seconds = this.edge?.fragmentSec ?? this.fragments[this.fragments.length - 1]?.durationSec ?? 2;
    return seconds > 0 ? 1 / seconds : 0.5;
  }

  /** Starts polling the session (its URL is the manifest's). Returns at once; failures go to `onFailure`. */
  start(url: string): void {
    this.url = url;
    void this.poll();
  }

  /** Switches between key frames and all frames at the next fragment, keeping the picture. */
  setMode(mode: CanvasMode): void {
    if (mode === this.mode || this.destroyed) return;
    this.mode = mode;
    this.canvas.dataset['mode'] = mode;
    this.dropQueued();
    this.anchorMedia = undefined;
    // The next fragment starts at a key frame either way; the decoder must not expect deltas.
    if (this.decoder?.state === 'configured') this.decoder.reset();
    if (this.decoder && this.decoderConfig && this.decoder.state === 'unconfigured') this.decoder.configure(this.decoderConfig);
  }

  /** Stacking: the front layer is the one the operator sees. */
  setFront(front: boolean): void {
    this.canvas.classList.toggle('front', front);
    this.canvas.dataset['front'] = String(front);
  }

  /** Resolves true once `count` more pictures have been drawn, false after `timeoutMs` or on abort. */
  waitForFrames(count: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const target = this.framesDrawn + count;
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.frameWaiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const check = (): void => {
        if (this.framesDrawn >= target) done(true);
        else if (this.destroyed) done(false);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort);
      this.frameWaiters.add(check);
      if (signal?.aborted) done(false);
      else check();
    });
  }

  /** No further request from this layer, from now on (synchronously); the picture stays until `destroy()`. */
  stopNetwork(): void {
    this.networkStopped = true;
    clearTimeout(this.pollTimer);
  }

  /** Pauses (hidden tile): no polling, no decoding; `resume()` starts again at the live edge. */
  pause(): void {
    this.paused = true;
    clearTimeout(this.pollTimer);
    this.dropQueued();
    this.anchorMedia = undefined;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.polling) void this.poll();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.networkStopped = true;
    clearTimeout(this.pollTimer);
    cancelAnimationFrame(this.rafHandle);
    this.abort.abort(new DOMException('The layer was destroyed.', 'AbortError'));
    this.dropQueued();
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
    for (const wake of [...this.frameWaiters]) wake();
    // A canvas keeps its backing store while referenced; shrink it before letting go.
    this.canvas.width = 0;
    this.canvas.height = 0;
    this.canvas.remove();
  }

  // -------------------------------------------------------------------------------------------
  // Manifest polling
  // -------------------------------------------------------------------------------------------

  private schedulePoll(seconds: number): void {
    if (this.destroyed || this.networkStopped || this.paused) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.poll(), Math.max(0, seconds * 1000));
  }

  private async poll(): Promise<void> {
    if (this.destroyed || this.networkStopped || this.paused || this.polling) return;
    clearTimeout(this.pollTimer);
    const requestStartMs = Date.now();
    let text: string;
    this.polling = true;
    try {
      text = new TextDecoder().decode(await this.get(this.url, 'manifests'));
    } catch (error) {
      this.polling = false;
      if (this.destroyed) return;
      const failure = error instanceof KvsFetchError ? error.failure : ({ kind: 'other', code: 0 } as const);
      this.events.onFailure(this, failure);
      // A refused session can't be fixed by asking again: the tile gets a new one.
      if (failure.kind !== 'session-refused') this.schedulePoll(this.backoff.next() / 1000);
      return;
    }
    this.polling = false;
    if (this.destroyed) return;
    this.backoff.reset();
    const nowMs = Date.now();
    this.lastManifestAt = performance.now();
    const timeline = parseManifestTimeline(text);
    this.urls ??= segmentUrlsOf(text);
    this.codec ??= videoCodecOf(text);
    if (!timeline || !this.urls) {
      this.events.onFailure(this, { kind: 'other', code: 0 });
      this.schedulePoll(FALLBACK_POLL_SEC);
      return;
    }
    this.fragments = timeline.fragments;
    if (timeline.newestEndSec > this.newestEndSec + 0.001) {
      this.newestEndSec = timeline.newestEndSec;
      this.newestMovedAt = performance.now();
    }
    this.edge = liveEdgeOf(timeline);
    this.schedulePoll(this.edge ? this.phase.nextPollSec(this.edge, requestStartMs, nowMs) : FALLBACK_POLL_SEC);
    if (!this.track && !(await this.setUp())) return;
    void this.fetchNew();
  }

  /** The init segment and a decoder for it; false when this machine can't decode the stream. */
  private async setUp(): Promise<boolean> {
    let track: VideoTrack;
    try {
      track = readInit(await this.get(new URL(fillTemplate(this.urls!.initialization, 0, this.url)).href, 'inits'));
    } catch (error) {
      if (!this.destroyed) this.events.onFailure(this, error instanceof KvsFetchError ? error.failure : { kind: 'decode', code: 0 });
      return false;
    }
    const codec = this.codec ?? track.codec;
    if (!codec) {
      this.events.onFailure(this, { kind: 'unsupported' });
      return false;
    }
    const config: VideoDecoderConfig = {
      codec,
      codedWidth: track.width,
      codedHeight: track.height,
      optimizeForLatency: true,
      ...(track.description ? { description: track.description } : {}),
    };
    const provider = await decoderProviderFor(config);
    if (this.destroyed) return false;
    if (!provider) {
      this.unsupportedCodec = codec;
      this.stopNetwork();
      this.events.onFailure(this, { kind: 'unsupported' });
      return false;
    }
    this.track = track;
    this.decoderConfig = config;
    this.decoderName = provider.name;
    this.openDecoder();
    return true;
  }

  private openDecoder(): void {
    const provider = this.decoderName;
    void decoderProviderFor(this.decoderConfig!).then((p) => {
      if (!p || this.destroyed || p.name !== provider) return;
      const decoder = p.create({ output: (frame) => this.onFrame(frame), error: (error) => this.onDecoderError(error) });
      decoder.configure(this.decoderConfig!);
      this.decoder = decoder;
      this.feed();
    });
  }

  private onDecoderError(error: Error): void {
    if (this.destroyed) return;
    this.decoder = null;
    this.inDecode.clear();
    this.dropQueued();
    this.events.onFailure(this, { kind: 'decode', code: 0 });
    console.warn('canvas player: decoder error, opening a new one', error.message);
    // A fresh decoder starts again at the next fragment's key frame.
    this.openDecoder();
  }

  // -------------------------------------------------------------------------------------------
  // Fragments
  // -------------------------------------------------------------------------------------------

  /** Fetches what the mode needs of the fragments listed since the last fetch. */
  private async fetchNew(): Promise<void> {
    if (this.fetching || !this.urls || !this.track) return;
    const newest = this.fragments[this.fragments.length - 1];
    if (!newest || newest.number <= this.fetchedNumber) return;
    this.fetching = true;
    try {
      for (const fragment of this.toFetch()) {
        if (this.destroyed || this.networkStopped) return;
        this.fetchedNumber = fragment.number;
        let bytes: Uint8Array;
        try {
          bytes = await this.get(fillTemplate(this.urls.media, fragment.number, this.url), 'fragments');
        } catch (error) {
          if (this.destroyed) return;
          // The next poll lists newer fragments; a lost one is skipped, not retried.
          if (error instanceof KvsFetchError) this.events.onFailure(this, error.failure);
          continue;
        }
        this.queueFragment(bytes, fragment);
      }
    } finally {
      this.fetching = false;
    }
    // Polls that arrived during the fetch may have listed more.
    const latest = this.fragments[this.fragments.length - 1];
    if (latest && latest.number > this.fetchedNumber) void this.fetchNew();
  }

  /** key-frames: only the newest fragment. all-frames: every fragment after the last, from the live point. */
  private toFetch(): TimedFragment[] {
    const listed = this.fragments.filter((f) => f.number > this.fetchedNumber);
    if (this.mode === 'key-frames') return listed.slice(-1);
    if (this.fetchedNumber >= 0 && listed.length > 0 && !this.tooFarBehind()) return listed;
    // A first fetch, or a jump back to live: start with the fragment holding the live point.
    const point = this.livePointSec();
    const from = point === undefined ? listed.length - 1 : Math.max(0, listed.findIndex((f) => f.startSec + f.durationSec > point));
    return listed.slice(from);
  }

  private queueFragment(bytes: Uint8Array, fragment: TimedFragment): void {
    const track = this.track!;
    let samples: Sample[];
    try {
      samples = readSamples(bytes, track, this.mode === 'key-frames' ? 1 : Infinity);
    } catch (error) {
      console.warn('canvas player: unreadable fragment', error instanceof Error ? error.message : error);
      this.events.onFailure(this, { kind: 'decode', code: 0 });
      return;
    }
    const first = samples[0];
    if (!first?.key) return; // every KVS fragment opens with a key frame; one that doesn't can't start a decode
    const baseMs = fragment.timestampMs;
    for (const sample of samples) {
      const cameraMs = baseMs === undefined ? undefined : baseMs + (sample.timeSec - first.timeSec) * 1000;
      const chunk = new EncodedVideoChunk({
        type: sample.key ? 'key' : 'delta',
        timestamp: Math.round(sample.timeSec * 1e6),
        duration: Math.round(sample.durationSec * 1e6),
        data: sample.data,
      });
      this.pending.push({ chunk, cameraMs });
    }
    if (this.mode === 'key-frames') {
      // Only the newest key frame matters; one not yet decoded is superseded.
      while (this.pending.length > 1) this.pending.shift();
    }
    this.feed();
  }

  /** Hands chunks to the decoder while it and the presentation queue have room. */
  private feed(): void {
    const decoder = this.decoder;
    if (!decoder || decoder.state !== 'configured') return;
    while (this.pending.length > 0 && decoder.decodeQueueSize < MAX_DECODE_QUEUE && this.inDecode.size + this.ready.length < MAX_READY_FRAMES) {
      const next = this.pending.shift()!;
      this.inDecode.set(next.chunk.timestamp, { at: performance.now(), cameraMs: next.cameraMs });
      try {
        decoder.decode(next.chunk);
      } catch (error) {
        this.onDecoderError(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      // A key frame alone has nothing after it to push it out of a decoder that holds pictures back.
      if (this.mode === 'key-frames') void decoder.flush().catch(() => undefined);
    }
  }

  private onFrame(frame: VideoFrame): void {
    const started = this.inDecode.get(frame.timestamp);
    this.inDecode.delete(frame.timestamp);
    if (this.destroyed) {
      frame.close();
      return;
    }
    if (started) this.options.onDecodeTime?.(performance.now() - started.at);
    const timeSec = frame.timestamp / 1e6;
    if (this.mode === 'key-frames') {
      this.draw(frame, timeSec, started?.cameraMs);
      frame.close();
      this.feed();
      return;
    }
    this.ready.push({ frame, timeSec, cameraMs: started?.cameraMs });
    this.ready.sort((a, b) => a.timeSec - b.timeSec);
    if (this.rafHandle === 0) this.rafHandle = requestAnimationFrame((t) => this.present(t));
  }

  private draw(frame: VideoFrame, timeSec: number, cameraMs: number | undefined): void {
    const width = frame.displayWidth;
    const height = frame.displayHeight;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context.drawImage(frame, 0, 0, width, height);
    this.framesDrawn += 1;
    this.shownTimeSec = timeSec;
    this.shownCameraMs = cameraMs;
    for (const wake of [...this.frameWaiters]) wake();
  }

  // -------------------------------------------------------------------------------------------
  // all-frames presentation
  // -------------------------------------------------------------------------------------------

  /** Where a live picture should be now (media seconds), by the same rule as the Shaka layers' start. */
  private livePointSec(): number | undefined {
    return this.edge ? this.phase.startSec(this.edge, Date.now()) : undefined;
  }

  private tooFarBehind(): boolean {
    const point = this.livePointSec();
    return point !== undefined && this.shownTimeSec !== undefined && point - this.shownTimeSec > JUMP_BEHIND_SEC;
  }

  private clockSec(now: number): number | undefined {
    return this.anchorMedia === undefined ? undefined : this.anchorMedia + ((now - this.anchorWall) / 1000) * this.rate;
  }

  private present(now: number): void {
    this.rafHandle = 0;
    if (this.destroyed || this.mode !== 'all-frames') return;
    const first = this.ready[0];
    if (!first) return;
    let clock = this.clockSec(now);
    if (clock === undefined || first.timeSec > clock + 1) {
      // Start (or restart after running dry) at the first decoded picture: a stall, not a skip.
      this.anchorMedia = first.timeSec;
      this.anchorWall = now;
      clock = first.timeSec;
    }
    let shown: ReadyFrame | undefined;
    while (this.ready.length > 0 && this.ready[0]!.timeSec <= clock) {
      if (shown) {
        shown.frame.close();
        this.framesDropped += 1;
      }
      shown = this.ready.shift();
    }
    if (shown) {
      this.draw(shown.frame, shown.timeSec, shown.cameraMs);
      shown.frame.close();
    }
    // Behind the live point: play slightly fast until back (a jump happens at the next fetch if far behind).
    const point = this.livePointSec();
    const behind = point === undefined ? 0 : point - clock;
    const rate = behind > CATCH_UP_BEHIND_SEC ? CATCH_UP_RATE : 1;
    if (rate !== this.rate) {
      this.anchorMedia = clock;
      this.anchorWall = now;
      this.rate = rate;
    }
    if (this.tooFarBehind()) this.dropQueued();
    this.feed();
    if (this.ready.length > 0) this.rafHandle = requestAnimationFrame((t) => this.present(t));
  }

  /** Drops every chunk and picture not yet shown (a mode switch, a jump to live, a pause, teardown). */
  private dropQueued(): void {
    this.pending.length = 0;
    for (const r of this.ready.splice(0)) r.frame.close();
  }

  private get(url: string, kind: 'manifests' | 'inits' | 'fragments'): Promise<Uint8Array> {
    if (this.networkStopped) return Promise.reject(new DOMException('This layer stopped its network.', 'AbortError'));
    return kvsGet(url, kind, {
      sessionId: this.sessionId,
      counter: this.options.counter,
      signal: this.abort.signal,
      timeoutMs: REQUEST_TIMEOUT_MS,
      onThrottled: (failure) => this.events.onThrottled?.(this, failure.status, failure.errorType),
    });
  }
}
