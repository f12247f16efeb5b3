import { randomBytes } from 'node:crypto';
import { appError } from '../shared/errors';
import type { StreamRef } from '../shared/model';
import { createAccountService, createKeychainVault, type AccountServiceDeps, type SecretVault } from './accounts';
import { AppFailure } from './core/app-failure';
import { createAppNotices } from './app-notices';
import { contentSecurityPolicySources } from './compose-origins';
import { systemClock, type Clock } from './core/clock';
import { silentLogger, type Logger } from './core/logger';
import { createEmbeddedDemo, type EmbeddedDemo } from './embedded-demo';
import { createDispatcher, type Dispatch, type SenderInfo } from './ipc/dispatcher';
import { createEventHub, type EventHub } from './ipc/events';
import { createHandlers } from './ipc/handlers';
import type { WallServices } from './ipc/services';
import { createEndpointCache, createKvsClients, createSessionIssuer, createStreamCatalogue, getDataEndpointVia } from './kvs';
import { createSessionBroker, LEDGER_VERSION, LedgerSnapshotSchema, type SessionBroker } from './sessions';
import { createAccountCaches, createAccountsStore, createJsonStore, createNoticeBoard, createSettingsStore, createWallsStore } from './store';
import { createTileDirectory } from './tile-directory';
import type { ShellCore } from './web/shell-core';

export interface AppCoreOptions {
  /** Settings, walls, caches and the session ledger live here. */
  userDataDir: string;
  shell: 'electron' | 'browser';
  version?: string;
  clock?: Clock;
  logger?: Logger;
  /** Where account secrets go; the OS keychain unless a test passes another. */
  vault?: SecretVault;
  /** The built-in "Demo cameras" account (the emulator, embedded, started on first use). Default on. */
  demo?: boolean;
  /** Kiosk options from the command line, reported by `app.info`. */
  kiosk?: { wall?: string; fullscreen: boolean } | undefined;
  /** The transport's sender policy (Electron: our windows on the app origin); default: every sender. */
  isAllowedSender?: (sender: SenderInfo) => boolean;
  random?: () => number;
  /**
   * Test-only: session lengths below KVS's 300 s minimum, for an emulator started with a lower
   * Expires bound, so renewal tests see several renewals in a minute. Never set by a shell.
   */
  sessionTimings?: { expiresSeconds: number; renewLeadSeconds: number };
  /**
   * Test-only account settings: roles lasting seconds (with an emulator that allows them), faster
   * credential renewal retries, a stand-in network for the connection test.
   */
  accountOptions?: Pick<AccountServiceDeps, 'roleSessionSeconds' | 'renewal' | 'network' | 'platform'>;
}

export interface AppCore extends ShellCore {
  readonly services: WallServices;
  readonly dispatch: Dispatch;
  readonly events: EventHub;
  /** The machine woke up: renew every session now. */
  onResume(): void;
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
  appNotices.onNotice((notice) => events.emit('app.notice', notice));
  const storeContext = { dir, clock, logger, notices };
  const settingsStore = createSettingsStore(storeContext);
  const walls = createWallsStore(storeContext);
  const caches = createAccountCaches(storeContext);
  let settings = await settingsStore.get();

  const demo: EmbeddedDemo | undefined =
    options.demo === false ? undefined : await createEmbeddedDemo({ logger, onOriginChanged: () => events.emit('accounts.changed', {}) });

  // Assigned below; Test connection only runs once the core is up.
  let broker: SessionBroker | undefined;
  /**
   * Test connection's GetDASHStreamingSessionURL check: one LIVE session through the broker, for a
   * throwaway tile key, released at once. The broker records it in the ledger (it counts against the
   * stream's quota until it expires), so the check never spends a session the app doesn't know about.
   */
  const probeSession = async (ref: StreamRef): Promise<void> => {
    if (!broker) throw new AppFailure(appError('Internal', 'The session service is not running yet.', { retryable: true }));
    const key = `probe-${randomBytes(6).toString('hex')}`;
    try {
      const answer = await broker.acquire(key, ref, { mode: 'LIVE' });
      if (answer.status === 'waiting') throw new AppFailure(appError('SessionBudgetFull', answer.reason, { retryable: true, retryAt: answer.until }));
      if (answer.status === 'error') throw new AppFailure(answer.error);
    } finally {
      await broker.release(key).catch(() => false);
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
  accounts.onChange(({ accountId, change, identityChanged }) => events.emit('accounts.changed', { accountId, change, identityChanged }));
  accounts.onStatus((status) => events.emit('accounts.status', status));

  const clients = createKvsClients({ accounts, onCredentialsRefused: (accountId, err) => accounts.credentialsRefused(accountId, err) });
  const endpoints = createEndpointCache({ caches, accounts, lookup: getDataEndpointVia(clients, clock), clock, logger });
  const catalogue = createStreamCatalogue({ clients, caches, accounts, clock, logger });
  const issuer = createSessionIssuer({ clients, endpoints, clock, logger });
  broker = await createSessionBroker({
    clock,
    issuer,
    logger,
    ...(options.random ? { random: options.random } : {}),
    ledgerStore: createJsonStore({ dir, name: 'sessions-ledger.json', version: LEDGER_VERSION, schema: LedgerSnapshotSchema, clock, logger, notices }),
    config: () => ({
      expiresSeconds: options.sessionTimings?.expiresSeconds ?? settings.sessionExpiresSeconds,
      reservePerStream: settings.sessionReservePerStream,
      ...(options.sessionTimings ? { renewLeadSeconds: options.sessionTimings.renewLeadSeconds } : {}),
    }),
  });

  // Tile ids come from each window; the broker sees one id per (window, tile) so two windows
  // showing the same wall never share or steal each other's sessions.
  const tiles = createTileDirectory();
  const unsubscribeBroker = [
    broker.on('renewed', (payload) => {
      const owner = tiles.owner(payload.tileId);
      if (owner) events.emit('session.renewed', { ...payload, tileId: owner.tileId }, owner.senderId);
    }),
    broker.on('state', (payload) => {
      const owner = tiles.owner(payload.tileId);
      if (owner) events.emit('session.state', { ...payload, tileId: owner.tileId }, owner.senderId);
    }),
    broker.on('budget', (payload) => events.emit('session.budget', payload)),
  ];

  const services: WallServices = {
    appInfo: async () => ({
      version: options.version ?? '0.0.0',
      shell: options.shell,
      platform: process.platform,
      ...(options.kiosk ? { kiosk: options.kiosk } : {}),
    }),
    listNotices: async () => appNotices.list(),
    dismissNotice: async (id) => ({ dismissed: appNotices.dismiss(id) }),
    listAccounts: () => accounts.list(),
    addAccount: (input) => accounts.add(input),
    updateAccount: (update) => accounts.update(update),
    removeAccount: async (id) => {
      await accounts.remove(id);
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
    updateSettings: async (patch) => {
      settings = await settingsStore.update(patch);
      return settings;
    },
    acquireSession: (req, ctx) => broker.acquire(tiles.keyFor(ctx.senderId, req.tileId), req.stream, req.playback),
    releaseSession: async (tileId, ctx) => {
      const key = tiles.existingKey(ctx.senderId, tileId);
      if (!key) return { released: false };
      const released = await broker.release(key);
      tiles.forget(key);
      return { released };
    },
    reportSessionFailure: async (report, ctx) => {
      const key = tiles.existingKey(ctx.senderId, report.tileId);
      return { accepted: key !== undefined && broker.reportFailure(key, report.sessionId, report.httpStatus) };
    },
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
    mediaOrigins: async () => contentSecurityPolicySources(await accounts.list().catch(() => []), demo?.origin()),
    senderGone(senderId) {
      for (const key of tiles.keysOf(senderId)) {
        broker
          .release(key)
          .catch((err: unknown) => logger.warn('could not release a closed window’s session', { error: String(err) }))
          .finally(() => tiles.forget(key));
      }
    },
    onResume: () => broker.onResume(),
    dispose() {
      disposed ??= (async () => {
        for (const off of unsubscribeBroker) off();
        await broker?.dispose();
        accounts.dispose();
        clients.close();
        await demo?.stop();
      })();
      return disposed;
    },
  };
}
