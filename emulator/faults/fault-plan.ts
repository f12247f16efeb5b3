import { KvsError, throttled, GET_THROTTLED_STATUS } from '../errors';
import { MEDIA_ACTIONS, type RequestKind } from '../request-kinds';

export type FailureStatus = 500 | 503;

/**
 * Faults injected through the test controls: added latency, a burst of server errors, and forced
 * throttling, each per request kind. The service consults it once per request, before doing any work.
 */
export class FaultPlan {
  private readonly latency = new Map<RequestKind, number>();
  private readonly failures = new Map<RequestKind, { remaining: number; status: FailureStatus }>();
  private readonly throttles = new Map<RequestKind, number>();

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

  clear(): void {
    this.latency.clear();
    this.failures.clear();
    this.throttles.clear();
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
