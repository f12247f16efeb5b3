import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RendererCapabilities } from '../shared/contract';
import { appError } from '../shared/errors';
import type { Settings, StreamRef } from '../shared/model';
import { createAccountService, createKeychainEntries, createKeychainVault, DEMO_ACCOUNT_ID, type AccountServiceDeps, type SecretVault } from './accounts';
import { AppFailure } from './core/app-failure';
import { createAppNotices } from './app-notices';
import { systemClock, type Clock } from './core/clock';
import { silentLogger, type Logger } from './core/logger';
import { MachineLoad } from './core/machine-load';
import { diagnosticsFileName, exportDiagnostics } from './diagnostics';
import { createEmbeddedDemo, type EmbeddedDemo } from './embedded-demo';
import { DEMO_GRID_CAMERAS } from '../shared/demo';
import { createEvidenceService, type ExportDestination } from './evidence';
import { createDispatcher, type Dispatch, type SenderInfo } from './ipc/dispatcher';
import { createEventHub, type EventHub } from './ipc/events';
import { createHandlers } from './ipc/handlers';
import type { WallServices } from './ipc/services';
import { createEndpointCache, createKvsClients, createSessionIssuer, createStreamCatalogue, getDataEndpointVia } from './kvs';
import { dataEndpointCaller } from './kvs/data-endpoint-call';
import { CameraTally } from './pages/camera-tally';
import { PageRegistry } from './pages/page-registry';
import { createPageSessions } from './pages/page-sessions';
import { createSessionService, LEDGER_VERSION, LedgerSnapshotSchema, migrateLedger, PoolSnapshotSchema, type SessionService } from './sessions';
import { mediaOrigins } from './shell-policy/csp';
import { createPagePolicy } from './shell-policy/page-policy';
import { createAccountCaches, createAccountsStore, createJsonStore, createNoticeBoard, createSettingsStore, createWallsStore } from './store';
import { createSealedFile, type SealingKeySource } from './store/sealed-file';
import type { ShellCore } from './web/shell-core';

/** The keychain entry (service `kvs-wall`) holding the key the session pool is sealed with. */
export const SESSION_POOL_KEY_ACCOUNT = 'session-pool-key';

export interface AppCoreOptions {
  /** Settings, walls, caches, the session ledger and the sealed session pool live here. */
  userDataDir: string;
  shell: 'electron' | 'browser';
  version?: string;
  clock?: Clock;
  logger?: Logger;
  /** Where account secrets go; the OS keychain unless a test passes another. */
  vault?: SecretVault;
  /**
   * Where the session pool's key lives: the OS keychain entry `session-pool-key` unless given.
   * `false`: the pool is not saved (as with no keychain).
   */
  sessionPoolKey?: SealingKeySource | false;
  /** The built-in "Demo cameras" account (the emulator, embedded, started on first use). Default on. */
  demo?: boolean;
  /**
   * Distinct cameras the demo prepares in the background for its large wall (default 64; 0 for none, as
   * tests that don't open it want: the first encodes cost about a minute of CPU), and where their
   * encodes are cached (default: the user's cache folder).
   */
  demoGrid?: { cameras: number; cacheDir?: string };
  /** Kiosk options from the command line, reported by `app.info`. */
  kiosk?: { wall?: string; fullscreen: boolean } | undefined;
  /**
   * The shell's memory of which wall each of its windows shows (Electron restores every window on its
   * wall): told when a window switches wall, asked by `app.info` from that window.
   */
  windowWalls?: { wallOf(windowId: string): string | undefined; showing(windowId: string, wallId: string): void };
  /**
   * Diagnostics only the shell knows: Electron/Chromium versions, and the GPU report (Electron asks
   * `app.getGPUInfo`; it gets the page's decoder capabilities to add). Called after each export with
   * the zip's absolute path (the desktop app shows it in the file manager).
   */
  diagnostics?: {
    versions?: { electron?: string; chrome?: string };
    gpu?: (capabilities: RendererCapabilities | undefined) => Promise<unknown>;
    exported?: (absolutePath: string) => void;
  };
  /** Shows a desktop notification (the Electron app); absent where the shell has none. */
  notify?: (title: string, body: string) => void;
  /** The transport's sender policy (Electron: our windows on the app origin); default: every sender. */
  isAllowedSender?: (sender: SenderInfo) => boolean;
  random?: () => number;
  /**
   * Test-only: session lengths below KVS's 300 s minimum, for an emulator started with a lower
   * Expires bound, so renewal tests see several renewals in a minute. Never set by a shell.
   */
  sessionTimings?: { expiresSeconds: number; renewLeadSeconds: number };
  /** Test-only: a page's lease and heartbeat (default 15 s and 5 s). */
  pageLease?: { leaseMs: number; heartbeatMs: number };
  /**
   * Benchmark-only: `false` makes the naive client the churn benchmark compares against — every tile
   * start asks KVS for a new session, and nothing is kept over a restart. Never set by a shell.
   */
  sessionReuse?: false;
  /**
   * Test-only account settings: roles lasting seconds (with an emulator that allows them), faster
   * credential renewal retries, a stand-in network for the connection test.
   */
  accountOptions?: Pick<AccountServiceDeps, 'roleSessionSeconds' | 'renewal' | 'network' | 'platform'>;
  /**
   * Where clip exports are saved: the desktop app's save dialog. Absent: the browser shell's way, a
   * folder under the user-data folder and a one-time download link for the page.
   */
  exportDestination?: ExportDestination;
  /** Test-only: GetClip parts smaller than GetClip's own limits. */
  exportPartLimits?: { maxFragments: number; maxBytes: number };
}

export interface AppCore extends ShellCore {
  readonly services: WallServices;
  readonly dispatch: Dispatch;
  readonly events: EventHub;
  readonly sessions: SessionService;
  /** Cameras live out of cameras shown, over every attached page (the tray shows it). */
  readonly cameras: CameraTally;
  /** The machine woke up: renew every session now. */
  onResume(): void;
  /** The settings as saved now (the shell applies start at login, close confirmation…). */
  settings(): Settings;
  /** Called after each saved change of the settings. */
  onSettingsChanged(listener: (settings: Settings) => void): () => void;
}

/**
 * The composition root: builds every main-process service once, for one user-data folder, and
 * exposes them to a shell as the IPC contract (`dispatch`, `events`).
 */
export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const dir = options.userDataDir;
  const events = createEventHub({ logger });

  const notices = createNoticeBoard();
  notices.onNotice((notice) => logger.warn('a stored file could not be used', { file: notice.file, movedTo: notice.movedTo, reason: notice.reason }));
  // Created before any store reads, so the files read while composing (settings, the session
  // ledger) are listed for the first window, which subscribes only after the core exists.
  const appNotices = createAppNotices(notices);
  const machineLoad = new MachineLoad();
  appNotices.onNotice((notice) => events.emit('app.notice', notice));
  const storeContext = { dir, clock, logger, notices };
  const settingsStore = createSettingsStore(storeContext);
  const walls = createWallsStore(storeContext);
  const caches = createAccountCaches(storeContext);
  let settings = await settingsStore.get();
  const settingsListeners = new Set<(settings: Settings) => void>();

  // The page policy exists before the demo starts: a port change of the demo adds an origin too.
  let accountOrigins: () => Promise<string[]> = async () => [];
  const pagePolicy = createPagePolicy({
    mediaOrigins: () => accountOrigins(),
    onReloadNeeded: () => events.emit('page.reload', { reason: 'media-origins' }),
    logger,
  });
  const demo: EmbeddedDemo | undefined =
    options.demo === false
      ? undefined
      : await createEmbeddedDemo({
          logger,
          gridCameras: options.demoGrid?.cameras ?? DEMO_GRID_CAMERAS,
          ...(options.demoGrid?.cacheDir ? { cacheDir: options.demoGrid.cacheDir } : {}),
          onOriginChanged: () => {
            events.emit('accounts.changed', {});
            void pagePolicy.accountsChanged();
          },
        });

  // Assigned below; Test connection only runs once the core is up.
  let sessions: SessionService | undefined;
  /**
   * Test connection's GetDASHStreamingSessionURL check: one LIVE session leased from the pool for a
   * throwaway tile and given back at once. The ledger counts it and the pool offers it to the first
   * tile of that stream, so the check costs no session the app doesn't know about or can't reuse.
   */
  const probeSession = async (ref: StreamRef): Promise<void> => {
    if (!sessions) throw new AppFailure(appError('Internal', 'The session service is not running yet.', { retryable: true }));
    const tile = { windowId: `probe-${randomBytes(6).toString('hex')}`, tileId: 'probe:0' };
    try {
      const answer = await sessions.acquire(tile, ref, { mode: 'LIVE' });
      if (answer.status === 'waiting') throw new AppFailure(appError('SessionBudgetFull', answer.reason, { retryable: true, retryAt: answer.until }));
      if (answer.status === 'error') throw new AppFailure(answer.error);
    } finally {
      sessions.release(tile);
    }
  };

  const accounts = createAccountService({
    store: createAccountsStore(storeContext),
    vault: options.vault ?? createKeychainVault(),
    caches,
    clock,
    logger,
    probeSession,
    ...(demo ? { demo } : {}),
    ...(options.accountOptions ?? {}),
  });
  accountOrigins = async () => mediaOrigins(await accounts.list().catch(() => []), demo ? [demo.origin()] : []);
  const offAccounts = accounts.onChange(({ accountId, change, identityChanged }) => {
    // Sessions were created under the old identity (or the account is gone): none of them is used again.
    if (identityChanged || change === 'removed') sessions?.accountChanged(accountId);
    events.emit('accounts.changed', { accountId, change, identityChanged });
    void pagePolicy.accountsChanged();
  });
  accounts.onStatus((status) => events.emit('accounts.status', status));

  const clients = createKvsClients({ accounts, onCredentialsRefused: (accountId, err) => accounts.credentialsRefused(accountId, err) });
  const endpoints = createEndpointCache({ caches, accounts, lookup: getDataEndpointVia(clients, clock), clock, logger });
  const catalogue = createStreamCatalogue({ clients, caches, accounts, clock, logger });
  const issuer = createSessionIssuer({
    clients,
    endpoints,
    clock,
    logger,
    beforeSpending: (stream, call) => (sessions ? sessions.beforeSpending(stream, call) : Promise.resolve()),
    onThrottled: (stream, retryAt) => sessions?.noteThrottled(stream, retryAt),
  });

  const poolKey = options.sessionPoolKey ?? keychainKey(SESSION_POOL_KEY_ACCOUNT);
  sessions = await createSessionService({
    clock,
    issuer,
    logger,
    ...(options.random ? { random: options.random } : {}),
    ledgerStore: createJsonStore({ dir, name: 'sessions-ledger.json', version: LEDGER_VERSION, schema: LedgerSnapshotSchema, migrate: migrateLedger, clock, logger, notices }),
    ...(options.sessionReuse === false ? { reuse: false } : {}),
    ...(poolKey && options.sessionReuse !== false ? { poolStore: createSealedFile({ dir, name: 'session-pool.sealed', schema: PoolSnapshotSchema, keys: poolKey, logger, what: 'session pool' }) } : {}),
    // The demo emulator starts afresh with the app: whatever the last run held there is gone.
    ...(demo ? { voidAccounts: [DEMO_ACCOUNT_ID] } : {}),
    config: () => ({
      expiresSeconds: options.sessionTimings?.expiresSeconds ?? settings.sessionExpiresSeconds,
      reservePerStream: settings.sessionReservePerStream,
      quotaFor: (accountId) => settings.accountQuotas?.[accountId],
      ...(options.sessionTimings ? { renewLeadSeconds: options.sessionTimings.renewLeadSeconds } : {}),
    }),
  });
  const sessionService = sessions;

  const cameraTally = new CameraTally();
  const registry = new PageRegistry({
    clock,
    logger,
    ...(options.pageLease ?? {}),
    onGone: (page) => {
      cameraTally.drop(page.pageId);
      sessionService.releaseOwner(page.pageId);
    },
  });
  const pages = createPageSessions({ registry, sessions: sessionService, events, logger });
  const evidence = createEvidenceService({
    onDataEndpoint: dataEndpointCaller({ clients, endpoints, clock, logger }),
    fragments: issuer,
    sessions: sessionService,
    clock,
    logger,
    userDataDir: dir,
    ...(options.exportDestination ? { destination: options.exportDestination } : {}),
    ...(options.exportPartLimits ? { partLimits: options.exportPartLimits } : {}),
    emitProgress: (progress) => events.emit('export.progress', progress),
  });

  const services: WallServices = {
    appInfo: async (ctx) => {
      const windowWall = ctx.windowId === undefined ? undefined : options.windowWalls?.wallOf(ctx.windowId);
      return {
        version: options.version ?? '0.0.0',
        shell: options.shell,
        platform: process.platform,
        ...(options.kiosk ? { kiosk: options.kiosk } : {}),
        ...(demo && demo.walls().length > 0 ? { demoWalls: demo.walls() } : {}),
        ...(windowWall ? { windowWall } : {}),
      };
    },
    machineLoad: async () => {
      const { cpu, spanMs, cores } = machineLoad.sample();
      return { cores, ...(cpu === undefined ? {} : { cpu }), ...(spanMs === undefined ? {} : { spanMs }) };
    },
    listNotices: async () => appNotices.list(),
    dismissNotice: async (id) => ({ dismissed: appNotices.dismiss(id) }),
    listAccounts: () => accounts.list(),
    addAccount: (input) => accounts.add(input),
    updateAccount: (update) => accounts.update(update),
    removeAccount: async (id) => {
      await accounts.remove(id);
      // Its quota goes with it; settings keep only what applies to accounts that exist.
      if (settings.accountQuotas?.[id]) {
        const { [id]: _gone, ...rest } = settings.accountQuotas;
        settings = await settingsStore.update({ accountQuotas: rest });
      }
      return { removed: true };
    },
    testAccount: (target) => accounts.testConnection(target),
    setDemoHidden: (hidden) => accounts.setDemoHidden(hidden),
    accountStatuses: async () => accounts.statuses(),
    retryAccount: (id) => accounts.retry(id),
    keychainStatus: () => accounts.keychain(),
    awsProfiles: () => accounts.profiles(),
    listStreams: (query) => catalogue.list(query),
    describeStream: (ref) => catalogue.describe(ref),
    allStreams: (query) => catalogue.all(query.accountId, query.refresh ? { refresh: true } : {}),
    streamTags: (query) => catalogue.tags(query.accountId, query.streamNames, query.refresh ? { refresh: true } : {}),
    listFragments: (q) => issuer.listFragments({ accountId: q.accountId, streamName: q.streamName }, q.start, q.end, q.selector),
    timelineCoverage: (q) => evidence.coverage.coverage(q.stream, q.selector, q.start, q.end),
    timelineThumbnails: async (q) => ({ thumbnails: await evidence.thumbnails.thumbnails(q) }),
    startExport: (req, ctx) => evidence.exports.start(req, ctx),
    cancelExport: async (req) => ({ cancelled: evidence.exports.cancel(req.exportId) }),
    listExports: async () => evidence.exports.list(),
    listWalls: () => walls.list(),
    saveWall: async (wall) => {
      const saved = await walls.save(wall);
      events.emit('walls.changed', {});
      return saved;
    },
    removeWall: async (id) => {
      await walls.remove(id);
      events.emit('walls.changed', {});
      return { removed: true };
    },
    getSettings: async () => settings,
    updateSettings: async (patch, ctx) => {
      settings = await settingsStore.update(patch);
      // The wall a window switched to is that window's wall from now on.
      if (patch.lastWallId !== undefined && ctx.windowId !== undefined) options.windowWalls?.showing(ctx.windowId, patch.lastWallId);
      events.emit('settings.changed', settings);
      settingsListeners.forEach((listener) => listener(settings));
      return settings;
    },
    exportDiagnostics: async (request) => {
      const relative = `diagnostics/${diagnosticsFileName(clock.now())}`;
      await mkdir(join(dir, 'diagnostics'), { recursive: true });
      const capabilities = request.capabilities;
      const gpu = options.diagnostics?.gpu;
      const result = await exportDiagnostics(
        {
          logsDir: join(dir, 'logs'),
          versions: { app: options.version ?? '0.0.0', shell: options.shell, ...(options.diagnostics?.versions ?? {}) },
          settings: () => settings,
          accounts: () => accounts.list(),
          ...(gpu ? { gpu: () => gpu(capabilities) } : capabilities ? { gpu: () => ({ source: 'browser', ...capabilities }) } : {}),
          sessionPool: () => sessionService.counters(),
          now: () => clock.now(),
        },
        join(dir, relative),
      );
      logger.info('diagnostics exported', { file: relative, bytes: result.bytes });
      options.diagnostics?.exported?.(result.path);
      return { file: relative, bytes: result.bytes, sections: result.sections };
    },
    notifyAlert: async (alert) => {
      if (!options.notify || settings.alerts?.desktopNotifications !== true) return { shown: false };
      options.notify(alert.kind === 'offline' ? `Camera offline: ${alert.camera}` : `Camera back: ${alert.camera}`, alert.wall ? `${alert.text} — wall ${alert.wall}` : alert.text);
      return { shown: true };
    },
    attachPage: (req, ctx) => pages.attach(req, ctx),
    reportCameras: async (counts, ctx) => {
      const page = registry.pageFor(ctx.senderId);
      if (page) cameraTally.report(page.pageId, counts);
      return { accepted: page !== undefined };
    },
    heartbeatPage: (req, ctx) => pages.heartbeat(req, ctx),
    detachPage: (req, ctx) => pages.detach(req, ctx),
    acquireSession: (req, ctx) => pages.acquire(req, ctx),
    releaseSession: (tileId, ctx) => pages.release(tileId, ctx),
    reportSessionFailure: (report, ctx) => pages.reportFailure(report, ctx),
  };

  const dispatch = createDispatcher(createHandlers(services), {
    logger,
    ...(options.isAllowedSender ? { isAllowedSender: options.isAllowedSender } : {}),
  });

  let disposed: Promise<void> | undefined;
  return {
    services,
    dispatch,
    events,
    sessions: sessionService,
    cameras: cameraTally,
    settings: () => settings,
    onSettingsChanged: (listener) => {
      settingsListeners.add(listener);
      return () => void settingsListeners.delete(listener);
    },
    contentSecurityPolicy: (connect) => pagePolicy.contentSecurityPolicy(connect),
    senderGone: (senderId) => registry.senderGone(senderId),
    ...(evidence.downloads ? { takeDownload: (token: string) => evidence.downloads?.take(token) } : {}),
    onResume: () => sessionService.onResume(),
    dispose() {
      disposed ??= (async () => {
        offAccounts();
        pages.close();
        await evidence.dispose();
        // Sessions are saved free, each remembering its tile, for the next start.
        await sessionService.dispose();
        registry.dispose();
        accounts.dispose();
        clients.close();
        await demo?.stop();
      })();
      return disposed;
    },
  };
}

/** The session pool's key in the OS keychain, through the one keychain access path. */
function keychainKey(account: string): SealingKeySource {
  const entries = createKeychainEntries();
  return { read: () => entries.get(account), write: (value) => entries.set(account, value) };
}
