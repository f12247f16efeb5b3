import { parseRoleArn } from './auth/credentials';
import type { SigningKeyPair } from './auth/sigv4';
import type { Clip } from './media/api';
import type { CodecCameraChoice } from './media/clip-loader';
import { defaultCameraCacheDir } from './media/camera-variants';
import { tagSetProblem } from './streams/tags';
import { DEFAULT_SESSIONS_PER_STREAM, QUOTA_MODEL_NAMES, quotaModel, type QuotaModel, type QuotaModelName } from './quotas/quota-models';

/**
 * The emulator's demo keys. They are not secrets: they only open this local emulator, and every
 * user of the project has them. Override them with options, CLI flags or environment variables.
 */
export const DEFAULT_ACCESS_KEY_ID = 'AKIAKVSWALLDEMO00001';
export const DEFAULT_SECRET_ACCESS_KEY = 'kvs-wall-demo-secret-not-a-real-aws-key-0001';
export const DEFAULT_REGION = 'us-west-2';
export const DEFAULT_ACCOUNT_ID = '123456789012';
/** Ten minutes of archive behind "now", so LIVE_REPLAY and ON_DEMAND have something to play. */
export const DEFAULT_ARCHIVE_SECONDS = 600;
export const DEFAULT_SESSION_LIMIT_PER_STREAM = DEFAULT_SESSIONS_PER_STREAM;
export const DEFAULT_QUOTA_MODEL: QuotaModelName = 'sessions';
export const KVS_MIN_EXPIRES_SECONDS = 300;
/** Demo cameras keep a day of archive, like a typical KVS camera setup. */
export const DEFAULT_CAMERA_RETENTION_HOURS = 24;
/** `cameras: N` makes at most this many (each is a clip held in memory, and an encode on first start). */
export const MAX_DISTINCT_CAMERAS = 256;
const MAX_START_OFFSET_MS = 24 * 3_600_000;

/** A camera: any MP4 file (or an already loaded clip) becomes a stream with this name. */
export interface CameraSpec {
  name: string;
  file?: string;
  clip?: Clip;
  /** 0 makes GetDASHStreamingSessionURL fail with NoDataRetentionException, as in KVS. */
  dataRetentionInHours?: number;
  mediaType?: string;
  deviceName?: string;
  /** The stream's tags (at most 50; keys 1–128 characters, values up to 256), as ListTagsForStream returns them. */
  tags?: Readonly<Record<string, string>>;
  /**
   * How much earlier than the others this camera's timeline began (ms, default 0, at most a day):
   * cameras with different offsets change fragments at different moments, as real cameras do.
   */
  startOffsetMs?: number;
}

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Temporary credentials also accepted: requests signed with one must carry its session token. */
  sessionCredentials?: ReadonlyArray<Required<SigningKeyPair>>;
  region?: string;
  /** The emulated account (12 digits): stream ARNs, the caller's ARN, the roles that may be assumed. */
  accountId?: string;
  /**
   * Role ARNs STS AssumeRole may assume; others get AccessDenied. Default: any role of `accountId`.
   * Every emulated role allows 12-hour sessions (1 hour when reached by role chaining).
   */
  roles?: readonly string[];
  /**
   * Default: the demo cameras shipped in emulator/clips (see `codecCameras`). A number N serves N
   * distinct cameras `cam-01`…`cam-N` made from the shipped H.264 clips, each with its own name burned
   * into its picture and its own offset on the timeline, re-encoded once with ffmpeg and cached in
   * `cameraCacheDir` (without ffmpeg: the shipped clips under those names, the pictures' names repeating).
   */
  cameras?: readonly CameraSpec[] | number;
  /** With `cameras: N`: where the re-encoded cameras are kept between starts (default ~/.cache/kvs-wall/emulator-cameras). */
  cameraCacheDir?: string;
  /**
   * With the default cameras: also serve the codec cameras (`rooftop` H.265, `reception` H.264 + AAC,
   * `intercom` H.264 + G.711 A-law) beside the six H.264 ones. Default off here, so an embedding app's
   * demo shows what every player plays; `npm run emulator` turns it on. A list of slugs serves those
   * codec cameras only.
   */
  codecCameras?: CodecCameraChoice;
  /**
   * With the default cameras: also serve the demo cameras' sub-streams (`lobby-sub`, … at 320×180, the
   * same pictures as their cameras), each camera naming its own in its `kvs-wall:sub-stream` tag.
   * Default off here; `npm run emulator` and the app's embedded demo turn it on.
   */
  subStreams?: boolean;
  archiveSeconds?: number;
  /**
   * Which KVS playback quotas to enforce (default `sessions`): `sessions` caps active DASH sessions per
   * stream (the oldest revoked) with the older TPS table; `points` is AWS's current quota page, with no
   * session cap and per-stream fragment-media/metadata point budgets. See quotas/quota-models.ts.
   */
  quotaModel?: QuotaModelName;
  /** `sessions` model only: active DASH sessions per stream before the oldest is revoked (default 10). */
  sessionLimitPerStream?: number;
  /** Serves `/_control/`, allows Expires below 300 s and AssumeRole DurationSeconds below 900 s. Never on in the demo. */
  testControls?: boolean;
  /** With testControls only: the lowest Expires accepted (default 1). */
  minExpiresSeconds?: number;
  /** The ffmpeg GetImages renders frames with (default 'ffmpeg' on PATH). Without one, images are MEDIA_ERROR. */
  ffmpegPath?: string;
  /** KVS's rate limits (default on). Off only to measure the emulator's own throughput. */
  enforceQuotas?: boolean;
  /** Epoch-ms clock; inject one to run the timeline at another time. */
  now?: () => number;
  /** Called with unexpected failures (bugs); by default they are written to stderr. */
  onInternalError?: (error: unknown) => void;
  /** Told things worth knowing that don't stop the emulator (e.g. cameras falling back without ffmpeg); default stderr. */
  onNotice?: (message: string) => void;
}

export interface ResolvedOptions {
  port: number;
  key: SigningKeyPair;
  sessionCredentials: ReadonlyArray<Required<SigningKeyPair>>;
  region: string;
  accountId: string;
  roles: readonly string[] | undefined;
  cameras: readonly CameraSpec[] | number | undefined;
  cameraCacheDir: string;
  codecCameras: CodecCameraChoice;
  subStreams: boolean;
  archiveSeconds: number;
  quotaModel: QuotaModel;
  testControls: boolean;
  minExpiresSeconds: number;
  ffmpegPath: string;
  enforceQuotas: boolean;
  now: () => number;
  onInternalError: (error: unknown) => void;
  onNotice: (message: string) => void;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(`startEmulator: ${message}`);
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const port = options.port ?? 0;
  check(Number.isInteger(port) && port >= 0 && port <= 65535, `port must be an integer 0–65535, not ${port}`);
  const archiveSeconds = options.archiveSeconds ?? DEFAULT_ARCHIVE_SECONDS;
  check(Number.isFinite(archiveSeconds) && archiveSeconds >= 0, 'archiveSeconds must be 0 or more');
  const modelName = options.quotaModel ?? DEFAULT_QUOTA_MODEL;
  check((QUOTA_MODEL_NAMES as readonly string[]).includes(modelName), `quotaModel must be one of ${QUOTA_MODEL_NAMES.join(', ')}, not '${String(modelName)}'`);
  check(modelName === 'sessions' || options.sessionLimitPerStream === undefined, `sessionLimitPerStream applies to the 'sessions' quota model only; the '${modelName}' model has no session cap`);
  const limit = options.sessionLimitPerStream ?? DEFAULT_SESSION_LIMIT_PER_STREAM;
  check(Number.isInteger(limit) && limit >= 1, 'sessionLimitPerStream must be a positive integer');
  const testControls = options.testControls ?? false;
  const minExpires = testControls ? (options.minExpiresSeconds ?? 1) : KVS_MIN_EXPIRES_SECONDS;
  check(Number.isInteger(minExpires) && minExpires >= 1, 'minExpiresSeconds must be a positive integer');
  const region = options.region ?? DEFAULT_REGION;
  check(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region), `region '${region}' is not an AWS region name`);
  const accessKeyId = options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID;
  const secretAccessKey = options.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY;
  check(accessKeyId.length > 0 && secretAccessKey.length > 0, 'the access key id and secret must not be empty');
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  check(/^\d{12}$/.test(accountId), `accountId must be 12 digits, not '${accountId}'`);
  for (const role of options.roles ?? []) check(parseRoleArn(role) !== undefined, `roles: '${role}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
  const names = new Set<string>();
  const count = typeof options.cameras === 'number' ? options.cameras : undefined;
  check(count === undefined || (Number.isInteger(count) && count >= 1 && count <= MAX_DISTINCT_CAMERAS), `cameras must be a list or a whole number from 1 to ${MAX_DISTINCT_CAMERAS}, not ${count}`);
  check(count !== undefined || options.cameraCacheDir === undefined, 'cameraCacheDir applies to a number of cameras only');
  for (const cam of typeof options.cameras === 'number' ? [] : (options.cameras ?? [])) {
    check(/^[a-zA-Z0-9_.-]{1,256}$/.test(cam.name), `camera name '${cam.name}' is not a valid stream name`);
    check(!names.has(cam.name), `camera name '${cam.name}' is used twice`);
    check(cam.file !== undefined || cam.clip !== undefined, `camera '${cam.name}' needs a file or a clip`);
    const offset = cam.startOffsetMs ?? 0;
    check(Number.isFinite(offset) && offset >= 0 && offset <= MAX_START_OFFSET_MS, `camera '${cam.name}' startOffsetMs must be 0 to ${MAX_START_OFFSET_MS} ms, not ${offset}`);
    const tagProblem = cam.tags && tagSetProblem(cam.tags);
    check(tagProblem === undefined, `camera '${cam.name}' ${tagProblem ?? ''}`);
    names.add(cam.name);
  }
  check(options.codecCameras === undefined || options.cameras === undefined, 'codecCameras applies to the default demo cameras only, not to a list or a number of cameras');
  check(options.subStreams === undefined || options.cameras === undefined, 'subStreams applies to the default demo cameras only, not to a list or a number of cameras');
  return {
    port,
    key: { accessKeyId, secretAccessKey },
    sessionCredentials: options.sessionCredentials ?? [],
    region,
    accountId,
    roles: options.roles,
    cameras: options.cameras,
    cameraCacheDir: options.cameraCacheDir ?? defaultCameraCacheDir(),
    codecCameras: options.codecCameras ?? false,
    subStreams: options.subStreams ?? false,
    archiveSeconds,
    quotaModel: quotaModel(modelName, limit),
    testControls,
    minExpiresSeconds: minExpires,
    ffmpegPath: options.ffmpegPath ?? 'ffmpeg',
    enforceQuotas: options.enforceQuotas ?? true,
    now: options.now ?? Date.now,
    onInternalError: options.onInternalError ?? ((error) => console.error('kvs-emulator: internal error:', error)),
    onNotice: options.onNotice ?? ((message) => console.warn(`kvs-emulator: ${message}`)),
  };
}
