import type { CallName, CallRequest, CallResponse } from '../../../shared/contract';
import type { Transport } from './bridge';

export interface QuietTransport extends Transport {
  /** Calls sent and not yet answered. */
  readonly inFlight: number;
  /**
   * Resolves once no call is waiting for its answer (or after `maxMs`), and the page has run what
   * those answers started. A reload main asks for waits for this, so an answer already on its way
   * (the account just added) is not lost with the page.
   */
  whenQuiet(maxMs: number): Promise<void>;
}

/** Counts the calls in flight through `api`. */
export function trackCalls(api: Transport): QuietTransport {
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  const settle = (): void => {
    inFlight -= 1;
    if (inFlight > 0) return;
    const ready = waiters;
    waiters = [];
    for (const wake of ready) wake();
  };
  return {
    get inFlight() {
      return inFlight;
    },
    call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
      inFlight += 1;
      const answer = api.call(name, request);
      answer.then(settle, settle);
      return answer;
    },
    on: (name, listener) => api.on(name, listener),
    onReconnected: (listener) => api.onReconnected(listener),
    whenQuiet(maxMs) {
      const quiet = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      // A task later: what the answers started (a panel opened, its state remembered) has run by then.
      return quiet.then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
    },
  };
}
