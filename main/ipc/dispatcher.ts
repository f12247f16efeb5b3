import { calls, isCallName, MAX_REQUEST_BYTES, type CallName, type Reply } from '../../shared/contract';
import { AppErrorSchema, appError, type AppError } from '../../shared/errors';
import { isAppFailure } from '../core/app-failure';
import { redact, type Logger } from '../core/logger';
import type { Handlers } from './handlers';
import type { CallContext } from './services';
import { jsonSizeWithin } from './payload-size';
import { invalidRequestFromIssues, quoteUntrusted } from './request-errors';

/** Who sent a call, as the transport saw it. The transport decides what makes a sender trusted. */
export interface SenderInfo {
  /** One per window or socket. */
  readonly id: string;
  /** The calling frame's URL (Electron) or the page origin (browser shell), for checks and logs. */
  readonly url: string;
  /**
   * The window the sender is, when the shell knows it (Electron: stable per BrowserWindow). It wins
   * over the window id a page suggests when it attaches.
   */
  readonly windowId?: string;
}

export type Dispatch = (name: unknown, payload: unknown, sender: SenderInfo) => Promise<Reply>;

export interface DispatcherOptions {
  logger: Logger;
  /** False refuses the call with Forbidden before anything else about it is looked at. */
  isAllowedSender?: (sender: SenderInfo) => boolean;
  maxRequestBytes?: number;
}

const fail = (error: AppError): Reply => ({ ok: false, error });

/**
 * The one gate every renderer request passes: sender, call name, size, schema, handler, response.
 * It never throws and never lets a stack or an unexpected error's message out; a handler's bug
 * becomes a generic Internal error here and a redacted line in the log.
 */
export function createDispatcher(handlers: Handlers, options: DispatcherOptions): Dispatch {
  const { logger } = options;
  const isAllowedSender = options.isAllowedSender ?? (() => true);
  const maxBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  let incident = 0;

  const internal = (call: string, what: string, fields: Record<string, unknown>): Reply => {
    const ref = `E${Date.now().toString(36)}-${(++incident).toString(36)}`;
    logger.error(what, { call, ref, ...fields });
    return fail(appError('Internal', `Something went wrong in KVS Wall while handling ${call} (reference ${ref}).`));
  };

  async function run<N extends CallName>(name: N, payload: unknown, sender: SenderInfo): Promise<Reply> {
    const spec = calls[name];
    const request = spec.request.safeParse(payload);
    if (!request.success) return fail(invalidRequestFromIssues(name, request.error.issues));

    let value: unknown;
    try {
      const handler = handlers[name] as (req: unknown, ctx: CallContext) => Promise<unknown>;
      value = await handler(request.data, { senderId: sender.id, ...(sender.windowId !== undefined ? { windowId: sender.windowId } : {}) });
    } catch (err) {
      if (isAppFailure(err)) {
        const typed = AppErrorSchema.safeParse({ ...err.appError, message: redact(err.appError.message).slice(0, 2000) });
        if (typed.success) return fail(typed.data);
      }
      // Redacted before the logger serializes it: once inside a JSON string, quoted secrets are escaped
      // and the logger's own patterns no longer see them.
      return internal(name, 'handler failed', { error: redact(err instanceof Error ? (err.stack ?? err.message) : String(err)) });
    }

    // Parsing also drops keys the schema doesn't name, so a service can't leak a field by accident.
    const response = spec.response.safeParse(value);
    if (!response.success) {
      const issues = response.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`);
      return internal(name, 'handler returned a response outside its schema', { issues });
    }
    return { ok: true, value: response.data };
  }

  return async (name, payload, sender) => {
    try {
      if (!isAllowedSender(sender)) {
        logger.warn('refused a call from an unexpected sender', { sender: sender.url.slice(0, 500) });
        return fail(appError('Forbidden', 'This window is not allowed to talk to KVS Wall.'));
      }
      if (!isCallName(name)) {
        const shown = typeof name === 'string' ? ` ${quoteUntrusted(name)}` : '';
        return fail(appError('UnknownCall', `KVS Wall has no call named${shown}.`));
      }
      if (jsonSizeWithin(payload, maxBytes) === undefined) {
        return fail(
          appError('InvalidRequest', `The ${name} request is larger than ${maxBytes} bytes, nested too deeply, or not plain JSON.`),
        );
      }
      return await run(name, payload, sender);
    } catch (err) {
      // Only reachable through a bug in the checks above; the promise still must not reject.
      return internal(typeof name === 'string' ? name.slice(0, 100) : 'unknown', 'dispatcher failed', { error: redact(String(err)) });
    }
  };
}
