import type { Grant } from '../../../shared/model';
import { optional } from '../lib/optional';
import { Backoff } from './backoff';
import type { Tier } from './budget/tier-decision';
import { CanvasLayer, type CanvasMode } from './canvas/canvas-layer';
import { CatchUp } from './catch-up';
import type { PlaybackPlan } from './codecs/playback-plan';
import { SOFTWARE_HEVC_DECODER, softwareDecodeSlots } from './hevc/availability';
import { classifyFailure, describeFailure, type Failure } from './failure';
import { afterNextPaint, decodedFrames, waitForPresentedFrames } from './frames';
import { markTile } from './marks';
import { PlaybackLayer } from './playback-layer';
import { within } from './deadline';
import { playerStarts } from './start-queue';
import { samePhase, type PlayerPhase } from './tile-phase';
import { UsageMeter, type SessionUsage } from './usage-meter';

/** What the tile may offer for sound: Mute/Unmute only with audio; whether Unmute would be heard. */
export interface AudioFacts {
  hasAudio: boolean;
  audioPlayable: boolean;
  /** Why the sound can't be played here ("audio: G.711 not supported"), when it can't. */
  reason?: string;
}

export interface TilePlayerEvents {
  onPhase(phase: PlayerPhase): void;
  /** The stream's sound, once its manifest is known (and again if it changes). */
  onAudio?(facts: AudioFacts): void;
  /** The service refused this session (401/403): the tile needs a new one. Reported once per session. */
  onSessionRefused(sessionId: string, httpStatus: number): void;
  /** KVS throttled this session's requests (a stream's points, or a per-session rate): once per burst. */
  onThrottled(sessionId: string, httpStatus: number, errorType: string | undefined): void;
}

export interface TileStats {
  width: number;
  height: number;
  /** Bits per second of the playing rendition (from the manifest) when known. */
  bitrate?: number;
  droppedFrames: number;
  totalFrames: number;
  bufferAheadSec: number;
  latencyMs?: number;
  cameraTimeMs?: number;
  sessionExpiresAt?: number;
  codec?: string;
  /** The decode budget's tier, and what draws the picture ('Shaka', or the canvas decoder's name). */
  tier: Tier;
  decoder?: string;
}

/** What the decode budget reads of a playing tile once a window. */
export interface TileFrameCounters {
  tier: Tier;
  totalFrames: number;
  droppedFrames: number;
  /** The element the counters belong to: they restart with it. */
  source: object;
  /** Full-rate live tiles: how far the picture is behind its live target (s). */
  behindSec: number | undefined;
  /** Full-rate slots this tile takes (several when decoded in software). */
  slots: number;
}

export interface TilePlayerOptions {
  muted: boolean;
  tileId: string;
  /** The decode budget's tier for this tile to start with (default full rate). */
  tier?: Tier;
  /** Each canvas decode's time (the budget's meter). */
  onDecodeTime?: (ms: number) => void;
}

type Layer = PlaybackLayer | CanvasLayer;

/** How a tile draws its picture: Shaka in a `<video>`, or the canvas player in one of its modes. */
type LayerPlan = { kind: 'video' } | { kind: 'canvas'; mode: CanvasMode };

/** Frames an incoming layer must present before it replaces the visible one. */
const FRAMES_BEFORE_SWAP = 3;
const FIRST_FRAME_TIMEOUT_MS = 20_000;
/**
 * A player's load settles on its own in seconds (its requests time out after 10 s, each retried); one
 * that hasn't after this long never will (a MediaSource that never opened). Without a bound it held
 * one of the page's start slots and its tile's recovery for good: every later start on the page waited.
 */
const LOAD_TIMEOUT_MS = 45_000;
const HEALTH_INTERVAL_MS = 1000;
/** No new frame for this long while playing: not live any more. */
const STALL_MS = 3000;
/** Stalled this long while the manifest still grows: the picture is frozen, reload. */
const FROZEN_MS = 8000;
/** The newest fragment hasn't moved for this long: the camera stopped sending. */
const CAMERA_SILENT_MS = 7000;
/** Key frames arrive once a fragment: no new picture for this long is a stall (2 fragments + a fetch). */
const KEY_FRAMES_STALL_MS = 6000;
const KEY_FRAMES_FROZEN_MS = 12_000;
/** Longest wait for the visible layer's next manifest poll before a swap loads anyway (poll period 2 s). */
const HANDOVER_POLL_WAIT_MS = 2500;
/** The most a swap loads ahead of the visible picture to cover the new layer's start-up. */
const HANDOVER_LEAD_MAX_SEC = 1.5;
/** A manifest newer than this shows the service is answering. */
const MANIFEST_FRESH_MS = 6000;
/** A network failure within this window explains a stall better than a silent camera. */
const RECENT_FAILURE_MS = 8000;

/**
 * The player of one tile. It keeps one visible layer and, during a session swap, a tier change or a
 * recovery, a second one loading underneath; the new layer is raised only after it has presented
 * frames, then the old one is destroyed (make-before-break: no black frame, no frozen picture). A layer
 * is Shaka in a `<video>` (full rate) or the canvas player (key frames for the decode budget, or every
 * frame of a codec only a registered decoder plays). It watches the visible layer once a second: live
 * latency, catch-up to the live target, a silent camera, a frozen picture.
 */
export class TilePlayer {
  private front: Layer | null = null;
  private incoming: { layer: Layer; abort: AbortController } | null = null;
  private grant: Grant | null = null;
  private phase: PlayerPhase = { kind: 'connecting' };
  private muted: boolean;
  private visible = true;
  private destroyed = false;
  private readonly backoff = new Backoff();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryAt: number | undefined;
  private readonly health: ReturnType<typeof setInterval>;
  private lastFrames = 0;
  private lastTime = 0;
  private lastProgressAt = performance.now();
  private readonly catchUp = new CatchUp();
  private tier: Tier;
  /** The platform's `<video>` can't decode this stream's codec (Shaka said so). */
  private videoUnsupported = false;
  /** No registered canvas decoder decodes this stream's codec. */
  private canvasUnsupported = false;
  private readonly onDecodeTime: ((ms: number) => void) | undefined;
  private lastFailure: { failure: Failure; at: number } | null = null;
  private readonly refusedSessions = new Set<string>();
  /**
   * How far ahead of the visible picture a renewal loads, so that after its start-up the new layer
   * shows what the old one would have: learnt from the previous swap's time jump.
   */
  private handoverLeadSec = 0;
  /** A refused session was reported and its replacement hasn't arrived yet. */
  private awaitingSession = false;
  private readonly tileId: string;
  /** Every KVS request its layers send, per session, for the page's heartbeat. */
  private readonly usage = new UsageMeter();
  /** Paused on purpose (a paused replay): no frame is expected, so none is missed. */
  private held = false;
  private rate = 1;
  /**
   * The stream of each layer's session, when the tile said (`play(grant, stream)`): a camera's main and
   * sub-stream have media timelines of their own, so a swap between them starts at the live edge.
   */
  private readonly layerStreams = new WeakMap<Layer, string>();
  private stream: string | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly events: TilePlayerEvents,
    options: TilePlayerOptions,
  ) {
    this.muted = options.muted;
    this.tileId = options.tileId;
    this.tier = options.tier ?? 'full';
    this.onDecodeTime = options.onDecodeTime;
    this.health = setInterval(() => this.checkHealth(), HEALTH_INTERVAL_MS);
  }

  /**
   * A new session for this tile: its first, a renewal, or a replacement after a refusal. The session
   * it already plays (main hands a tile its own session back when the page attaches again) changes
   * nothing but the grant's details: no second player, no reload.
   */
  play(grant: Grant, stream?: string): void {
    if (this.destroyed) return;
    if (this.plays(grant.sessionId) && !this.awaitingSession && !this.refusedSessions.has(grant.sessionId)) {
      this.grant = grant;
      return;
    }
    this.grant = grant;
    this.stream = stream;
    this.awaitingSession = false;
    this.refusedSessions.clear();
    this.backoff.reset();
    this.startIncoming(grant);
  }

  /**
   * Mutes at once. The audio track follows: a muted tile stops fetching it and an unmuted one starts,
   * by loading the same session again with (or without) audio underneath the picture and swapping when
   * it shows frames (make-before-break, as renewals do: Shaka can't add or drop a track of a loaded
   * stream, and reloading the same element would blank the tile).
   */
  setMuted(muted: boolean): void {
    if (muted === this.muted) return;
    this.muted = muted;
    for (const layer of [this.front, this.incoming?.layer]) if (layer instanceof PlaybackLayer) layer.setMuted(muted);
    // A canvas draws pictures only: a tile on one has no sound to fetch.
    const front = this.front;
    if (this.destroyed || !(front instanceof PlaybackLayer) || !this.grant) return;
    const wantAudio = !muted && front.plan?.audioPlayable === true;
    // A swap already loading was made for the new state (startIncoming reads this.muted).
    const incoming = this.incoming?.layer;
    if (wantAudio !== front.withAudio && !(incoming instanceof PlaybackLayer && incoming.withAudio === wantAudio)) this.startIncoming(this.grant);
  }

  /** The stream's sound as the visible (or loading) Shaka layer found it; undefined before its manifest. */
  audioFacts(): AudioFacts | undefined {
    const layer = this.front ?? this.incoming?.layer;
    const plan = layer instanceof PlaybackLayer ? layer.plan : undefined;
    return plan ? audioFactsOf(plan) : undefined;
  }

  /** Hidden tiles stop decoding and fetching; shown again, they resume at the live edge. */
  setVisible(visible: boolean): void {
    if (visible === this.visible || this.destroyed) return;
    this.visible = visible;
    const front = this.front;
    if (!front) return;
    if (!visible) {
      if (front instanceof CanvasLayer) front.pause();
      else front.video.pause();
      this.setPhase({ kind: 'paused' });
      return;
    }
    this.lastProgressAt = performance.now();
    this.catchUp.reset();
    if (front instanceof CanvasLayer) {
      front.resume();
      return;
    }
    // A live tile comes back at the live edge, not where it paused; a replay resumes where it was.
    if (this.grant?.playback.mode === 'LIVE') goToLive(front);
    if (!this.held) void front.video.play().catch(() => undefined);
  }

  /**
   * The decode budget moved this tile to another tier. A live tile changes how it draws without a
   * black frame: a key-frames canvas and a full-rate Shaka layer replace each other make-before-break,
   * on the same session; a canvas just changes mode.
   */
  setTier(tier: Tier): void {
    if (tier === this.tier || this.destroyed) return;
    this.tier = tier;
    this.followPlan();
  }

  /** What this tile can play: the budget gives only what is possible, and charges full rate its slots. */
  capabilities(): { canFull: boolean; canKeyFrames: boolean; fullRateSlots: number } {
    return { canFull: !this.videoUnsupported || !this.canvasUnsupported, canKeyFrames: !this.canvasUnsupported, fullRateSlots: this.fullRateSlots() };
  }

  /**
   * A codec the platform's `<video>` can't play is drawn at full rate by a canvas decoder: in software
   * (unless the platform's WebCodecs decodes it), costing CPU by its size.
   */
  private fullRateSlots(): number {
    if (!this.videoUnsupported || this.canvasUnsupported) return 1;
    const canvas = this.front instanceof CanvasLayer ? this.front : this.incoming?.layer instanceof CanvasLayer ? this.incoming.layer : undefined;
    if (canvas?.decoderName !== undefined && canvas.decoderName !== SOFTWARE_HEVC_DECODER) return 1;
    return canvas && canvas.canvas.width > 0 ? softwareDecodeSlots(canvas.canvas.width, canvas.canvas.height) : softwareDecodeSlots();
  }

  /** The visible picture's counters, for the decode budget; undefined before the first picture. */
  frameCounters(): TileFrameCounters | undefined {
    const front = this.front;
    if (!front || this.destroyed) return undefined;
    const tier = this.tierOf(front);
    if (front instanceof CanvasLayer) return { tier, totalFrames: front.framesDrawn, droppedFrames: front.framesDropped, source: front, behindSec: undefined, slots: this.fullRateSlots() };
    const quality = front.video.getVideoPlaybackQuality();
    const target = this.grant?.playback.mode === 'LIVE' && this.visible ? front.liveTargetSec() : undefined;
    return { tier, totalFrames: quality.totalVideoFrames, droppedFrames: quality.droppedVideoFrames, source: front, behindSec: target === undefined ? undefined : target - front.video.currentTime, slots: 1 };
  }

  currentPhase(): PlayerPhase {
    return this.phase;
  }

  /** What this player fetched per session since the last call. */
  takeUsage(): SessionUsage[] {
    return this.usage.take();
  }

  /**
   * No request leaves any layer from now on (synchronously): the tile's session is going back to the
   * pool and may be another tile's in a moment. `destroy()` finishes the teardown.
   */
  stopNetwork(): void {
    this.front?.stopNetwork();
    this.incoming?.layer.stopNetwork();
  }

  private plays(sessionId: string): boolean {
    return this.grant?.sessionId === sessionId && (this.front?.sessionId === sessionId || this.incoming?.layer.sessionId === sessionId);
  }

  stats(): TileStats | null {
    const front = this.front;
    if (!front) return null;
    if (front instanceof CanvasLayer) {
      const stats: TileStats = { width: front.canvas.width, height: front.canvas.height, droppedFrames: front.framesDropped, totalFrames: front.framesDrawn, bufferAheadSec: 0, tier: this.tierOf(front) };
      if (front.shownCameraMs !== undefined) stats.cameraTimeMs = front.shownCameraMs;
      const latency = this.latencyMs(front);
      if (latency !== undefined) stats.latencyMs = latency;
      if (this.grant) stats.sessionExpiresAt = this.grant.expiresAt;
      if (front.codec) stats.codec = front.codec;
      if (front.decoderName) stats.decoder = front.decoderName;
      return stats;
    }
    const video = front.video;
    const quality = video.getVideoPlaybackQuality();
    const stats: TileStats = {
      width: video.videoWidth,
      height: video.videoHeight,
      droppedFrames: quality.droppedVideoFrames,
      totalFrames: quality.totalVideoFrames,
      bufferAheadSec: bufferAhead(video),
      tier: 'full',
      decoder: 'Shaka',
    };
    const shakaStats = front.shaka?.getStats();
    if (shakaStats && Number.isFinite(shakaStats.streamBandwidth) && shakaStats.streamBandwidth > 0) stats.bitrate = shakaStats.streamBandwidth;
    const cameraTime = front.clock.cameraTimeAt(video.currentTime);
    if (cameraTime !== undefined) stats.cameraTimeMs = cameraTime;
    const latency = this.latencyMs(front);
    if (latency !== undefined) stats.latencyMs = latency;
    if (this.grant) stats.sessionExpiresAt = this.grant.expiresAt;
    if (front.codec) stats.codec = front.codec;
    return stats;
  }

  /** The stream of the picture on screen, as the tile named it to `play`. */
  shownStream(): string | undefined {
    return this.front ? this.layerStreams.get(this.front) : undefined;
  }

  /** Epoch ms at the camera for the picture on screen, from the manifest's kvs:ts. */
  cameraTime(): number | undefined {
    const front = this.front;
    if (!front) return undefined;
    return front instanceof CanvasLayer ? front.shownCameraMs : front.clock.cameraTimeAt(front.video.currentTime);
  }

  /** Camera times the visible layer has buffered around its picture (kvs:ts). */
  loaded(): { from: number; to: number } | undefined {
    const front = this.front;
    // A key-frames canvas keeps no buffer to seek in (and plays only live).
    if (!front || front instanceof CanvasLayer) return undefined;
    const video = front.video;
    const t = video.currentTime;
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) > t + 0.1 || video.buffered.end(i) < t) continue;
      const from = front.clock.cameraTimeAt(video.buffered.start(i));
      const to = front.clock.cameraTimeAt(Math.max(video.buffered.start(i), video.buffered.end(i) - 0.05));
      return from === undefined || to === undefined ? undefined : { from, to };
    }
    return undefined;
  }

  /** Moves the picture to camera time `cameraMs` when the visible layer has it buffered. */
  seekCamera(cameraMs: number): boolean {
    const front = this.front;
    const loaded = this.loaded();
    if (!front || front instanceof CanvasLayer || !loaded || cameraMs < loaded.from || cameraMs > loaded.to) return false;
    const media = front.clock.mediaTimeAt(cameraMs);
    if (media === undefined) return false;
    front.video.currentTime = media;
    this.lastProgressAt = performance.now();
    return true;
  }

  /** Playback rate of the picture; 0 holds it (a paused replay), which the health check then leaves alone. */
  setRate(rate: number): void {
    this.held = rate === 0;
    if (rate > 0) this.rate = rate;
    const front = this.front;
    if (!(front instanceof PlaybackLayer)) return;
    const video = front.video;
    if (this.held) {
      video.pause();
      return;
    }
    if (video.playbackRate !== rate) video.playbackRate = rate;
    this.lastProgressAt = performance.now();
    if (video.paused && this.visible) void video.play().catch(() => undefined);
  }

  /** The visible picture at its own resolution, for a snapshot. */
  frame(): { image: HTMLVideoElement | HTMLCanvasElement; width: number; height: number } | null {
    const front = this.front;
    if (front instanceof CanvasLayer) return front.canvas.width > 0 ? { image: front.canvas, width: front.canvas.width, height: front.canvas.height } : null;
    const video = front?.video;
    return video && video.videoWidth > 0 ? { image: video, width: video.videoWidth, height: video.videoHeight } : null;
  }

  /** Whether the camera sends sound, once a manifest said. */
  hasAudio(): boolean | undefined {
    // A key-frames canvas plays no sound; the camera's sound comes back with a full-rate layer.
    const shown = [this.front, this.incoming?.layer].find((layer): layer is PlaybackLayer => layer instanceof PlaybackLayer);
    return shown?.hasAudio;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.health);
    clearTimeout(this.retryTimer);
    const incoming = this.incoming;
    this.incoming = null;
    incoming?.abort.abort();
    const front = this.front;
    this.front = null;
    await Promise.all([incoming?.layer.destroy(), front?.destroy()]);
  }

  /** How this tile should draw now: its tier, what this machine decodes, and the playback mode. */
  private plan(): LayerPlan {
    const live = this.grant?.playback.mode === 'LIVE';
    // The canvas player is live-only; Shaka plays every replay and archive.
    if (!live || this.canvasUnsupported) return { kind: 'video' };
    if (this.videoUnsupported) return { kind: 'canvas', mode: this.tier === 'full' ? 'all-frames' : 'key-frames' };
    return this.tier === 'full' ? { kind: 'video' } : { kind: 'canvas', mode: 'key-frames' };
  }

  private planOf(layer: Layer): LayerPlan {
    return layer instanceof CanvasLayer ? { kind: 'canvas', mode: layer.currentMode } : { kind: 'video' };
  }

  private tierOf(layer: Layer): Tier {
    return layer instanceof CanvasLayer && layer.currentMode === 'key-frames' ? 'key-frames' : 'full';
  }

  /** Brings the visible layer in line with the plan: a canvas changes mode in place, anything else swaps. */
  private followPlan(): void {
    const front = this.front;
    const grant = this.grant;
    if (!front || !grant || this.destroyed) return;
    const want = this.plan();
    const have = this.planOf(front);
    if (want.kind === 'canvas' && front instanceof CanvasLayer) {
      front.setMode(want.mode);
      this.refreshPlaying(front);
      return;
    }
    if (want.kind === have.kind) return;
    // A swap already under way (a renewal) is raised first and followed by this one.
    if (this.incoming) return;
    this.startIncoming(grant);
  }

  private startIncoming(grant: Grant): void {
    clearTimeout(this.retryTimer);
    this.retryAt = undefined;
    // A newer session supersedes a swap still in progress.
    const previous = this.incoming;
    if (previous) {
      previous.abort.abort();
      void previous.layer.destroy();
    }
    const abort = new AbortController();
    const plan = this.plan();
    const layer: Layer =
      plan.kind === 'canvas'
        ? new CanvasLayer(
            this.host,
            grant.sessionId,
            {
              onFailure: (l, f) => this.onLayerFailure(l, f),
              onThrottled: (l, status, errorType) => {
                if (!this.destroyed && this.grant?.sessionId === l.sessionId) this.events.onThrottled(l.sessionId, status, errorType);
              },
            },
            { mode: plan.mode, counter: this.usage, ...optional('onDecodeTime', this.onDecodeTime) },
          )
        : new PlaybackLayer(
            this.host,
            grant.sessionId,
            {
              onManifest: () => undefined,
              onFailure: (l, f) => this.onLayerFailure(l, f),
              onPlan: (l) => this.onPlan(l),
              onThrottled: (l, status, errorType) => {
                if (!this.destroyed && this.grant?.sessionId === l.sessionId) this.events.onThrottled(l.sessionId, status, errorType);
              },
            },
            this.muted,
            this.usage,
          );
    layer.setFront(this.front === null);
    if (this.stream !== undefined) this.layerStreams.set(layer, this.stream);
    this.incoming = { layer, abort };
    if (!this.front) this.setPhase({ kind: 'connecting' });
    else if (this.phase.kind === 'playing' && this.front.sessionId !== grant.sessionId) this.setPhase({ ...this.phase, renewing: true });
    if (layer instanceof CanvasLayer) void this.bringUpCanvas(layer, grant, abort.signal);
    else void this.bringUp(layer, grant, abort.signal);
  }

  /** A canvas starts on its own (no Shaka start-up to space out): raised once it has drawn a picture. */
  private async bringUpCanvas(layer: CanvasLayer, grant: Grant, signal: AbortSignal): Promise<void> {
    markTile('kvs-wall:load', this.tileId, { sessionId: grant.sessionId });
    layer.start(grant.url);
    if (!this.visible) layer.pause();
    const shown = await layer.waitForFrames(1, FIRST_FRAME_TIMEOUT_MS, signal);
    if (signal.aborted) return;
    if (!shown) {
      this.onIncomingFailed(layer, layer.unsupportedCodec ? { kind: 'unsupported' } : this.lastFailure?.failure ?? { kind: 'other', code: 0 });
      return;
    }
    if (!this.front) markTile('kvs-wall:first-frame', this.tileId, { sessionId: grant.sessionId });
    await this.promote(layer);
  }

  private async bringUp(layer: PlaybackLayer, grant: Grant, signal: AbortSignal): Promise<void> {
    // A renewal of a live picture continues it. Loaded at Shaka's live edge, the new layer would sit
    // only 3 s behind the newest fragment with a manifest poll at a new, random phase: when its polls
    // fall just before fragments arrive, it learns of each one ~2 s late and runs dry ≈2.7 s after the
    // swap (measured: a 1.3 s stall in about one swap in ten). The visible layer has already settled
    // where its fragments arrive in time (a stall moves Shaka back for good), so the new one polls in
    // step with it (loaded right after its manifest arrives) and starts at its picture.
    const follow = this.followable(grant, layer);
    if (follow) await follow.nextManifest(HANDOVER_POLL_WAIT_MS, signal);
    const release = await playerStarts.turn(signal);
    let first = false;
    try {
      if (signal.aborted) return;
      markTile('kvs-wall:load', this.tileId, { sessionId: grant.sessionId });
      const startTime = follow && follow === this.front && this.followable(grant, layer) ? follow.video.currentTime + this.handoverLeadSec : undefined;
      layer.alignedStart = startTime !== undefined;
      try {
        await within(layer.load(grant.url, startTime), LOAD_TIMEOUT_MS, `The player did not load the session within ${LOAD_TIMEOUT_MS / 1000} s.`);
      } catch (error) {
        if (!signal.aborted) this.onIncomingFailed(layer, classifyFailure(error));
        return;
      }
      if (signal.aborted) return;
      first = await waitForPresentedFrames(layer.video, 1, FIRST_FRAME_TIMEOUT_MS, signal);
      if (first && !this.front) markTile('kvs-wall:first-frame', this.tileId, { sessionId: grant.sessionId });
    } finally {
      release();
    }
    if (signal.aborted) return;
    const shown = first && (await waitForPresentedFrames(layer.video, FRAMES_BEFORE_SWAP - 1, FIRST_FRAME_TIMEOUT_MS, signal));
    if (signal.aborted) return;
    if (!shown) {
      this.onIncomingFailed(layer, layer.unsupportedCodec ? { kind: 'unsupported' } : this.lastFailure?.failure ?? { kind: 'other', code: 0 });
      return;
    }
    await this.promote(layer);
  }

  private async promote(layer: Layer): Promise<void> {
    const old = this.front;
    if (old) markTile('kvs-wall:swap', this.tileId, { sessionId: layer.sessionId });
    if (old instanceof PlaybackLayer && layer instanceof PlaybackLayer && layer.alignedStart) {
      // Both sessions share the stream's media timeline: the jump is how much start-up the lead missed.
      const jump = layer.video.currentTime - old.video.currentTime;
      this.handoverLeadSec = Math.min(HANDOVER_LEAD_MAX_SEC, Math.max(0, this.handoverLeadSec - jump));
    }
    this.front = layer;
    this.incoming = null;
    layer.setFront(true);
    this.lastFrames = progressOf(layer);
    this.lastTime = mediaTimeOf(layer);
    this.lastProgressAt = performance.now();
    this.lastFailure = null;
    this.catchUp.reset();
    this.backoff.reset();
    if (!this.visible || this.held) {
      if (layer instanceof CanvasLayer) layer.pause();
      else layer.video.pause();
    }
    if (layer instanceof PlaybackLayer) layer.video.playbackRate = this.rate;
    this.refreshPlaying(layer, false);
    if (old) {
      if (old.sessionId !== layer.sessionId) this.usage.forget(old.sessionId);
      // The old layer's session may be going back to the pool: it fetches nothing more.
      if (old.sessionId !== layer.sessionId) old.stopNetwork();
      old.setFront(false);
      // Let the compositor show the new layer before the old one's last picture goes away.
      await afterNextPaint();
      await old.destroy();
    }
    // The tier may have changed while this layer came up.
    this.followPlan();
  }

  /** The playing phase for the visible layer, with its latency and, for key frames, the picture rate. */
  private refreshPlaying(layer: Layer, renewing = this.incoming !== null && this.incoming.layer.sessionId !== layer.sessionId || this.awaitingSession): void {
    const reduced = layer instanceof CanvasLayer && layer.currentMode === 'key-frames' ? { tier: 'key-frames' as const, fps: layer.pictureRate() } : undefined;
    this.setPhase({ kind: 'playing', renewing, ...optional('latencyMs', this.latencyMs(layer)), ...optional('reduced', reduced), ...this.notes(layer) });
  }

  /** The visible layer, when a renewal should continue its picture: live, shown, playing, the same stream. */
  private followable(grant: Grant, incoming: Layer): PlaybackLayer | null {
    const front = this.front;
    if (!(front instanceof PlaybackLayer) || !front.shaka || grant.playback.mode !== 'LIVE' || !this.visible || front.video.paused) return null;
    if (this.layerStreams.get(front) !== this.layerStreams.get(incoming)) return null;
    return this.phase.kind === 'playing' ? front : null;
  }

  private lastAudio = '';

  private onPlan(layer: PlaybackLayer): void {
    if (!layer.plan || this.destroyed) return;
    const facts = audioFactsOf(layer.plan);
    const key = JSON.stringify(facts);
    if (key === this.lastAudio) return;
    this.lastAudio = key;
    this.events.onAudio?.(facts);
  }

  /**
   * Notes the operator should see beside LIVE: sound the stream has but this machine can't play, and a
   * picture decoded in software (it costs CPU a platform decoder would not).
   */
  private notes(layer: Layer): { notes?: string[] } {
    if (layer instanceof CanvasLayer) return layer.decoderName === SOFTWARE_HEVC_DECODER ? { notes: ['software decode'] } : {};
    const audio = layer.plan?.audio;
    return audio?.kind === 'unsupported' ? { notes: [audio.reason] } : {};
  }

  private onIncomingFailed(layer: Layer, failure: Failure): void {
    if (this.incoming?.layer === layer) this.incoming = null;
    void layer.destroy();
    if (this.destroyed) return;
    if (layer.unsupportedCodec) {
      if (layer instanceof CanvasLayer) this.canvasUnsupported = true;
      else this.videoUnsupported = true;
      // The other way of drawing may decode it (a software decoder at the canvas seam, or `<video>`).
      const other = this.plan();
      if (this.grant && other.kind !== this.planOf(layer).kind && !(this.videoUnsupported && this.canvasUnsupported)) {
        this.startIncoming(this.grant);
        return;
      }
      this.setPhase({ kind: 'unsupported', codec: layer.unsupportedCodec });
      return;
    }
    if (failure.kind === 'session-refused') {
      this.reportRefused(layer.sessionId, failure.status);
      return;
    }
    this.lastFailure = { failure, at: performance.now() };
    this.scheduleRetry();
    // Keep the last picture and the live badge's honesty: say why nothing new is coming.
    this.setPhase(this.phaseForFailure(failure));
  }

  private onLayerFailure(layer: Layer, failure: Failure): void {
    if (this.destroyed) return;
    if (failure.kind === 'session-refused') {
      if (layer === this.front || layer === this.incoming?.layer) this.reportRefused(layer.sessionId, failure.status);
      return;
    }
    if (layer === this.front) this.lastFailure = { failure, at: performance.now() };
  }

  private reportRefused(sessionId: string, status: number): void {
    if (this.grant && this.grant.sessionId !== sessionId) return; // a newer session is already here
    if (!this.refusedSessions.has(sessionId)) {
      this.refusedSessions.add(sessionId);
      this.events.onSessionRefused(sessionId, status);
    }
    this.awaitingSession = true;
    // The buffer usually covers the wait: say so without hiding that the picture is still live.
    this.setPhase(this.phase.kind === 'playing' ? { ...this.phase, renewing: true } : { kind: 'renewing' });
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    const delay = this.backoff.next();
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryAt = undefined;
      if (!this.destroyed && this.grant && !this.incoming) this.startIncoming(this.grant);
    }, delay);
  }

  private phaseForFailure(failure: Failure): PlayerPhase {
    const retry = optional('retryAt', this.retryAt);
    switch (failure.kind) {
      case 'no-fragments':
        return { kind: 'camera-offline', since: this.cameraSilentSince(), ...retry };
      case 'network':
        return { kind: 'network-offline', ...retry };
      case 'unsupported':
        return { kind: 'unsupported', codec: this.front?.codec ?? 'this codec' };
      case 'session-refused':
        return { kind: 'renewing' };
      default:
        return { kind: 'failed', message: describeFailure(failure), ...retry };
    }
  }

  private cameraSilentSince(): number {
    const front = this.front;
    return front ? Date.now() - (performance.now() - front.newestMovedAt) : Date.now();
  }

  private latencyMs(layer: Layer): number | undefined {
    if (layer instanceof CanvasLayer) return layer.shownCameraMs === undefined ? undefined : Math.max(0, Date.now() - layer.shownCameraMs);
    const cameraTime = layer.clock.cameraTimeAt(layer.video.currentTime);
    if (cameraTime !== undefined) return Math.max(0, Date.now() - cameraTime);
    const live = layer.shaka?.getStats().liveLatency;
    return live !== undefined && Number.isFinite(live) && live > 0 ? Math.round(live * 1000) : undefined;
  }

  private checkHealth(): void {
    const front = this.front;
    if (this.destroyed || !front || !this.visible || this.held || document.visibilityState === 'hidden') return;
    const now = performance.now();
    const frames = progressOf(front);
    const time = mediaTimeOf(front);
    const framesMoved = frames > this.lastFrames;
    const timeMoved = time > this.lastTime;
    this.lastFrames = frames;
    this.lastTime = time;
    const keyFrames = front instanceof CanvasLayer && front.currentMode === 'key-frames';

    if (framesMoved || (keyFrames && now - this.lastProgressAt < KEY_FRAMES_STALL_MS)) {
      if (framesMoved) this.lastProgressAt = now;
      this.refreshPlaying(front);
      if (front instanceof PlaybackLayer) this.catchUpIfBehind(front);
      return;
    }
    if (front instanceof PlaybackLayer && this.grant?.playback.mode === 'ON_DEMAND' && front.video.ended) {
      this.setPhase({ kind: 'ended' });
      return;
    }
    const stalledFor = now - this.lastProgressAt;
    if (stalledFor < (keyFrames ? KEY_FRAMES_STALL_MS : STALL_MS)) return;
    if (this.awaitingSession) return this.setPhase({ kind: 'renewing' });
    if (this.phase.kind === 'unsupported') return;

    const recent = this.lastFailure && now - this.lastFailure.at < RECENT_FAILURE_MS ? this.lastFailure.failure : null;
    // Only call the camera silent on evidence: a 404, or manifests that keep arriving without new fragments.
    const manifestsArriving = now - front.lastManifestAt < MANIFEST_FRESH_MS;
    const cameraSilent = recent?.kind === 'no-fragments' || (manifestsArriving && now - front.newestMovedAt > CAMERA_SILENT_MS);
    if (recent?.kind === 'network') this.setPhase({ kind: 'network-offline', ...optional('retryAt', this.retryAt) });
    else if (cameraSilent) this.setPhase({ kind: 'camera-offline', since: this.cameraSilentSince() });
    else if (recent) this.setPhase(this.phaseForFailure(recent));
    else this.setPhase({ kind: 'buffering' });

    // Time runs but no frame is decoded, or nothing plays while the camera isn't known to be silent: the
    // picture is frozen or the player gave up after a burst of errors. A fresh player on the session
    // (raised only once it shows frames) fixes both; its failures back off.
    const frozen = !cameraSilent && ((timeMoved && stalledFor > STALL_MS) || stalledFor > (keyFrames ? KEY_FRAMES_FROZEN_MS : FROZEN_MS));
    if (frozen && !this.incoming && this.grant && this.retryAt === undefined) {
      this.lastProgressAt = now; // give the recovery a full window before judging again
      this.startIncoming(this.grant);
    }
  }

  /**
   * Shaka never catches up by itself: after a stall (a CPU spike, a grid change, a wake from sleep) a
   * live tile plays slightly fast or jumps inside its buffer back to its live target (catch-up.ts).
   */
  private catchUpIfBehind(front: PlaybackLayer): void {
    if (this.grant?.playback.mode !== 'LIVE') return;
    const target = front.liveTargetSec();
    if (target === undefined) return;
    const video = front.video;
    const action = this.catchUp.decide({
      currentSec: video.currentTime,
      targetSec: target,
      bufferedEndSec: video.currentTime + bufferAhead(video),
      rate: video.playbackRate,
      nowMs: performance.now(),
      ...optional('keyFrameSec', front.clock.keyFrameAtOrBefore(target)),
    });
    if (action.kind === 'seek') video.currentTime = action.toSec;
    else if (action.kind === 'rate') video.playbackRate = action.rate;
  }

  private setPhase(phase: PlayerPhase): void {
    if (samePhase(phase, this.phase)) return;
    this.phase = phase;
    this.events.onPhase(phase);
  }
}

function audioFactsOf(plan: PlaybackPlan): AudioFacts {
  return { hasAudio: plan.hasAudio, audioPlayable: plan.audioPlayable, ...(plan.audio.kind === 'unsupported' ? { reason: plan.audio.reason } : {}) };
}

/**
 * Back to the live picture at the layer's own timed start (live-phase.ts); Shaka's `goToLive()` would land
 * one presentation delay behind its clock-based edge, which with the shorter delay can run dry.
 */
function goToLive(layer: PlaybackLayer): void {
  const start = layer.liveStartSec();
  if (start === undefined) layer.shaka?.goToLive();
  else layer.video.currentTime = start;
}

/** What proves a layer's picture moves: frames decoded, or pictures drawn. */
function progressOf(layer: Layer): number {
  return layer instanceof CanvasLayer ? layer.framesDrawn : decodedFrames(layer.video);
}

function mediaTimeOf(layer: Layer): number {
  return layer instanceof CanvasLayer ? (layer.shownTimeSec ?? 0) : layer.video.currentTime;
}

function bufferAhead(video: HTMLVideoElement): number {
  const t = video.currentTime;
  for (let i = 0; i < video.buffered.length; i++) {
    if (video.buffered.start(i) <= t + 0.1 && video.buffered.end(i) >= t) return video.buffered.end(i) - t;
  }
  return 0;
}
