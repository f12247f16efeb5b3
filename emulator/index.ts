import type { AddressInfo } from 'node:net';
import { CredentialStore, parseRoleArn } from './auth/credentials';
import { createControlRoutes } from './control/control-routes';
import { Counters } from './control/counters';
import { createEmulatorControl, type EmulatorControl } from './control/emulator-control';
import { FaultPlan } from './faults/fault-plan';
import { createEmulatorServer } from './http/server';
import { loadCameras } from './cameras';
import type { CameraBuild } from './media/camera-variants';
import { FrameImages } from './media/frame-images';
import { JobLimiter } from './media/job-limiter';
import { KvsError } from './errors';
import { MAX_DISTINCT_CAMERAS, resolveOptions, type CameraSpec, type EmulatorOptions } from './options';
import { QuotaBook } from './quotas/quotas';
import type { ServiceContext } from './service-context';
import { SessionStore } from './sessions/session-store';
import { SsoPortal } from './sso/sso-portal';
import { StreamRegistry } from './streams/stream-registry';
import { MIN_ROLE_DURATION_SECONDS, type StsContext } from './sts/sts-actions';

export type { EmulatorOptions, CameraSpec } from './options';
export { DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, DEFAULT_REGION, DEFAULT_ACCOUNT_ID, DEFAULT_QUOTA_MODEL } from './options';
export { EMULATOR_USER_NAME } from './auth/credentials';
export type { EmulatorControl, EmulatorCounters } from './control/emulator-control';
export type { RequestKind } from './request-kinds';
export { DEFAULT_SSO_ROLE, type SsoTokenOptions, type SsoCounters } from './sso/sso-portal';
export type { AnswerLoss } from './faults/fault-plan';
export type { QuotaModelName } from './quotas/quota-models';
export type { CameraBuild } from './media/camera-variants';
export { defaultCameraCacheDir } from './media/camera-variants';
export { MAX_DISTINCT_CAMERAS } from './options';

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: the endpoint for both SDK clients. */
  readonly url: string;
  readonly region: string;
  /** The emulated account; roles of it may be assumed unless `roles` says otherwise. */
  readonly accountId: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly control: EmulatorControl;
  /**
   * The IAM Identity Center portal: `issueToken` mints what `aws sso login` would cache (test controls
   * only), `revokeTokens` signs everyone out, `counters` counts GetRoleCredentials answers.
   */
  readonly sso: Pick<SsoPortal, 'issueToken' | 'revokeTokens' | 'counters'>;
  /** Stream names of the cameras, in the order given. */
  readonly cameras: readonly string[];
  /** With `cameras: N`: how many cameras were encoded now, found in the cache, or left as the shipped clip. */
  readonly cameraBuild?: CameraBuild;
  /**
   * Adds cameras while the emulator runs, as `cameras` does at start (a list, or N distinct cameras
   * `cam-01`…, encoded or found in `cacheDir`): an embedding app can serve its first cameras at once and
   * prepare a large set in the background. Resolves with the new streams' names; a name already served
   * is an error (ResourceInUseException) and nothing is added.
   */
  addCameras(cameras: readonly CameraSpec[] | number, options?: { cacheDir?: string }): Promise<{ names: readonly string[]; build?: CameraBuild }>;
  stop(): Promise<void>;
}

/** Expired sessions and idle quota buckets are dropped this often, so memory stays bounded. */
const PRUNE_INTERVAL_MS = 5_000;
/** ffmpeg processes (image renders, camera encodes) running at once; the machines have two cores. */
const FFMPEG_JOBS_AT_ONCE = 2;

/**
 * Starts a local Kinesis Video Streams endpoint on 127.0.0.1: the control plane, archived media
 * (DASH sessions, ListFragments, GetClip, GetImages) and the DASH manifest and fragment GETs, over cameras that loop
 * real H.264 or H.265 clips (with AAC or G.711 sound, when they have it) onto a live timeline; and STS
 * (GetCallerIdentity, AssumeRole) on the same origin.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const opts = resolveOptions(options);
  const startedMs = opts.now();
  const streams = new StreamRegistry(opts.region, opts.accountId, opts.now);
  // Every ffmpeg process the emulator starts takes a turn here: at most two at once.
  const ffmpegJobs = new JobLimiter(FFMPEG_JOBS_AT_ONCE);
  const cameraSetup = (cacheDir: string) => ({ codecCameras: opts.codecCameras, subStreams: opts.subStreams, cacheDir, ffmpegPath: opts.ffmpegPath, limiter: ffmpegJobs, notice: opts.onNotice });
  const originMs = startedMs - opts.archiveSeconds * 1000;
  const { streams: cameras, build } = await loadCameras(opts.cameras, originMs, cameraSetup(opts.cameraCacheDir));
  for (const cam of cameras) streams.create(cam);
  const served = cameras.map((c) => c.name);

  let origin = '';
  const counters = new Counters();
  let minExpiresSeconds = opts.minExpiresSeconds;
  const ctx: ServiceContext = {
    region: opts.region,
    now: opts.now,
    origin: () => origin,
    streams,
    sessions: new SessionStore(opts.quotaModel.sessionsPerStream),
    quotas: new QuotaBook(opts.quotaModel, counters, opts.enforceQuotas),
    counters,
    images: new FrameImages({ ffmpegPath: opts.ffmpegPath, limiter: ffmpegJobs }),
    minExpiresSeconds: () => minExpiresSeconds,
  };

  const credentials = new CredentialStore(opts.accountId, opts.key, opts.sessionCredentials);
  const allowedRoles = opts.roles && new Set(opts.roles);
  const sts: StsContext = {
    now: opts.now,
    credentials,
    mayAssume: (roleArn) => (allowedRoles ? allowedRoles.has(roleArn) : parseRoleArn(roleArn)?.account === opts.accountId),
    // Test controls let tests watch assumed-role credentials expire in seconds.
    minDurationSeconds: opts.testControls ? 1 : MIN_ROLE_DURATION_SECONDS,
  };

  const faults = new FaultPlan();
  const fullControl = createEmulatorControl({
    ctx,
    faults,
    counters,
    setMinExpires: (seconds) => {
      minExpiresSeconds = seconds;
    },
  });
  const control = opts.testControls ? fullControl : readOnlyControl(fullControl);

  // The SSO portal trades an `aws sso login` token for role credentials from the same credential store.
  const sso = new SsoPortal({ now: opts.now, accountId: opts.accountId, issue: (roleArn, sessionName, expiresMs) => credentials.issue(roleArn, sessionName, expiresMs), testControls: opts.testControls });

  const server = createEmulatorServer({
    ctx,
    credentials,
    sts,
    sso,
    faults,
    counters,
    control: opts.testControls ? createControlRoutes(fullControl) : undefined,
    onInternalError: opts.onInternalError,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  const pruner = setInterval(() => {
    const now = opts.now();
    ctx.sessions.prune(now);
    ctx.quotas.prune(now);
  }, PRUNE_INTERVAL_MS);
  pruner.unref();

  return {
    url: origin,
    region: opts.region,
    accountId: opts.accountId,
    credentials: { accessKeyId: opts.key.accessKeyId, secretAccessKey: opts.key.secretAccessKey },
    control,
    sso,
    get cameras() {
      return served;
    },
    ...(build ? { cameraBuild: build } : {}),
    async addCameras(more, addOptions = {}) {
      if (typeof more === 'number' && !(Number.isInteger(more) && more >= 1 && more <= MAX_DISTINCT_CAMERAS)) {
        throw new RangeError(`addCameras: cameras must be a list or a whole number from 1 to ${MAX_DISTINCT_CAMERAS}, not ${more}`);
      }
      const loaded = await loadCameras(more, originMs, cameraSetup(addOptions.cacheDir ?? opts.cameraCacheDir));
      for (const cam of loaded.streams) {
        if (streams.byName(cam.name)) throw new KvsError('ResourceInUseException', `The stream ${cam.name} already exists.`);
      }
      for (const cam of loaded.streams) streams.create(cam);
      const names = loaded.streams.map((c) => c.name);
      served.push(...names);
      return { names, ...(loaded.build ? { build: loaded.build } : {}) };
    },
    stop: async () => {
      clearInterval(pruner);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Without test controls the in-process object only reads: faults can't reach the demo. */
function readOnlyControl(control: EmulatorControl): EmulatorControl {
  const refuse = (): never => {
    throw new Error('The emulator was started without testControls; faults and revocations are disabled.');
  };
  return {
    stopCamera: refuse,
    resumeCamera: refuse,
    injectGap: refuse,
    failNext: refuse,
    setLatency: refuse,
    throttle: refuse,
    loseAnswer: refuse,
    clearFaults: refuse,
    revokeSession: refuse,
    revokeStreamSessions: refuse,
    setMinExpiresSeconds: refuse,
    setCodec: refuse,
    sessions: (name) => control.sessions(name),
    counters: () => control.counters(),
    resetCounters: () => control.resetCounters(),
  };
}
