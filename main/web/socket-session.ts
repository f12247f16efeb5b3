import type { WebSocket, RawData } from 'ws';
import { EVENT_NAMES, MAX_REQUEST_BYTES, type EventName, type Reply } from '../../shared/contract';
import { appError, type AppError } from '../../shared/errors';
import { ClientFrameSchema, type ServerFrame } from '../../shared/wire';
import type { Logger } from '../core/logger';
import type { Dispatch, SenderInfo } from '../ipc/dispatcher';
import type { EventHub } from '../ipc/events';

/** Room for the `{id, call, payload}` envelope around a payload of MAX_REQUEST_BYTES. */
export const MAX_FRAME_BYTES = MAX_REQUEST_BYTES + 1024;
/** Calls one socket may have in flight; more is a runaway client, not a wall. */
export const MAX_IN_FLIGHT = 256;

export interface SocketSessionDeps {
  dispatch: Dispatch;
  events: EventHub;
  logger: Logger;
  sender: SenderInfo;
}

const refuse = (error: AppError): Reply => ({ ok: false, error });

/**
 * Speaks the contract over one authenticated socket: calls in, replies and the subscribed events
 * out. A bad frame is answered with a typed error and the socket keeps working. Returns a cleanup
 * that stops event delivery.
 */
export function runSocketSession(socket: WebSocket, deps: SocketSessionDeps): () => void {
  const { dispatch, events, logger, sender } = deps;
  const wanted = new Set<EventName>();
  let inFlight = 0;

  const send = (frame: ServerFrame) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(frame), (err) => {
      if (err) logger.warn('socket send failed', { sender: sender.id, error: String(err) });
    });
  };
  const unattributed = (error: AppError) => send({ id: null, reply: refuse(error) });

  const unsubscribe = events.subscribe(sender.id, (name, payload) => {
    if (!wanted.has(name)) return false;
    send({ event: name, payload });
    return true;
  });

  const onFrame = async (data: RawData, isBinary: boolean) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) return unattributed(appError('InvalidRequest', 'KVS Wall expects JSON text frames, not binary ones.'));
    if (bytes.byteLength > MAX_FRAME_BYTES) {
      return unattributed(appError('InvalidRequest', `A request frame may be at most ${MAX_FRAME_BYTES} bytes.`));
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      return unattributed(appError('InvalidRequest', 'The frame is not valid JSON.'));
    }
    const frame = ClientFrameSchema.safeParse(json);
    if (!frame.success) {
      return unattributed(appError('InvalidRequest', 'The frame is neither a call {id, call, payload} nor a subscription {subscribe: [...]}.'));
    }
    if ('subscribe' in frame.data) {
      const names = frame.data.subscribe;
      const unknown = names.filter((n) => !(EVENT_NAMES as readonly string[]).includes(n));
      wanted.clear();
      for (const n of names) if (!unknown.includes(n)) wanted.add(n as EventName);
      if (unknown.length > 0) {
        unattributed(appError('InvalidRequest', `No such event: ${JSON.stringify(unknown[0]!.slice(0, 40))}.`, { field: 'subscribe' }));
      }
      return;
    }
    const { id, call, payload } = frame.data;
    if (inFlight >= MAX_IN_FLIGHT) {
      return send({ id, reply: refuse(appError('ServiceUnavailable', 'Too many calls at once; try again shortly.', { retryable: true })) });
    }
    inFlight++;
    try {
      send({ id, reply: await dispatch(call, payload, sender) });
    } finally {
      inFlight--;
    }
  };

  socket.on('message', (data, isBinary) => {
    void onFrame(data, isBinary);
  });
  return unsubscribe;
}
