import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallerIdentity, CredentialStore } from '../auth/credentials';
import { KVS_SIGNING_SERVICE, SigV4Failure, STS_SIGNING_SERVICE, verifySigV4, type SignedRequest } from '../auth/sigv4';
import type { Counters } from '../control/counters';
import { KvsError, kvsAuthError } from '../errors';
import type { AnswerLoss, FaultPlan } from '../faults/fault-plan';
import { isOperation, stsKindOf, type RequestKind } from '../request-kinds';
import type { ServiceContext } from '../service-context';
import type { StsContext } from '../sts/sts-actions';
import { StsError, toStsError } from '../sts/sts-errors';
import { checkStsRequest, isStsRequest, runStsAction, unknownAction } from '../sts/sts-request';
import { errorResponse } from '../sts/sts-xml';
import { handleSsoRequest, SSO_CREDENTIALS_PATH } from '../sso/sso-http';
import type { SsoPortal } from '../sso/sso-portal';
import { parseJsonObject, readBody } from './body';
import { closingHeaders, newRequestId, sendBytes, sendError, sendJson, sendPreflight, sendXml } from './respond';
import { BinaryAnswer, mediaRoute, OPERATION_HANDLERS } from './routes';

export interface ControlRoutes {
  /** Handles `/_control/…`; returns false when the path is not a control route. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): Promise<boolean>;
}

export interface ServerDeps {
  readonly ctx: ServiceContext;
  /** The keys requests may be signed with: configured ones and those AssumeRole issued. */
  readonly credentials: CredentialStore;
  readonly sts: StsContext;
  readonly faults: FaultPlan;
  readonly counters: Counters;
  readonly control: ControlRoutes | undefined;
  /** The IAM Identity Center portal's GetRoleCredentials (emulator/sso). */
  readonly sso: SsoPortal;
  /** Unexpected failures (bugs), reported once each; the request still gets a 500. */
  readonly onInternalError: (error: unknown) => void;
}

/** An error as this request's protocol answers it: its name for the counters and how to send it. */
interface ErrorAnswer {
  readonly name: string;
  readonly send: () => void;
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
 * The emulator's HTTP front: routes each request (KVS's rest-json operations, the DASH GETs, STS's
 * query actions on `POST /`), applies SigV4 to operations, injected faults and counters to everything,
 * and turns every failure into an error shaped as that service sends it. Nothing thrown by a handler
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
   * returns how to answer. A service error from the work is the answer too, so the loseAnswer fault
   * applies to whatever the work produced; a request refused by its checks never consumes it.
   * Anything `answerError` does not recognise is a bug and propagates.
   */
  async function serve(
    kind: RequestKind,
    req: IncomingMessage,
    check: () => Promise<void>,
    handle: () => (() => void) | Promise<() => void>,
    answerError: (error: unknown) => ErrorAnswer | undefined,
  ): Promise<void> {
    counters.request(kind);
    let loss: AnswerLoss | undefined;
    try {
      await check();
      await applyFaults(kind);
      loss = faults.takeAnswerLoss(kind);
      const send = await handle();
      await deliver(kind, loss, req, send);
    } catch (error) {
      const answer = answerError(error);
      if (!answer) throw error;
      counters.error(kind, answer.name);
      await deliver(kind, loss, req, answer.send);
    }
  }

  function sendKvsError(req: IncomingMessage, res: ServerResponse, requestId: string, error: KvsError): void {
    const headers = closingHeaders(req);
    sendError(req, res, requestId, error, headers);
    if (headers.Connection) req.resume();
  }

  function sendStsError(req: IncomingMessage, res: ServerResponse, requestId: string, error: StsError): void {
    const headers = closingHeaders(req);
    sendXml(req, res, requestId, errorResponse({ type: error.type, code: error.code, message: error.message }, requestId), error.status, {
      'x-amzn-ErrorType': error.code,
      ...headers,
    });
    if (headers.Connection) req.resume();
  }

  const kvsErrors =
    (req: IncomingMessage, res: ServerResponse, requestId: string) =>
    (error: unknown): ErrorAnswer | undefined => {
      const kvs = error instanceof SigV4Failure ? kvsAuthError(error) : error instanceof KvsError ? error : undefined;
      return kvs && { name: kvs.errorName, send: () => sendKvsError(req, res, requestId, kvs) };
    };

  const stsErrors =
    (req: IncomingMessage, res: ServerResponse, requestId: string) =>
    (error: unknown): ErrorAnswer | undefined => {
      const sts = toStsError(error);
      return sts && { name: sts.code, send: () => sendStsError(req, res, requestId, sts) };
    };

  const signed = (req: IncomingMessage, body: Buffer): SignedRequest => ({ method: req.method ?? 'POST', rawUrl: req.url ?? '/', headers: req.headers, body });
  const lookup = (accessKeyId: string, sessionToken: string | undefined, nowMs: number) => deps.credentials.lookup(accessKeyId, sessionToken, nowMs);

  async function handleOperation(req: IncomingMessage, res: ServerResponse, kind: RequestKind & keyof typeof OPERATION_HANDLERS, requestId: string): Promise<void> {
    let body: Buffer = Buffer.alloc(0);
    await serve(
      kind,
      req,
      async () => {
        body = await readBody(req);
        verifySigV4(signed(req, body), { region: ctx.region, service: KVS_SIGNING_SERVICE, lookup, now: ctx.now });
      },
      async () => {
        const result = await OPERATION_HANDLERS[kind](parseJsonObject(body), ctx);
        return result instanceof BinaryAnswer
          ? () => sendBytes(req, res, requestId, result.contentType, result.body)
          : () => sendJson(req, res, requestId, result);
      },
      kvsErrors(req, res, requestId),
    );
  }

  async function handleMedia(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<boolean> {
    const route = mediaRoute(url.pathname);
    if (!route) return false;
    await serve(
      route.action,
      req,
      async () => {},
      () => {
        const { contentType, body } = route.handler(url.searchParams, ctx);
        return () => {
          sendBytes(req, res, requestId, contentType, body);
          if (req.method === 'GET') counters.bytesServed(route.action, typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
        };
      },
      kvsErrors(req, res, requestId),
    );
    return true;
  }

  /** STS's query protocol: the form body names the Action; answers and errors are XML. */
  async function handleSts(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const answerError = stsErrors(req, res, requestId);
    const verify = (body: Buffer): CallerIdentity => verifySigV4(signed(req, body), { region: ctx.region, service: STS_SIGNING_SERVICE, lookup, now: ctx.now });
    try {
      const body = await readBody(req);
      const params = new URLSearchParams(body.toString('utf8'));
      const kind = stsKindOf(params.get('Action'));
      if (!kind) {
        verify(body);
        throw unknownAction(params.get('Action'), params.get('Version'));
      }
      let caller: CallerIdentity | undefined;
      await serve(
        kind,
        req,
        async () => {
          caller = verify(body);
          checkStsRequest(kind, params);
        },
        () => {
          if (!caller) throw new Error('STS request handled before it was verified');
          const xml = runStsAction(kind, params, caller, deps.sts, requestId);
          return () => sendXml(req, res, requestId, xml);
        },
        answerError,
      );
    } catch (error) {
      const answer = answerError(error);
      if (answer) return answer.send();
      deps.onInternalError(error);
      sendStsError(req, res, requestId, new StsError('InternalFailure', 'An internal error occurred.', 500));
    }
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const pathname = pathnameOf(req.url);
    if (pathname === undefined) throw unknownOperation();
    if (req.method === 'OPTIONS') return sendPreflight(res, requestId);
    if (deps.control && pathname.startsWith('/_control/') && (await deps.control.handle(req, res, pathname, requestId))) return;
    if (isStsRequest(req.method, pathname, req.headers['content-type'])) return handleSts(req, res, requestId);
    if ((req.method === 'GET' || req.method === 'HEAD') && pathname === SSO_CREDENTIALS_PATH) return handleSsoRequest(deps.sso, req, res, new URL(req.url ?? '/', 'http://emulator.invalid'), requestId);
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
      if (error instanceof KvsError) return sendKvsError(req, res, requestId, error);
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
