/**
 * Whether the page can reach KVS Wall's main process. Two ways to lose it: the browser shell's socket
 * closed (the shell stopped, or the network between tab and shell dropped), or main stopped answering
 * (an Electron main process that hangs keeps its IPC "open" but never replies). The first is reported
 * by the transport; the second is found by a cheap call that gets no answer in time.
 */
export type Link = 'connected' | 'socket-closed' | 'unresponsive';

export interface ConnectionView {
  link: Link;
  /** When the link was lost (epoch ms); absent while connected. */
  since?: number;
}

/** Time as this module sees it: injected so the tests run on a clock they move. */
export interface MonitorTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: MonitorTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface ConnectionMonitorOptions {
  /** The transport's open/closed changes; Electron IPC never reports any. */
  onConnectionChange: (listener: (connected: boolean) => void) => () => void;
  /** A round trip to main that any live main answers quickly. */
  ping: () => Promise<unknown>;
  onChange: (view: ConnectionView) => void;
  timers?: MonitorTimers;
  /** How often main is asked whether it is there. */
  pingEveryMs?: number;
  /** A ping without an answer for this long: main is not answering. */
  unresponsiveAfterMs?: number;
}

export interface ConnectionMonitor {
  readonly view: ConnectionView;
  stop(): void;
}

export function startConnectionMonitor(options: ConnectionMonitorOptions): ConnectionMonitor {
  const timers = options.timers ?? browserTimers;
  const pingEvery = options.pingEveryMs ?? 5000;
  const unresponsiveAfter = options.unresponsiveAfterMs ?? 10_000;
  let view: ConnectionView = { link: 'connected' };
  let stopped = false;
  let pingTimer: unknown;
  let deadline: unknown;
  /** Counts pings, so an answer to an older one (sent before a drop) changes nothing. */
  let pingSerial = 0;
  let inFlight = false;

  const clear = (handle: unknown) => {
    if (handle !== undefined) timers.clearTimeout(handle);
  };

  const set = (link: Link) => {
    if (stopped || view.link === link) return;
    view = link === 'connected' ? { link } : { link, since: view.since ?? timers.now() };
    options.onChange(view);
  };

  const schedule = () => {
    if (stopped) return;
    clear(pingTimer);
    pingTimer = timers.setTimeout(ping, pingEvery);
  };

  const ping = () => {
    if (stopped) return;
    // A closed socket has nothing to ask through; the transport says when it is back.
    if (view.link === 'socket-closed' || inFlight) return schedule();
    const serial = ++pingSerial;
    inFlight = true;
    deadline = timers.setTimeout(() => {
      if (serial === pingSerial && view.link === 'connected') set('unresponsive');
    }, unresponsiveAfter);
    // Any answer, an error included, comes from a main that is running.
    const answered = () => {
      if (serial !== pingSerial) return;
      inFlight = false;
      clear(deadline);
      if (view.link === 'unresponsive') set('connected');
      schedule();
    };
    options.ping().then(answered, answered);
  };

  const offConnection = options.onConnectionChange((connected) => {
    if (connected) {
      set('connected');
      // Whatever was in flight went with the old socket; ask afresh.
      pingSerial++;
      inFlight = false;
      clear(deadline);
      ping();
    } else {
      pingSerial++;
      inFlight = false;
      clear(deadline);
      set('socket-closed');
    }
  });
  schedule();

  return {
    get view() {
      return view;
    },
    stop() {
      stopped = true;
      offConnection();
      clear(pingTimer);
      clear(deadline);
    },
  };
}
