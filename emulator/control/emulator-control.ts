import { KvsError } from '../errors';
import type { AnswerLoss, FailureStatus, FaultPlan } from '../faults/fault-plan';
import type { QuotaModelName } from '../quotas/quota-models';
import type { RequestKind } from '../request-kinds';
import type { ServiceContext } from '../service-context';
import type { SessionSummary } from '../sessions/session-store';
import type { StreamRecord } from '../streams/stream';
import type { Counters, RequestCounters } from './counters';

export interface EmulatorCounters extends RequestCounters {
  /** The quota model this emulator enforces. */
  quotaModel: QuotaModelName;
  /** Active (unexpired, unrevoked) DASH sessions per stream. */
  activeSessions: Record<string, number>;
  /** Sessions revoked since start: by the per-stream limit, by a control, or by deleting a stream. */
  revokedSessions: number;
  /** Sessions still held in memory (active, or revoked and not yet past their expiry). */
  sessionsHeld: number;
}

/**
 * The emulator's test controls, in process. The same operations are served over HTTP under
 * `/_control/` when `testControls` is on. Every fault lasts until cleared or used up.
 */
export interface EmulatorControl {
  /** The camera stops sending: no new fragments until resumed. */
  stopCamera(streamName: string): void;
  resumeCamera(streamName: string): void;
  /** Stops the camera now and resumes it after `seconds`, leaving a hole in the archive. */
  injectGap(streamName: string, seconds: number): void;
  /** The next `count` requests of `kind` fail with 500 InternalFailure or 503 ServiceUnavailable. */
  failNext(kind: RequestKind, count: number, status?: FailureStatus): void;
  /** Every request of `kind` waits `ms` before it is handled (0 removes it). */
  setLatency(kind: RequestKind, ms: number): void;
  /** The next `count` requests of `kind` (all of them if omitted) get ClientLimitExceededException. */
  throttle(kind: RequestKind, count?: number): void;
  /**
   * The next `count` requests of `kind` that pass authentication are fully handled (a session asked
   * for is created and counts against the limit), and then their answer is lost: the connection is
   * dropped with nothing sent (default), or the answer is held back `delayMs` so a client with a
   * shorter timeout gives up. `count` 0 removes the fault.
   */
  loseAnswer(kind: RequestKind, count: number, loss?: AnswerLoss): void;
  clearFaults(): void;
  /** Revokes one session by token, id or session URL; false if none matched. */
  revokeSession(tokenIdOrUrl: string): boolean;
  /** Revokes every active session of a stream; returns how many. */
  revokeStreamSessions(streamName: string): number;
  /** The lowest Expires GetDASHStreamingSessionURL accepts (KVS: 300). */
  setMinExpiresSeconds(seconds: number): void;
  /** From now on the camera sends this codec; fragments after the change don't match older sessions. */
  setCodec(streamName: string, change: { kvsCodecId?: string; hasCodecPrivateData?: boolean }): void;
  sessions(streamName?: string): SessionSummary[];
  counters(): EmulatorCounters;
  resetCounters(): void;
}

export interface ControlDeps {
  readonly ctx: ServiceContext;
  readonly faults: FaultPlan;
  readonly counters: Counters;
  readonly setMinExpires: (seconds: number) => void;
}

function camera(ctx: ServiceContext, name: string): StreamRecord & { media: NonNullable<StreamRecord['media']> } {
  const stream = ctx.streams.byName(name);
  if (!stream?.media) throw new KvsError('ResourceNotFoundException', `No camera stream named '${name}'.`);
  return stream as StreamRecord & { media: NonNullable<StreamRecord['media']> };
}

/** The timeline refuses stops that overlap a booked gap; that is the caller's mistake, not a crash. */
function onTimeline(change: () => void): void {
  try {
    change();
  } catch (error) {
    if (error instanceof RangeError) throw new KvsError('InvalidArgumentException', `The camera cannot change now: ${error.message}.`);
    throw error;
  }
}

function tokenFrom(value: string): string {
  const match = /[?&]SessionToken=([^&]+)/.exec(value);
  return match?.[1] ? decodeURIComponent(match[1]) : value;
}

export function createEmulatorControl(deps: ControlDeps): EmulatorControl {
  const { ctx, faults } = deps;
  return {
    stopCamera: (name) => onTimeline(() => camera(ctx, name).media.timeline.stop(ctx.now())),
    resumeCamera: (name) => onTimeline(() => camera(ctx, name).media.timeline.resume(ctx.now())),
    injectGap: (name, seconds) =>
      onTimeline(() => {
        const { timeline } = camera(ctx, name).media;
        if (timeline.isStopped(ctx.now())) throw new RangeError('the camera is already stopped');
        // The resume is booked ahead on the timeline, so the gap follows the emulator's clock, injected or not.
        const now = ctx.now();
        timeline.stop(now);
        timeline.resume(now + seconds * 1000);
      }),
    failNext: (kind, count, status = 503) => faults.failNext(kind, count, status),
    setLatency: (kind, ms) => faults.setLatency(kind, ms),
    throttle: (kind, count) => faults.throttle(kind, count ?? Number.POSITIVE_INFINITY),
    loseAnswer: (kind, count, loss = { mode: 'drop' }) => faults.loseAnswers(kind, count, loss),
    clearFaults: () => faults.clear(),
    revokeSession: (value) => ctx.sessions.revoke(tokenFrom(value)),
    revokeStreamSessions: (name) => ctx.sessions.revokeStream(name, 'revoked'),
    setMinExpiresSeconds: (seconds) => deps.setMinExpires(seconds),
    setCodec: (name, change) => {
      const stream = camera(ctx, name);
      stream.codecHistory.push(stream.codec);
      stream.codec = {
        kvsCodecId: change.kvsCodecId ?? stream.codec.kvsCodecId,
        hasCodecPrivateData: change.hasCodecPrivateData ?? stream.codec.hasCodecPrivateData,
        generation: stream.codec.generation + 1,
        sinceMs: ctx.now(),
      };
    },
    sessions: (name) => ctx.sessions.summaries(ctx.now()).filter((s) => name === undefined || s.streamName === name),
    counters: () => ({
      quotaModel: ctx.quotas.model.name,
      ...deps.counters.snapshot(),
      activeSessions: ctx.sessions.activeCounts(ctx.now()),
      revokedSessions: ctx.sessions.revokedCount,
      sessionsHeld: ctx.sessions.size,
    }),
    resetCounters: () => deps.counters.reset(),
  };
}
