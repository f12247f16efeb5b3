import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { verifySigV4, type SigningKeyPair } from '../auth/sigv4';
import type { Counters } from '../control/counters';
import { KvsError } from '../errors';
import type { AnswerLoss, FaultPlan } from '../faults/fault-plan';
import { isOperation, type RequestKind } from '../request-kinds';
import type { ServiceContext } from '../service-context';
import { parseJsonObject, readBody } from './body';
import { newRequestId, sendBytes, sendError, sendJson, sendPreflight } from './respond';
import { mediaRoute, OPERATION_HANDLERS } from './routes';

export interface ControlRoutes {
  /** Handles `/_control/…`; returns false when the path is not a control route. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): Promise<boolean>;
}

export interface ServerDeps {
  readonly ctx: ServiceContext;
  readonly keys: () => readonly SigningKeyPair[];
  readonly faults: FaultPlan;
  readonly counters: Counters;
  readonly control: ControlRoutes | undefined;
  /** Unexpected failures (bugs), reported once each; the request still gets a 500. */
  readonly onInternalError: (error: unknown) => void;
}

const unknownOperation = () => new KvsError('UnknownOperationException', 'The requested operation does not exist.');

function pathnameOf(rawUrl: string | undefined): string | undefined {
  if (!rawUrl || !rawUrl.startsWith('/')) return undefined;
  try {
    return new URL(rawUrl, 'http://emulator.invalid').pathname;
  } catch {
    return undefined;
  }
}

/**
 * The emulator's HTTP front: routes each request, applies SigV4 to operations, injected faults and
 * counters to everything, and turns every failure into a KVS-shaped error. Nothing thrown by a handler
 * reaches Node; malformed requests get an answer and the server keeps serving.
 */
export function createEmulatorServer(deps: ServerDeps): Server {
  const { ctx, faults, counters } = deps;

  async function applyFaults(kind: RequestKind): Promise<void> {
    const latency = faults.latencyFor(kind);
    if (latency > 0) await delay(latency);
    const fault = faults.takeFault(kind);
    if (fault) throw fault;
  }

  /** Sends the answer, unless the loseAnswer fault wants this one dropped or held back. */
  async function deliver(kind: RequestKind, loss: AnswerLoss | undefined, req: IncomingMessage, send: () => void): Promise<void> {
    if (!loss) return send();
    counters.answerLost(kind);
    if (loss.mode === 'drop') {
      req.socket.destroy();
      return;
    }
    // Unreferenced, so a held-back answer never keeps a stopping emulator (or a test run) alive.
    await delay(loss.delayMs, undefined, { ref: false });
    if (!req.socket.destroyed) send();
  }

  /**
   * One request of `kind`: checks run first (SigV4, injected failures), then `handle` does the work and
   * returns how to answer. A KVS error from the work is the answer too, so the loseAnswer fault applies
   * to whatever the work produced; a request refused by its checks never consumes it.
   */
  async function serve(kind: RequestKind, req: IncomingMessage, res: ServerResponse, requestId: string, check: () => Promise<void>, handle: () => () => void): Promise<void> {
    counters.request(kind);
    let loss: AnswerLoss | undefined;
    try {
      await check();
      await applyFaults(kind);
      loss = faults.takeAnswerLoss(kind);
      const send = handle();
      await deliver(kind, loss, req, send);
    } catch (error) {
      if (!(error instanceof KvsError)) throw error;
      counters.error(kind, error.errorName);
      if (!loss) throw error;
      await deliver(kind, loss, req, () => sendError(req, res, requestId, error));
    }
  }

  async function handleOperation(req: IncomingMessage, res: ServerResponse, kind: RequestKind & keyof typeof OPERATION_HANDLERS, requestId: string): Promise<void> {
    let body: Buffer = Buffer.alloc(0);
    await serve(
      kind,
      req,
      res,
      requestId,
      async () => {
        body = await readBody(req);
        verifySigV4({ method: 'POST', rawUrl: req.url ?? '/', headers: req.headers, body }, { region: ctx.region, keys: deps.keys(), now: ctx.now });
      },
      () => {
        const result = OPERATION_HANDLERS[kind](parseJsonObject(body), ctx);
        return () => sendJson(req, res, requestId, result);
      },
    );
  }

  async function handleMedia(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<boolean> {
    const route = mediaRoute(url.pathname);
    if (!route) return false;
    await serve(
      route.action,
      req,
      res,
      requestId,
      async () => {},
      () => {
        const { contentType, body } = route.handler(url.searchParams, ctx);
        return () => sendBytes(req, res, requestId, contentType, body);
      },
    );
    return true;
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const pathname = pathnameOf(req.url);
    if (pathname === undefined) throw unknownOperation();
    if (req.method === 'OPTIONS') return sendPreflight(res, requestId);
    if (deps.control && pathname.startsWith('/_control/') && (await deps.control.handle(req, res, pathname, requestId))) return;
    const operation = pathname.slice(1);
    if (req.method === 'POST' && isOperation(operation)) return handleOperation(req, res, operation, requestId);
    if ((req.method === 'GET' || req.method === 'HEAD') && (await handleMedia(req, res, new URL(req.url ?? '/', 'http://emulator.invalid'), requestId))) return;
    throw unknownOperation();
  }

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    // Clients correct their clock from Date (the SDK does on a skew error): it must be the emulator's clock.
    res.setHeader('Date', new Date(ctx.now()).toUTCString());
    dispatch(req, res, requestId).catch((error: unknown) => {
      if (error instanceof KvsError) {
        // An unread or oversize body must not be parsed as the next request on this connection.
        const closing = !req.complete;
        sendError(req, res, requestId, error, closing ? { Connection: 'close' } : {});
        if (closing) req.resume();
        return;
      }
      deps.onInternalError(error);
      sendError(req, res, requestId, new KvsError('InternalFailure', 'The server encountered an internal error.'));
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
