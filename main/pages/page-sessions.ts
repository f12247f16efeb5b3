import type { Logger } from '../core/logger';
import { appError } from '../../shared/errors';
import type { CallResponse } from '../../shared/contract';
import type { EventHub } from '../ipc/events';
import type { CallContext, ParsedRequest } from '../ipc/services';
import type { SessionService } from '../sessions';
import type { PageRegistry } from './page-registry';

export interface PageSessionsDeps {
  registry: PageRegistry;
  sessions: SessionService;
  events: EventHub;
  logger: Logger;
}

/** What a session call from a sender with no attached page gets: attach first, then ask again. */
export function pageNotAttached() {
  return appError('PageNotAttached', 'This page is not attached to KVS Wall (it has just loaded, reconnected or was idle too long); it attaches and asks again.', {
    retryable: true,
  });
}

/**
 * The page and session calls of the contract, over the page registry and the session service: a
 * call's sender is resolved to its page, the page to its window, and the window plus the tile id
 * to the tile. Session events go back to whichever sender shows that window's page now.
 */
export function createPageSessions(deps: PageSessionsDeps) {
  const { registry, sessions, events } = deps;

  const unsubscribe = [
    sessions.on('renewed', ({ windowId, ...payload }) => {
      const sender = registry.senderOfWindow(windowId);
      if (sender) events.emit('session.renewed', payload, sender);
    }),
    sessions.on('state', ({ windowId, ...payload }) => {
      const sender = registry.senderOfWindow(windowId);
      if (sender) events.emit('session.state', payload, sender);
    }),
    sessions.on('budget', (payload) => events.emit('session.budget', payload)),
  ];

  return {
    async attach(req: ParsedRequest<'page.attach'>, ctx: CallContext): Promise<CallResponse<'page.attach'>> {
      return registry.attach({
        pageId: req.pageId,
        senderId: ctx.senderId,
        ...(req.windowId !== undefined ? { suggestedWindowId: req.windowId } : {}),
        ...(ctx.windowId !== undefined ? { shellWindowId: ctx.windowId } : {}),
      });
    },

    async heartbeat(req: ParsedRequest<'page.heartbeat'>, ctx: CallContext): Promise<CallResponse<'page.heartbeat'>> {
      const sinceMs = registry.heartbeat(req.pageId, ctx.senderId);
      const page = sinceMs !== undefined ? registry.pageFor(ctx.senderId) : undefined;
      // The report covers the time since the page's previous beat, at most a lease (a page that
      // was silent longer was declared gone and attached again).
      if (page && req.usage && req.usage.length > 0) sessions.recordUsage(page.windowId, req.usage, Math.min(sinceMs ?? 0, registry.leaseMs));
      return { accepted: sinceMs !== undefined };
    },

    async detach(req: ParsedRequest<'page.detach'>, ctx: CallContext): Promise<CallResponse<'page.detach'>> {
      return { detached: registry.detach(req.pageId, ctx.senderId) };
    },

    async acquire(req: ParsedRequest<'session.acquire'>, ctx: CallContext): Promise<CallResponse<'session.acquire'>> {
      const page = registry.pageFor(ctx.senderId);
      if (!page) return { status: 'error', error: pageNotAttached() };
      return sessions.acquire({ windowId: page.windowId, tileId: req.tileId }, req.stream, req.playback, page.pageId, { handover: req.handover === true });
    },

    /** Synchronous up to its answer: the session is back in the pool before the page's next call runs. */
    async release(tileId: string, ctx: CallContext): Promise<CallResponse<'session.release'>> {
      const page = registry.pageFor(ctx.senderId);
      return { released: page !== undefined && sessions.release({ windowId: page.windowId, tileId }) };
    },

    async reportFailure(report: ParsedRequest<'session.reportFailure'>, ctx: CallContext): Promise<CallResponse<'session.reportFailure'>> {
      const page = registry.pageFor(ctx.senderId);
      if (!page) return { accepted: false };
      const accepted = sessions.reportFailure(
        { windowId: page.windowId, tileId: report.tileId },
        { sessionId: report.sessionId, httpStatus: report.httpStatus, ...(report.errorType !== undefined ? { errorType: report.errorType } : {}) },
      );
      return { accepted };
    },

    close(): void {
      for (const off of unsubscribe) off();
    },
  };
}

export type PageSessions = ReturnType<typeof createPageSessions>;
