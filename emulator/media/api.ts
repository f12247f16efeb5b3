/**
 * The seam between the emulator's media side (clips, fMP4 rewriting, live timelines, MPD building)
 * and its service side (HTTP, SigV4, sessions, quotas). The service only uses what is declared here.
 */

/** KVS numbers a stream's tracks: 1 is the video, 2 the audio (when the producer sends sound). */
export type TrackNumber = 1 | 2;

/**
 * A clip's sound, served as KVS track 2: its own init segment and, for each video fragment, the audio
 * fragment that was interleaved with it (same index), so both tracks tile the same timeline.
 */
export interface ClipAudio {
  /** `ftyp` + `moov` of the audio track alone. */
  readonly init: Uint8Array;
  /** Index-aligned with the clip's video fragments. */
  readonly fragments: readonly ClipFragment[];
  readonly timescale: number;
  /** 'mp4a.40.2' (AAC LC), 'alaw' / 'ulaw' (G.711), or another codec KVS playback refuses. */
  readonly codec: string;
  /** KVS-style codec id: 'A_AAC', 'A_MS/ACM' (G.711), or another. */
  readonly kvsCodecId: string;
  readonly mimeType: 'audio/mp4';
  readonly sampleRate: number;
  readonly channels: number;
  readonly totalDurationTicks: number;
}

/** A clip split into its init segment and one fragment per GOP, as loaded from an MP4 file. */
export interface Clip {
  readonly name: string;
  /** `ftyp` + `moov`, no fragments. */
  readonly init: Uint8Array;
  readonly fragments: readonly ClipFragment[];
  /** Track timescale (ticks per second) of the video track. */
  readonly timescale: number;
  /** e.g. 'avc1.64001e'; 'hvc1…'/'hev1…' for H.265; anything else is unsupported by KVS playback. */
  readonly codec: string;
  /** KVS-style codec id: 'V_MPEG4/ISO/AVC', 'V_MPEGH/ISO/HEVC', or another. */
  readonly kvsCodecId: string;
  readonly width: number;
  readonly height: number;
  /** MIME type for the DASH Representation. */
  readonly mimeType: 'video/mp4';
  readonly totalDurationTicks: number;
  /** DASH `frameRate` ('25', '30000/1001') when every sample lasts the same; absent for variable frame rate. */
  readonly frameRate?: string;
  /** The audio track, when the clip has sound. */
  readonly audio?: ClipAudio;
}

export interface ClipFragment {
  /** `moof` + `mdat` (plus any `styp`/`sidx` the encoder wrote), with times starting at the clip's zero. */
  readonly data: Uint8Array;
  readonly durationTicks: number;
  /** Decode time of this fragment within the clip. */
  readonly startTicks: number;
}

/** One fragment as it exists on a stream's timeline (ingested, archived, addressable). */
export interface TimelineFragment {
  /** Index on the timeline, 0 = the first fragment after the origin; never reused. */
  readonly index: number;
  /** KVS-style fragment number: a long decimal string, strictly increasing with index. */
  readonly fragmentNumber: string;
  /** Epoch ms of the fragment's first frame as the producer stamped it. */
  readonly producerTimestampMs: number;
  /** Epoch ms at which KVS received it (a little after the producer time). */
  readonly serverTimestampMs: number;
  readonly durationMs: number;
  /** Decode time in the track timescale: seconds since the timeline origin × timescale. */
  readonly startTicks: number;
  readonly durationTicks: number;
  readonly sizeBytes: number;
  /** The same fragment's audio track, in the audio timescale, when the stream has sound. */
  readonly audio?: TrackTiming;
}

/** Where one track of a fragment lies on the timeline, in that track's timescale. */
export interface TrackTiming {
  readonly startTicks: number;
  readonly durationTicks: number;
  readonly sizeBytes: number;
}

/**
 * A camera's stream: a clip looped onto a timeline that began at `originMs`. A fragment exists once
 * its whole GOP has been "ingested" (start + duration ≤ now) and the camera was not stopped then.
 */
export interface Timeline {
  readonly clip: Clip;
  readonly originMs: number;
  /** Every fragment with ingest time in [fromMs, toMs), oldest first, honouring stops. */
  fragmentsBetween(fromMs: number, toMs: number, selector: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP', nowMs: number): TimelineFragment[];
  /** The newest `count` ingested fragments at `nowMs`, oldest first. */
  newest(count: number, nowMs: number): TimelineFragment[];
  /** The fragment with this index if it has been ingested by `nowMs`. */
  fragment(index: number, nowMs: number): TimelineFragment | undefined;
  /**
   * One track of a fragment (default the video), rewritten so tfdt/sidx = that track's start and mfhd
   * sequence = index + 1. Track 2 exists only when the clip has audio.
   */
  fragmentBytes(index: number, track?: TrackNumber): Uint8Array;
  /** Which of the clip's fragments timeline fragment `index` replays (its bytes, not yet placed on the timeline). */
  clipFragmentIndex(index: number): number;
  /** Stop producing at `atMs` (until resume): fragments starting in a stop don't exist. */
  stop(atMs: number): void;
  resume(atMs: number): void;
  isStopped(nowMs: number): boolean;
}

/** What the MPD builder needs for one session's manifest. */
export interface ManifestInput {
  type: 'dynamic' | 'static';
  clip: Pick<Clip, 'timescale' | 'codec' | 'width' | 'height' | 'mimeType' | 'frameRate'> & {
    readonly audio?: Pick<ClipAudio, 'timescale' | 'codec' | 'mimeType' | 'sampleRate' | 'channels'>;
  };
  /** Fragments to list, oldest first, each with its per-session sequence number ($Number$). */
  entries: ReadonlyArray<{ number: number; fragment: TimelineFragment }>;
  /** Query string (without '?') appended to init and media URLs, e.g. 'SessionToken=…'. */
  tokenQuery: string;
  /** Epoch ms of the timeline origin: media time 0. */
  originMs: number;
  nowMs: number;
  displayFragmentNumber: boolean;
  displayFragmentTimestamp: boolean;
  /** Which timestamp `kvs:ts` shows. */
  selector: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP';
  /** For dynamic manifests: how often a player should refresh, in seconds. */
  minimumUpdatePeriodSeconds: number;
}

/** The namespace URI bound to the `kvs:` prefix; real KVS's URI is not documented, so it lives here alone. */
export const KVS_MPD_NAMESPACE = 'urn:aws:kinesisvideo:dash:2017';
