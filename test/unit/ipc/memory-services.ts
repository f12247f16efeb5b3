import { randomUUID } from 'node:crypto';
import type { AppNotice } from '../../../shared/contract';
import type { AccountSummary, Settings, Wall } from '../../../shared/model';
import { appError } from '../../../shared/errors';
import { AppFailure } from '../../../main/core/app-failure';
import type { CallContext, ParsedRequest, WallServices } from '../../../main/ipc/services';

/**
 * A small in-memory WallServices for testing the IPC layer alone: it keeps real state (accounts,
 * walls, settings, session owners) so round trips are checked against what was stored, not canned.
 */
export class MemoryServices implements WallServices {
  readonly accounts = new Map<string, AccountSummary>();
  readonly walls = new Map<string, Wall>();
  readonly sessions = new Map<string, string>();
  /** Page id → the sender it attached through. */
  readonly pages = new Map<string, string>();
  settings: Settings = { sessionExpiresSeconds: 3600, sessionReservePerStream: 2 };
  notices: AppNotice[] = [];
  calls: string[] = [];

  private record(name: string) {
    this.calls.push(name);
  }

  private account(id: string): AccountSummary {
    const found = this.accounts.get(id);
    if (!found) throw new AppFailure(appError('AccountNotFound', `No account with id ${id}.`));
    return found;
  }

  async appInfo() {
    this.record('appInfo');
    return { version: '0.0.0-test', shell: 'browser' as const, platform: process.platform };
  }
  async machineLoad() {
    this.record('machineLoad');
    return { cpu: 0.25, spanMs: 2000, cores: 2 };
  }
  async listNotices() {
    this.record('listNotices');
    return [...this.notices];
  }
  async dismissNotice(id: string) {
    this.record('dismissNotice');
    const before = this.notices.length;
    this.notices = this.notices.filter((n) => n.id !== id);
    return { dismissed: this.notices.length < before };
  }
  async listAccounts() {
    this.record('listAccounts');
    return [...this.accounts.values()];
  }
  async addAccount(input: ParsedRequest<'accounts.add'>) {
    this.record('addAccount');
    const base = { id: randomUUID().replace(/-/g, ''), name: input.name, region: input.region, ...(input.endpoint ? { endpoint: input.endpoint } : {}) };
    const summary: AccountSummary =
      input.kind === 'keys'
        ? { ...base, kind: 'keys', accessKeyId: input.accessKeyId, hasSessionToken: input.sessionToken !== undefined, ...(input.roleArn ? { roleArn: input.roleArn } : {}) }
        : input.kind === 'profile'
          ? { ...base, kind: 'profile', profile: input.profile }
          : { ...base, kind: 'chain' };
    this.accounts.set(summary.id, summary);
    return summary;
  }
  async updateAccount(update: ParsedRequest<'accounts.update'>) {
    this.record('updateAccount');
    const current = this.account(update.id);
    const next: AccountSummary = {
      ...current,
      ...(update.name ? { name: update.name } : {}),
      ...(update.region ? { region: update.region } : {}),
    };
    this.accounts.set(next.id, next);
    return next;
  }
  async removeAccount(id: string) {
    this.record('removeAccount');
    this.account(id);
    this.accounts.delete(id);
    return { removed: true as const };
  }
  async testAccount(target: ParsedRequest<'accounts.test'>) {
    this.record('testAccount');
    if ('id' in target) this.account(target.id);
    return { ok: true, checks: [], policy: '{}' };
  }
  async setDemoHidden(hidden: boolean) {
    this.record('setDemoHidden');
    return { id: 'demo', kind: 'demo' as const, name: 'Demo cameras', region: 'us-west-2', hidden };
  }
  async accountStatuses() {
    this.record('accountStatuses');
    return [];
  }
  async retryAccount(id: string) {
    this.record('retryAccount');
    this.account(id);
    return { accountId: id, state: 'ok' as const, checkedAt: Date.now() };
  }
  async keychainStatus() {
    this.record('keychainStatus');
    return { available: true, platform: process.platform, steps: [] };
  }
  async awsProfiles() {
    this.record('awsProfiles');
    return { profiles: [] };
  }
  async listStreams(query: ParsedRequest<'streams.list'>) {
    this.record('listStreams');
    this.account(query.accountId);
    return { streams: [], fromCache: false, fetchedAt: 0 };
  }
  async allStreams(query: ParsedRequest<'streams.all'>) {
    this.record('allStreams');
    this.account(query.accountId);
    return { streams: [], truncated: false, fromCache: false, fetchedAt: 0 };
  }
  async streamTags(query: ParsedRequest<'streams.tags'>) {
    this.record('streamTags');
    this.account(query.accountId);
    return { tags: {} };
  }
  async describeStream(ref: ParsedRequest<'streams.describe'>) {
    this.record('describeStream');
    this.account(ref.accountId);
    return { name: ref.streamName, arn: `arn:test:${ref.streamName}`, status: 'ACTIVE' as const, retentionHours: 24, playable: true };
  }
  async listFragments(query: ParsedRequest<'fragments.list'>) {
    this.record('listFragments');
    this.account(query.accountId);
    return [];
  }
  async timelineCoverage(query: ParsedRequest<'timeline.coverage'>) {
    this.record('timelineCoverage');
    this.account(query.stream.accountId);
    return { intervals: [], fragmentCount: 0, truncated: false, fetchedAt: 0 };
  }
  async timelineThumbnails(query: ParsedRequest<'timeline.thumbnails'>) {
    this.record('timelineThumbnails');
    this.account(query.stream.accountId);
    return { thumbnails: [] };
  }
  async startExport(request: ParsedRequest<'export.start'>) {
    this.record('startExport');
    this.account(request.stream.accountId);
    return { status: 'cancelled' as const };
  }
  async cancelExport(_request: ParsedRequest<'export.cancel'>) {
    this.record('cancelExport');
    return { cancelled: false };
  }
  async listExports() {
    this.record('listExports');
    return [];
  }
  async listWalls() {
    this.record('listWalls');
    return [...this.walls.values()];
  }
  async saveWall(wall: ParsedRequest<'walls.save'>) {
    this.record('saveWall');
    this.walls.set(wall.id, wall);
    return wall;
  }
  async removeWall(id: string) {
    this.record('removeWall');
    if (!this.walls.delete(id)) throw new AppFailure(appError('WallNotFound', `No wall with id ${id}.`));
    return { removed: true as const };
  }
  async getSettings() {
    this.record('getSettings');
    return this.settings;
  }
  async updateSettings(patch: ParsedRequest<'settings.update'>) {
    this.record('updateSettings');
    this.settings = { ...this.settings, ...patch };
    return this.settings;
  }
  async exportDiagnostics() {
    return { file: 'diagnostics/kvs-wall-diagnostics-test.zip', bytes: 0, sections: {} };
  }

  async notifyAlert() {
    return { shown: false };
  }

  async attachPage(req: ParsedRequest<'page.attach'>, ctx: CallContext) {
    this.record('attachPage');
    this.pages.set(req.pageId, ctx.senderId);
    return { windowId: ctx.windowId ?? req.windowId ?? 'w1', leaseMs: 15_000, heartbeatMs: 5_000 };
  }
  async heartbeatPage(req: ParsedRequest<'page.heartbeat'>, ctx: CallContext) {
    this.record('heartbeatPage');
    return { accepted: this.pages.get(req.pageId) === ctx.senderId };
  }
  async reportCameras(_req: ParsedRequest<'page.cameras'>, ctx: CallContext) {
    this.record('reportCameras');
    return { accepted: [...this.pages.values()].includes(ctx.senderId) };
  }
  async detachPage(req: ParsedRequest<'page.detach'>, ctx: CallContext) {
    this.record('detachPage');
    const mine = this.pages.get(req.pageId) === ctx.senderId;
    if (mine) this.pages.delete(req.pageId);
    return { detached: mine };
  }
  async acquireSession(req: ParsedRequest<'session.acquire'>, ctx: CallContext) {
    this.record('acquireSession');
    this.account(req.stream.accountId);
    this.sessions.set(req.tileId, ctx.senderId);
    const now = Date.now();
    return {
      status: 'granted' as const,
      grant: { sessionId: 's1', url: `http://127.0.0.1/${req.stream.streamName}.mpd`, issuedAt: now, expiresAt: now + 60_000, playback: req.playback },
    };
  }
  async releaseSession(tileId: string, ctx: CallContext) {
    this.record('releaseSession');
    const owned = this.sessions.get(tileId) === ctx.senderId;
    if (owned) this.sessions.delete(tileId);
    return { released: owned };
  }
  async reportSessionFailure(report: ParsedRequest<'session.reportFailure'>, ctx: CallContext) {
    this.record('reportSessionFailure');
    return { accepted: this.sessions.get(report.tileId) === ctx.senderId };
  }
}
