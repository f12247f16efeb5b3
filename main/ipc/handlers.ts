import type { CallName, CallResponse } from '../../shared/contract';
import type { CallContext, ParsedRequest, WallServices } from './services';

export type Handler<N extends CallName> = (request: ParsedRequest<N>, ctx: CallContext) => Promise<CallResponse<N>>;

/** Exactly one handler per call; the mapped type makes a missing or misspelled call a compile error. */
export type Handlers = { [N in CallName]: Handler<N> };

/** The transport-free implementation of the contract: each call forwards to one service method. */
export function createHandlers(services: WallServices): Handlers {
  return {
    'app.info': (_req, ctx) => services.appInfo(ctx),
    'machine.load': (_req, ctx) => services.machineLoad(ctx),
    'app.notices': (_req, ctx) => services.listNotices(ctx),
    'diagnostics.export': (req, ctx) => services.exportDiagnostics(req, ctx),
    'app.dismissNotice': (req, ctx) => services.dismissNotice(req.id, ctx),
    'accounts.list': (_req, ctx) => services.listAccounts(ctx),
    'accounts.add': (req, ctx) => services.addAccount(req, ctx),
    'accounts.update': (req, ctx) => services.updateAccount(req, ctx),
    'accounts.remove': (req, ctx) => services.removeAccount(req.id, ctx),
    'accounts.test': (req, ctx) => services.testAccount(req, ctx),
    'accounts.setDemoHidden': (req, ctx) => services.setDemoHidden(req.hidden, ctx),
    'accounts.status': (_req, ctx) => services.accountStatuses(ctx),
    'accounts.retry': (req, ctx) => services.retryAccount(req.id, ctx),
    'accounts.keychain': (_req, ctx) => services.keychainStatus(ctx),
    'accounts.profiles': (_req, ctx) => services.awsProfiles(ctx),
    'streams.list': (req, ctx) => services.listStreams(req, ctx),
    'streams.describe': (req, ctx) => services.describeStream(req, ctx),
    'streams.all': (req, ctx) => services.allStreams(req, ctx),
    'streams.tags': (req, ctx) => services.streamTags(req, ctx),
    'fragments.list': (req, ctx) => services.listFragments(req, ctx),
    'timeline.coverage': (req, ctx) => services.timelineCoverage(req, ctx),
    'timeline.thumbnails': (req, ctx) => services.timelineThumbnails(req, ctx),
    'export.start': (req, ctx) => services.startExport(req, ctx),
    'export.cancel': (req, ctx) => services.cancelExport(req, ctx),
    'export.list': (_req, ctx) => services.listExports(ctx),
    'walls.list': (_req, ctx) => services.listWalls(ctx),
    'walls.save': (req, ctx) => services.saveWall(req, ctx),
    'walls.remove': (req, ctx) => services.removeWall(req.id, ctx),
    'settings.get': (_req, ctx) => services.getSettings(ctx),
    'settings.update': (req, ctx) => services.updateSettings(req, ctx),
    'alerts.notify': (req, ctx) => services.notifyAlert(req, ctx),
    'page.attach': (req, ctx) => services.attachPage(req, ctx),
    'page.heartbeat': (req, ctx) => services.heartbeatPage(req, ctx),
    'page.cameras': (req, ctx) => services.reportCameras(req, ctx),
    'page.detach': (req, ctx) => services.detachPage(req, ctx),
    'session.acquire': (req, ctx) => services.acquireSession(req, ctx),
    'session.release': (req, ctx) => services.releaseSession(req.tileId, ctx),
    'session.reportFailure': (req, ctx) => services.reportSessionFailure(req, ctx),
  };
}
