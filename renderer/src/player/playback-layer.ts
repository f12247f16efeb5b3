import { canPlayCodec, codecsOf } from './codec-support';
import { decodeAbilities } from './codecs/decode-abilities';
import { installG711Transmuxer } from './codecs/g711-transmuxer';
import { planPlayback, type PlaybackPlan } from './codecs/playback-plan';
import { classifyFailure, type Failure } from './failure';
import { CameraClock, parseManifestTimeline } from './kvs-timeline';
import { FALLBACK_POLL_SEC, LivePhase, liveEdgeOf, untimedStartSec, withUpdatePeriod, type LiveEdge } from './live-phase';
import { applyConfig, wallPlayerConfig } from './player-config';
import { shakaLibrary, type ShakaPlayer, type ShakaRequest, type ShakaRequestType, type ShakaResponse } from './shaka';
import { kvsRequestKind, type UsageMeter } from './usage-meter';

export interface LayerEvents {
  /** A manifest (first or refreshed) arrived and was parsed. */
  onManifest(layer: PlaybackLayer): void;
  /** The first manifest showed the stream's codecs: how this layer plays them. */
  onPlan?(layer: PlaybackLayer): void;
  /** Shaka reported an error; streaming may still be retrying. */
  onFailure(layer: PlaybackLayer, failure: Failure): void;
  /** KVS answered a request with a throttle, the first of a burst on this session. */
  onThrottled(layer: PlaybackLayer, httpStatus: number, errorType: string | undefined): void;
}

/** The longest a layer's teardown waits for Shaka's own before emptying the element anyway. */
const SHAKA_DESTROY_WAIT_MS = 3000;
/** Retry delay after a streaming failure: one fragment period, well inside the per-session quotas. */
const STREAMING_RETRY_SECONDS = 2;

/**
 * One `<video>` with its own Shaka player on one session URL. A tile owns one, and two while it swaps
 * sessions; the second sits under the first until it has presented frames.
 */
export class PlaybackLayer {
  readonly video: HTMLVideoElement;
  readonly clock = new CameraClock();
  /** End of the newest fragment in the latest manifest, and when (performance.now) it last moved. */
  newestEndSec = 0;
  newestMovedAt = performance.now();
  /** When (performance.now) the last manifest arrived: proof the service still answers. */
  lastManifestAt = performance.now();
  /** A codec this machine can't decode, once seen in a manifest. */
  unsupportedCodec: string | undefined;
  codec: string | undefined;
  /** The manifest lists a sound track: undefined until the first manifest arrives. */
  hasAudio: boolean | undefined;
  /** Loaded at the visible layer's picture (a renewal) rather than at the live edge. */
  alignedStart = false;
  /** How the stream's codecs are played, decided on the first manifest before Shaka parses it. */
  plan: PlaybackPlan | undefined;
  /**
   * This layer fetches the audio track: loaded for an unmuted tile, and the audio can be played here.
   * A layer without it can't start sound later (Shaka adds no track to a loaded stream).
   */
  withAudio: boolean;
  private player: ShakaPlayer | null = null;
  private destroyed = false;
  /** Set when the tile gives its session back: no further request may leave. */
  private networkStopped = false;
  private readonly phase = new LivePhase();
  private edge: LiveEdge | undefined;
  /** Loaded without a start time: the first manifest decides where a live stream starts. */
  private chooseStart = false;
  private readonly manifestWaiters = new Set<() => void>();

  constructor(
    host: HTMLElement,
    readonly sessionId: string,
    private readonly events: LayerEvents,
    muted: boolean,
    private readonly usage: UsageMeter,
  ) {
    this.withAudio = !muted;
    this.video = document.createElement('video');
    this.video.className = 'layer';
    this.video.muted = muted;
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.disablePictureInPicture = true;
    this.video.setAttribute('aria-hidden', 'true');
    host.append(this.video);
  }

  get shaka(): ShakaPlayer | null {
    return this.player;
  }

  /**
   * Attaches a fresh player and loads the session; rejects with the Shaka error on failure.
   * `startTime` (media seconds) starts there instead of at Shaka's live edge.
   */
  async load(url: string, startTime?: number): Promise<void> {
    const shaka = shakaLibrary();
    // G.711 sound reaches MSE through the renderer's decoder (once per page; a no-op without FLAC support).
    installG711Transmuxer();
    const player = new shaka.Player();
    this.player = player;
    applyConfig(player, wallPlayerConfig((error) => {
      const failure = classifyFailure(error);
      // A refused session can't be fixed by retrying the same URL; the tile asks for a new one.
      if (failure.kind !== 'session-refused' && failure.kind !== 'unsupported' && !this.destroyed && !this.networkStopped) player.retryStreaming(STREAMING_RETRY_SECONDS);
    }, { withAudio: this.withAudio }));
    player.addEventListener('error', (event) => {
      if (!this.destroyed && !this.networkStopped) this.events.onFailure(this, classifyFailure((event as Event & { detail?: unknown }).detail));
    });
    // Shaka retries every HTTP status before raising an error; a refused session must be reported on
    // the first 401/403 so the renewed session arrives while the buffer still covers the wait.
    player.addEventListener('downloadfailed', (event) => {
      const { httpResponseCode: status, error } = event as Event & { httpResponseCode?: unknown; error?: unknown };
      if (this.destroyed || typeof status !== 'number' || status === 0) return;
      if (status === 401 || status === 403) {
        this.usage.answered(this.sessionId);
        this.events.onFailure(this, { kind: 'session-refused', status });
        return;
      }
      const failure = classifyFailure(error);
      if (failure.kind !== 'throttled') return this.usage.answered(this.sessionId);
      if (this.usage.throttled(this.sessionId)) this.events.onThrottled(this, status, failure.errorType);
    });
    const net = player.getNetworkingEngine();
    // Runs for every attempt, retries included: each one is a request KVS answers (and, under the
    // points quota, charges for).
    net?.registerRequestFilter((_type: ShakaRequestType, request: ShakaRequest) => {
      if (this.networkStopped) throw new Error('This tile gave its session back.');
      const kind = request.uris[0] === undefined ? undefined : kvsRequestKind(request.uris[0]);
      if (kind) this.usage.request(this.sessionId, kind);
    });
    net?.registerResponseFilter((type: ShakaRequestType, response: ShakaResponse) => {
      this.usage.answered(this.sessionId);
      if (type === shaka.net.NetworkingEngine.RequestType.MANIFEST) this.readManifest(player, response);
    });
    await player.attach(this.video);
    if (this.destroyed) return;
    this.chooseStart = startTime === undefined;
    await player.load(url, startTime ?? null);
  }

  private readManifest(player: ShakaPlayer, response: ShakaResponse): void {
    const data = response.data instanceof ArrayBuffer ? new Uint8Array(response.data) : new Uint8Array(response.data.buffer, response.data.byteOffset, response.data.byteLength);
    const text = new TextDecoder().decode(data);
    const nowMs = Date.now();
    this.lastManifestAt = performance.now();
    if (!this.plan) this.decide(player, text);
    if (this.codec && !canPlayCodec(this.codec)) this.unsupportedCodec = this.codec;
    const timeline = parseManifestTimeline(text);
    if (timeline) {
      this.clock.update(timeline);
      if (timeline.newestEndSec > this.newestEndSec + 0.001) {
        this.newestEndSec = timeline.newestEndSec;
        this.newestMovedAt = performance.now();
      }
    }
    if (timeline?.dynamic) {
      this.edge = liveEdgeOf(timeline);
      // Shaka reads its next poll from minimumUpdatePeriod (manifest.updatePeriod -1), counted from the
      // start of this request: time it for just after the next fragment is listed.
      const requestStartMs = nowMs - (response.timeMs ?? 0);
      const pollSec = this.edge ? this.phase.nextPollSec(this.edge, requestStartMs, nowMs) : FALLBACK_POLL_SEC;
      response.data = new TextEncoder().encode(withUpdatePeriod(text, pollSec));
      if (this.chooseStart && this.edge) player.updateStartTime(this.phase.startSec(this.edge, nowMs));
      // Without kvs:ts the schedule can't be timed, and Shaka's own start (its seek range end, one short
      // presentation delay behind its clock-based edge) would run dry at once.
      else if (this.chooseStart && timeline.fragments[0]) player.updateStartTime(untimedStartSec({ newestEndSec: timeline.newestEndSec, oldestStartSec: timeline.fragments[0].startSec }));
    }
    this.chooseStart = false;
    if (!this.destroyed) this.events.onManifest(this);
    for (const wake of [...this.manifestWaiters]) wake();
  }

  /**
   * The playback plan, from the first manifest's codecs: called inside Shaka's response filter, so a
   * change of configuration here still reaches the manifest parser, before any media is fetched. Audio
   * this machine can't play is never fetched, muted or not (G.711 without the renderer's decoder would
   * fail the whole stream with 4032).
   */
  private decide(player: ShakaPlayer, mpd: string): void {
    const codecs = codecsOf(mpd);
    this.codec = codecs.video;
    this.hasAudio = codecs.audio !== undefined;
    // The software H.265 route is the tile's to take (a canvas player); this layer only reports it.
    const plan = planPlayback(codecs, decodeAbilities(codecs), { muted: !this.withAudio, softwareSlotFree: true });
    this.plan = plan;
    if (this.withAudio && !plan.fetchAudio) {
      this.withAudio = false;
      applyConfig(player, { manifest: { disableAudio: true } });
    }
    if (!this.destroyed) this.events.onPlan?.(this);
  }

  /**
   * Where this live stream should play from now (presentation seconds): what `goToLive()` would do, but
   * timed to the manifest schedule rather than one presentation delay behind Shaka's clock-based edge.
   */
  liveStartSec(): number | undefined {
    return this.edge ? this.phase.startSec(this.edge, Date.now()) : undefined;
  }

  /**
   * Where this live picture should be now (live-phase.ts), within Shaka's seek range: the browser clamps
   * every seek to that range, so a target past its end would be a jump that lands short.
   */
  liveTargetSec(): number | undefined {
    if (!this.edge) return undefined;
    const target = this.phase.targetSec(this.edge, Date.now());
    const end = this.player?.seekRange().end;
    return end === undefined ? target : Math.min(target, end);
  }

  /** Resolves when the next manifest response arrives, after `timeoutMs`, or on abort. */
  nextManifest(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.manifestWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done);
      this.manifestWaiters.add(done);
      if (signal.aborted) done();
    });
  }

  /** Stacking: the front layer is the one the operator sees. */
  setFront(front: boolean): void {
    this.video.classList.toggle('front', front);
    this.video.dataset['front'] = String(front);
  }

  setMuted(muted: boolean): void {
    this.video.muted = muted;
  }

  /** No further request from this layer, from now on; the picture stays until `destroy()`. */
  stopNetwork(): void {
    this.networkStopped = true;
    this.video.pause();
  }

  /**
   * Full teardown: destroy the player (detaches MediaSource), clear the source so the element drops
   * its decoder, then remove it. A `<video>` left with a source keeps its WebMediaPlayer alive.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const wake of [...this.manifestWaiters]) wake();
    const player = this.player;
    this.player = null;
    try {
      // Shaka's destroy waits for the SourceBuffer operation in flight; on a starved machine that can
      // take long (or never end), and until the element below lets go of its source it keeps its
      // media player and every buffered frame. The element teardown doesn't wait longer than this.
      await Promise.race([player?.destroy(), new Promise((resolve) => setTimeout(resolve, SHAKA_DESTROY_WAIT_MS))]);
    } catch {
      // A player that failed mid-load may throw on destroy; the element teardown below still runs.
    }
    if (NAIVE_TEARDOWN) {
      this.video.remove();
      return;
    }
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.load();
    this.video.remove();
  }
}

/**
 * `?teardown=naive`: the soak benchmark's baseline only — a layer goes with `player.destroy()` and the
 * element's removal, as most players do, so the benchmark can show what the full teardown saves.
 */
const NAIVE_TEARDOWN = new URLSearchParams(globalThis.location?.search ?? '').get('teardown') === 'naive';
