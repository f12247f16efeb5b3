import { EVENT_NAMES, type CallName, type CallRequest, type CallResponse, type EventName, type EventPayload, type WallApi } from '../../../shared/contract';
import { ServerFrameSchema, WIRE_SOCKET_PATH, WIRE_TOKEN_PARAM } from '../../../shared/wire';
import { networkError, unwrapReply } from './reply';

/** The part of the browser WebSocket API the client uses; the `ws` package's socket fits it too. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WsClientOptions {
  /** ws(s)://host:port/ipc?token=… */
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`, with jitter. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a call made while disconnected waits for the socket before failing. */
  connectWaitMs?: number;
  random?: () => number;
}

export interface WsClient extends WallApi {
  readonly connected: boolean;
  /** Resolves once the socket is open (again). */
  whenConnected(): Promise<void>;
  /**
   * Called each time the socket opens again after it dropped (not on the first open). Main treats a
   * closed socket as a page that is gone, so whatever the page held there must be claimed again.
   */
  onReconnected(listener: () => void): () => void;
  close(): void;
}

const OPEN = 1;

interface Pending {
  call: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** The socket URL for the page we were served from, token taken from its query or fragment. */
export function socketUrlFromLocation(location: Pick<Location, 'protocol' | 'host' | 'search' | 'hash'>): string | undefined {
  const token = new URLSearchParams(location.search).get(WIRE_TOKEN_PARAM) ?? new URLSearchParams(location.hash.replace(/^#/, '')).get(WIRE_TOKEN_PARAM);
  if (!token) return undefined;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${WIRE_SOCKET_PATH}?${WIRE_TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

/**
 * WallApi over the browser shell's WebSocket. Reconnects with capped, jittered backoff; calls in
 * flight when the socket drops fail with a retryable NetworkError (the caller decides whether to
 * repeat them, since a call may have taken effect); subscriptions are restored on every reconnect.
 */
export function createWsClient(options: WsClientOptions): WsClient {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as SocketLike);
  const initialBackoff = options.initialBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  const connectWait = options.connectWaitMs ?? 10_000;
  const random = options.random ?? Math.random;

  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  const reconnectListeners = new Set<() => void>();
  let everOpened = false;
  let socket: SocketLike | undefined;
  let nextId = 1;
  let attempt = 0;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const isOpen = () => socket !== undefined && socket.readyState === OPEN;

  const sendSubscriptions = () => {
    if (isOpen()) socket!.send(JSON.stringify({ subscribe: [...listeners.keys()] }));
  };

  const failPending = (message: string) => {
    const calls = [...pending.values()];
    pending.clear();
    for (const p of calls) p.reject(networkError(message));
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const frame = ServerFrameSchema.safeParse(json);
    if (!frame.success) return;
    if ('reply' in frame.data) {
      const { id, reply } = frame.data;
      if (id === null) {
        if (!reply.ok) console.warn(`KVS Wall refused a frame: ${reply.error.message}`);
        return;
      }
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      try {
        p.resolve(unwrapReply(reply, p.call));
      } catch (err) {
        p.reject(err as Error);
      }
      return;
    }
    const set = listeners.get(frame.data.event as EventName);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(frame.data.payload);
      } catch (err) {
        // One broken listener must not starve the others.
        console.error(err);
      }
    }
  };

  const connect = () => {
    if (closed) return;
    const s = createSocket(options.url);
    socket = s;
    s.addEventListener('open', () => {
      if (socket !== s) return;
      attempt = 0;
      sendSubscriptions();
      const ready = waiters;
      waiters = [];
      for (const w of ready) w.resolve();
      const again = everOpened;
      everOpened = true;
      if (!again) return;
      for (const listener of [...reconnectListeners]) {
        try {
          listener();
        } catch (err) {
          console.error(err);
        }
      }
    });
    s.addEventListener('message', (event) => {
      if (socket === s) onMessage(event.data);
    });
    s.addEventListener('close', () => {
      if (socket !== s) return;
      socket = undefined;
      failPending('The connection to KVS Wall dropped before it answered.');
      if (closed) return;
      const base = Math.min(maxBackoff, initialBackoff * 2 ** attempt++);
      retryTimer = setTimeout(connect, base / 2 + random() * (base / 2));
    });
    // 'error' is always followed by 'close', which does the work.
    s.addEventListener('error', () => {});
  };

  const whenConnected = (): Promise<void> => {
    if (isOpen()) return Promise.resolve();
    if (closed) return Promise.reject(networkError('The connection to KVS Wall is closed.'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (err: Error) => (clearTimeout(timer), reject(err)),
      };
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter);
        reject(networkError('KVS Wall is not reachable; it will keep trying to reconnect.'));
      }, connectWait);
      waiters.push(waiter);
    });
  };

  connect();

  return {
    get connected() {
      return isOpen();
    },
    whenConnected,
    onReconnected(listener) {
      reconnectListeners.add(listener);
      return () => void reconnectListeners.delete(listener);
    },
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
      await whenConnected();
      const id = nextId++;
      return new Promise<CallResponse<N>>((resolve, reject) => {
        if (!isOpen()) return reject(networkError('The connection to KVS Wall dropped before the call was sent.'));
        pending.set(id, { call: name, resolve: resolve as (v: unknown) => void, reject });
        try {
          socket!.send(JSON.stringify({ id, call: name, payload: request }));
        } catch {
          pending.delete(id);
          reject(networkError('The connection to KVS Wall dropped before the call was sent.'));
        }
      });
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!(EVENT_NAMES as readonly string[]).includes(name)) throw new TypeError(`KVS Wall has no event named ${String(name)}`);
      const wrapped = listener as (payload: unknown) => void;
      let set = listeners.get(name);
      const isNewName = !set;
      if (!set) listeners.set(name, (set = new Set()));
      set.add(wrapped);
      if (isNewName) sendSubscriptions();
      return () => {
        const current = listeners.get(name);
        if (!current?.delete(wrapped)) return;
        if (current.size === 0) {
          listeners.delete(name);
          sendSubscriptions();
        }
      };
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      const s = socket;
      socket = undefined;
      failPending('The connection to KVS Wall was closed.');
      for (const w of waiters.splice(0)) w.reject(networkError('The connection to KVS Wall was closed.'));
      s?.close(1000, 'client closed');
    },
  };
}
