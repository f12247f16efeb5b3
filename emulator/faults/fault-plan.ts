import { KvsError, throttled, GET_THROTTLED_STATUS } from '../errors';
import { MEDIA_ACTIONS, type RequestKind } from '../request-kinds';

export type FailureStatus = 500 | 503;

/**
 * How an answer is lost after the request was fully handled: the connection is destroyed with nothing
 * sent (`drop`), or the answer is held back for `delayMs` (`delay`) so a client with a shorter timeout
 * gives up first. Either way the work is done: a session asked for exists and counts.
 */
export type AnswerLoss = { readonly mode: 'drop' } | { readonly mode: 'delay'; readonly delayMs: number };

/**
 * Faults injected through the test controls: added latency, a burst of server errors, forced
 * throttling and lost answers, each per request kind. The service consults the first three once per
 * request before doing any work, and the last once the work is done.
 */
export class FaultPlan {
  private readonly latency = new Map<RequestKind, number>();
  private readonly failures = new Map<RequestKind, { remaining: number; status: FailureStatus }>();
  private readonly throttles = new Map<RequestKind, number>();
  private readonly losses = new Map<RequestKind, { remaining: number; loss: AnswerLoss }>();

  setLatency(kind: RequestKind, ms: number): void {
    if (ms <= 0) this.latency.delete(kind);
    else this.latency.set(kind, ms);
  }

  latencyFor(kind: RequestKind): number {
    return this.latency.get(kind) ?? 0;
  }

  failNext(kind: RequestKind, count: number, status: FailureStatus): void {
    if (count <= 0) this.failures.delete(kind);
    else this.failures.set(kind, { remaining: count, status });
  }

  /** `count` = Infinity throttles until cleared. */
  throttle(kind: RequestKind, count: number): void {
    if (count <= 0) this.throttles.delete(kind);
    else this.throttles.set(kind, count);
  }

  loseAnswers(kind: RequestKind, count: number, loss: AnswerLoss): void {
    if (count <= 0) this.losses.delete(kind);
    else this.losses.set(kind, { remaining: count, loss });
  }

  /** Whether this request's answer is to be lost; consumes one unit of the fault. */
  takeAnswerLoss(kind: RequestKind): AnswerLoss | undefined {
    const pending = this.losses.get(kind);
    if (!pending) return undefined;
    if (--pending.remaining <= 0) this.losses.delete(kind);
    return pending.loss;
  }

  clear(): void {
    this.latency.clear();
    this.failures.clear();
    this.throttles.clear();
    this.losses.clear();
  }

  /** The injected error this request must get, if any; consumes one unit of the fault. */
  takeFault(kind: RequestKind): KvsError | undefined {
    const failure = this.failures.get(kind);
    if (failure) {
      if (--failure.remaining <= 0) this.failures.delete(kind);
      return failure.status === 503
        ? new KvsError('ServiceUnavailableException', 'The service is unavailable (injected fault).', 503)
        : new KvsError('InternalFailure', 'The server encountered an internal error (injected fault).', 500);
    }
    const throttle = this.throttles.get(kind);
    if (throttle !== undefined) {
      if (throttle - 1 <= 0) this.throttles.delete(kind);
      else this.throttles.set(kind, throttle - 1);
      const isGet = (MEDIA_ACTIONS as readonly string[]).includes(kind);
      return throttled(`${kind} (injected throttling)`, isGet ? GET_THROTTLED_STATUS : undefined);
    }
    return undefined;
  }
}
