import type { z } from 'zod';
import type { CallName, CallResponse, calls } from '../../shared/contract';

/** A request after its schema accepted it (defaults applied, unknown keys refused). */
export type ParsedRequest<N extends CallName> = z.output<(typeof calls)[N]['request']>;

/** Who is calling: one Electron window or one browser-shell socket. */
export interface CallContext {
  /** Stable for the lifetime of the window or socket; the page it shows attaches through it. */
  readonly senderId: string;
  /** The window the shell says the sender is (Electron), if it knows. */
  readonly windowId?: string;
}

/**
 * What the IPC handlers need from the main-process services: one method per call in the contract,
 * nothing more. The composition root implements it over the real services; tests may implement it
 * in memory. Methods throw `AppFailure` for errors a person should see. Every method is
 * told its caller; the page and session methods need it: a tile is a place in the window whose
 * page the sender shows.
 */
export interface WallServices {
  appInfo(ctx: CallContext): Promise<CallResponse<'app.info'>>;
  machineLoad(ctx: CallContext): Promise<CallResponse<'machine.load'>>;
  listNotices(ctx: CallContext): Promise<CallResponse<'app.notices'>>;
  dismissNotice(id: string, ctx: CallContext): Promise<CallResponse<'app.dismissNotice'>>;
  listAccounts(ctx: CallContext): Promise<CallResponse<'accounts.list'>>;
  addAccount(input: ParsedRequest<'accounts.add'>, ctx: CallContext): Promise<CallResponse<'accounts.add'>>;
  updateAccount(update: ParsedRequest<'accounts.update'>, ctx: CallContext): Promise<CallResponse<'accounts.update'>>;
  removeAccount(id: string, ctx: CallContext): Promise<CallResponse<'accounts.remove'>>;
  testAccount(target: ParsedRequest<'accounts.test'>, ctx: CallContext): Promise<CallResponse<'accounts.test'>>;
  setDemoHidden(hidden: boolean, ctx: CallContext): Promise<CallResponse<'accounts.setDemoHidden'>>;
  accountStatuses(ctx: CallContext): Promise<CallResponse<'accounts.status'>>;
  retryAccount(id: string, ctx: CallContext): Promise<CallResponse<'accounts.retry'>>;
  keychainStatus(ctx: CallContext): Promise<CallResponse<'accounts.keychain'>>;
  awsProfiles(ctx: CallContext): Promise<CallResponse<'accounts.profiles'>>;
  listStreams(query: ParsedRequest<'streams.list'>, ctx: CallContext): Promise<CallResponse<'streams.list'>>;
  describeStream(ref: ParsedRequest<'streams.describe'>, ctx: CallContext): Promise<CallResponse<'streams.describe'>>;
  allStreams(query: ParsedRequest<'streams.all'>, ctx: CallContext): Promise<CallResponse<'streams.all'>>;
  streamTags(query: ParsedRequest<'streams.tags'>, ctx: CallContext): Promise<CallResponse<'streams.tags'>>;
  listFragments(query: ParsedRequest<'fragments.list'>, ctx: CallContext): Promise<CallResponse<'fragments.list'>>;
  timelineCoverage(query: ParsedRequest<'timeline.coverage'>, ctx: CallContext): Promise<CallResponse<'timeline.coverage'>>;
  timelineThumbnails(query: ParsedRequest<'timeline.thumbnails'>, ctx: CallContext): Promise<CallResponse<'timeline.thumbnails'>>;
  startExport(request: ParsedRequest<'export.start'>, ctx: CallContext): Promise<CallResponse<'export.start'>>;
  cancelExport(request: ParsedRequest<'export.cancel'>, ctx: CallContext): Promise<CallResponse<'export.cancel'>>;
  listExports(ctx: CallContext): Promise<CallResponse<'export.list'>>;
  listWalls(ctx: CallContext): Promise<CallResponse<'walls.list'>>;
  saveWall(wall: ParsedRequest<'walls.save'>, ctx: CallContext): Promise<CallResponse<'walls.save'>>;
  removeWall(id: string, ctx: CallContext): Promise<CallResponse<'walls.remove'>>;
  getSettings(ctx: CallContext): Promise<CallResponse<'settings.get'>>;
  updateSettings(patch: ParsedRequest<'settings.update'>, ctx: CallContext): Promise<CallResponse<'settings.update'>>;
  exportDiagnostics(request: ParsedRequest<'diagnostics.export'>, ctx: CallContext): Promise<CallResponse<'diagnostics.export'>>;
  notifyAlert(alert: ParsedRequest<'alerts.notify'>, ctx: CallContext): Promise<CallResponse<'alerts.notify'>>;
  attachPage(request: ParsedRequest<'page.attach'>, ctx: CallContext): Promise<CallResponse<'page.attach'>>;
  heartbeatPage(request: ParsedRequest<'page.heartbeat'>, ctx: CallContext): Promise<CallResponse<'page.heartbeat'>>;
  reportCameras(counts: ParsedRequest<'page.cameras'>, ctx: CallContext): Promise<CallResponse<'page.cameras'>>;
  detachPage(request: ParsedRequest<'page.detach'>, ctx: CallContext): Promise<CallResponse<'page.detach'>>;
  acquireSession(request: ParsedRequest<'session.acquire'>, ctx: CallContext): Promise<CallResponse<'session.acquire'>>;
  releaseSession(tileId: string, ctx: CallContext): Promise<CallResponse<'session.release'>>;
  reportSessionFailure(
    report: ParsedRequest<'session.reportFailure'>,
    ctx: CallContext,
  ): Promise<CallResponse<'session.reportFailure'>>;
}
