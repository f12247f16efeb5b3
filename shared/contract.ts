import { z } from 'zod';
import { AppErrorSchema } from './errors';
import {
  AccountInputSchema,
  AccountSummarySchema,
  AccountUpdateSchema,
  AwsProfileSchema,
  ConnectionReportSchema,
  CoverageSchema,
  ExportProgressSchema,
  CredentialStatusSchema,
  EpochMsSchema,
  FragmentSchema,
  GrantSchema,
  IdSchema,
  KeychainStatusSchema,
  MAX_EVIDENCE_RANGE_MS,
  MAX_THUMBNAIL_HEIGHT,
  MAX_THUMBNAILS_PER_CALL,
  MIN_THUMBNAIL_STEP_MS,
  PlaybackSchema,
  SettingsSchema,
  StreamCatalogueSchema,
  StreamInfoSchema,
  StreamNameSchema,
  StreamPageSchema,
  QuotaModelSchema,
  StreamTagsPageSchema,
  StreamRefSchema,
  TileIdSchema,
  TileSessionStateSchema,
  TileUsageSchema,
  ThumbnailSchema,
  TimestampSelectorSchema,
  WallSchema,
} from './model';

/** A time range on one camera's timeline, by the selector's clock: end after start, at most a day. */
const evidenceRange = z
  .object({ stream: StreamRefSchema, selector: TimestampSelectorSchema, start: EpochMsSchema, end: EpochMsSchema })
  .strict()
  .refine((r) => r.end > r.start, { message: 'the end must be after the start', path: ['end'] })
  .refine((r) => r.end - r.start <= MAX_EVIDENCE_RANGE_MS, { message: 'a range of at most 24 hours', path: ['end'] });

/** The most cameras one wall can show (a wall holds at most 64 tiles). */
export const MAX_WALL_CAMERAS = 64;

/** The largest serialized request main accepts; anything bigger is refused before parsing. */
export const MAX_REQUEST_BYTES = 64 * 1024;

const empty = z.object({}).strict();
const byId = z.object({ id: IdSchema }).strict();

/**
 * A path inside the user-data folder as the store names it (`walls.json`, `cache/streams-x.json`):
 * relative and without `..`, so a notice can never reveal where the user's home folder is.
 */
const UserDataPathSchema = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/, 'a path relative to the user-data folder');

/**
 * A stored file that could not be used and was moved aside, so the user can be told and can recover
 * it. `reason` is a code rather than the store's sentence on purpose: a JSON parser's message quotes
 * the file's bytes, and the file may hold something the user would not want shown.
 */
export const AppNoticeSchema = z.object({
  id: IdSchema,
  /** The file that was unusable, e.g. `walls.json`. */
  file: UserDataPathSchema,
  /** Where the original bytes are now, e.g. `walls.json.corrupt-20251124T214700123Z`. */
  movedTo: UserDataPathSchema,
  /** `corrupt`: unreadable or invalid; `future-version`: written by a newer KVS Wall. */
  reason: z.enum(['corrupt', 'future-version']),
  at: EpochMsSchema,
});
export type AppNotice = z.output<typeof AppNoticeSchema>;

/** What the page can tell about decoding on this machine, for "Export diagnostics". */
export const RendererCapabilitiesSchema = z
  .object({
    /** `MediaCapabilities.decodingInfo` per content type tried. */
    decoders: z
      .array(z.object({ contentType: z.string().max(200), supported: z.boolean(), smooth: z.boolean().optional(), powerEfficient: z.boolean().optional() }).strict())
      .max(64)
      .optional(),
    webglRenderer: z.string().max(500).optional(),
    hardwareConcurrency: z.number().int().min(0).max(65_536).optional(),
    userAgent: z.string().max(1000).optional(),
  })
  .strict();
export type RendererCapabilities = z.output<typeof RendererCapabilitiesSchema>;

/**
 * Every call the renderer can make: request schema → response schema. Main validates each request
 * with these before a handler runs; the renderer codes against the inferred types.
 */
export const calls = {
  'app.info': {
    request: empty,
    response: z.object({
      version: z.string(),
      shell: z.enum(['electron', 'browser']),
      platform: z.string(),
      /** Kiosk options from the command line: open this wall, fullscreen. */
      kiosk: z.object({ wall: z.string().optional(), fullscreen: z.boolean() }).optional(),
      /** Walls the Demo cameras account offers beside its first one (a large wall of distinct cameras). */
      demoWalls: z.array(z.object({ name: z.string().max(100), grid: z.number().int().min(1).max(8), cameras: z.array(StreamNameSchema).max(64) })).max(4).optional(),
      /** The wall the calling window showed when KVS Wall last ran (a restored window opens on it). */
      windowWall: IdSchema.optional(),
    }),
  },
  /**
   * How busy this machine is: all cores' busy share (0–1) over about the last two seconds, as the
   * decode budget's CPU ceiling is measured. `cpu` is absent on the first question (nothing to compare).
   */
  'machine.load': {
    request: empty,
    response: z.object({ cpu: z.number().min(0).max(1).optional(), spanMs: z.number().int().nonnegative().optional(), cores: z.number().int().positive() }),
  },
  /** Every stored file set aside during this run and not yet dismissed, oldest first. */
  'app.notices': { request: empty, response: z.array(AppNoticeSchema) },
  /**
   * Writes a diagnostics zip (logs, settings without secrets, versions, GPU and decoder capabilities,
   * the session pool's counters) into the user-data `diagnostics/` folder; the desktop app shows it in
   * the file manager. `file` is relative to the user-data folder.
   */
  'diagnostics.export': {
    request: z.object({ capabilities: RendererCapabilitiesSchema.optional() }).strict(),
    response: z.object({
      file: UserDataPathSchema,
      bytes: z.number().int().nonnegative(),
      /** Each section: in the zip, or why not. */
      sections: z.record(z.string().max(40), z.object({ included: z.boolean(), reason: z.string().max(500).optional() })),
    }),
  },
  /** Hides a notice for the rest of this run (for every window); false when there was no such notice. */
  'app.dismissNotice': { request: byId, response: z.object({ dismissed: z.boolean() }) },
  /** Every account: the Demo cameras first (with `hidden` when the user hid it), then the user's in the order added. */
  'accounts.list': { request: empty, response: z.array(AccountSummarySchema) },
  /** Access keys: the secret (and session token) go to the OS keychain first, then the rest to accounts.json. */
  'accounts.add': { request: AccountInputSchema, response: AccountSummarySchema },
  'accounts.update': { request: AccountUpdateSchema, response: AccountSummarySchema },
  /** Deletes the keychain entry, the metadata and the cached streams and endpoints; pooled sessions are dropped. */
  'accounts.remove': { request: byId, response: z.object({ removed: z.literal(true) }) },
  /**
   * Checks, in order, network reachability, the region, the credentials (GetCallerIdentity), then each
   * permission KVS Wall uses on one stream; names the first real cause. A stored account (`id`), an
   * unsaved one (`draft`), or a stored one with unsaved changes (`edit`). A DASH session is only
   * created for a stored account (it counts against the stream's quota).
   */
  'accounts.test': {
    request: z.union([byId, z.object({ draft: AccountInputSchema }).strict(), z.object({ edit: AccountUpdateSchema }).strict()]),
    response: ConnectionReportSchema,
  },
  /** Hides the Demo cameras from the camera picker, or brings them back; they are never removed. */
  'accounts.setDemoHidden': { request: z.object({ hidden: z.boolean() }).strict(), response: AccountSummarySchema },
  /** How each account's credentials are doing, for accounts that have been used this run. */
  'accounts.status': { request: empty, response: z.array(CredentialStatusSchema) },
  /** Try an account's credentials again now (after `aws sso login`, a fixed profile, …). */
  'accounts.retry': { request: byId, response: CredentialStatusSchema },
  /** Whether the OS keychain can store secrets here; checked afresh on every call. */
  'accounts.keychain': { request: empty, response: KeychainStatusSchema },
  /** Profiles in the user's shared AWS config and credentials files (names and kinds, never keys). */
  'accounts.profiles': {
    request: empty,
    response: z.object({ profiles: z.array(AwsProfileSchema).max(500), error: AppErrorSchema.optional() }),
  },
  'streams.list': {
    request: z
      .object({
        accountId: IdSchema,
        prefix: z.string().max(256).regex(/^[a-zA-Z0-9_.-]*$/, 'a stream-name prefix (a-z A-Z 0-9 _ . -)').optional(),
        nextToken: z.string().max(512).optional(),
        maxResults: z.number().int().min(1).max(10000).optional(),
        /** Skip the on-disk cache and ask AWS. */
        refresh: z.boolean().optional(),
      })
      .strict(),
    response: StreamPageSchema,
  },
  /** Every stream of an account (up to a limit), from AWS or the on-disk catalogue, for search by any part of a name. */
  'streams.all': {
    request: z.object({ accountId: IdSchema, refresh: z.boolean().optional() }).strict(),
    response: StreamCatalogueSchema,
  },
  /** Tags of some of an account's streams (ListTagsForStream), cached on disk; for grouping cameras. */
  'streams.tags': {
    request: z
      .object({ accountId: IdSchema, streamNames: z.array(StreamNameSchema).min(1).max(200), refresh: z.boolean().optional() })
      .strict(),
    response: StreamTagsPageSchema,
  },
  'streams.describe': { request: StreamRefSchema, response: StreamInfoSchema },
  'fragments.list': {
    request: z
      .object({
        accountId: IdSchema,
        streamName: StreamNameSchema,
        start: EpochMsSchema,
        end: EpochMsSchema,
        selector: TimestampSelectorSchema,
      })
      .strict(),
    response: z.array(FragmentSchema),
  },
  /**
   * Where the camera recorded in a range (ListFragments, every page, sorted and merged into intervals;
   * a gap is a real gap). Priced against the stream's points; cached briefly in main.
   */
  'timeline.coverage': { request: evidenceRange, response: CoverageSchema },
  /**
   * Thumbnails at `count` evenly spaced times (`from`, `from + stepMs`, …) at `height` lines (the width
   * follows the picture), from GetImages: as few requests as GetImages' limits allow (≤ 25 images and
   * ≤ 300 s each), cached in main by camera, time and height. A time with nothing recorded comes back
   * `missing: NO_MEDIA`, not as an error.
   */
  'timeline.thumbnails': {
    request: z
      .object({
        stream: StreamRefSchema,
        selector: TimestampSelectorSchema,
        from: EpochMsSchema,
        stepMs: z.number().int().min(MIN_THUMBNAIL_STEP_MS).max(MAX_EVIDENCE_RANGE_MS),
        count: z.number().int().min(1).max(MAX_THUMBNAILS_PER_CALL),
        height: z.number().int().min(16).max(MAX_THUMBNAIL_HEIGHT),
      })
      .strict(),
    response: z.object({ thumbnails: z.array(ThumbnailSchema).max(MAX_THUMBNAILS_PER_CALL) }),
  },
  /**
   * Exports a range as an MP4 (GetClip, in parts when the range is over GetClip's 200 fragments or
   * 100 MB, joined into one file). The desktop app asks where to save it first (`cancelled`: the
   * person closed the dialog); the browser shell offers the file as a one-time download when done.
   * Progress, the result and failures arrive as `export.progress` events.
   */
  'export.start': {
    request: evidenceRange,
    response: z.discriminatedUnion('status', [
      z.object({ status: z.literal('started'), exportId: IdSchema }),
      z.object({ status: z.literal('cancelled') }),
    ]),
  },
  /** Stops an export: its request is aborted and every file it wrote so far is deleted. */
  'export.cancel': { request: z.object({ exportId: IdSchema }).strict(), response: z.object({ cancelled: z.boolean() }) },
  /** Exports of this run, newest first: those under way and the last finished ones. */
  'export.list': { request: empty, response: z.array(ExportProgressSchema).max(50) },
  'walls.list': { request: empty, response: z.array(WallSchema) },
  /** Creates (no id match) or replaces a wall; returns it as stored. */
  'walls.save': { request: WallSchema, response: WallSchema },
  'walls.remove': { request: byId, response: z.object({ removed: z.literal(true) }) },
  'settings.get': { request: empty, response: SettingsSchema },
  /**
   * A camera alert from the page's event list, shown as a desktop notification where the shell can
   * (the Electron app); `shown: false` where it can't (the browser shell) or notifications are off.
   */
  'alerts.notify': {
    request: z
      .object({
        kind: z.enum(['offline', 'back']),
        camera: StreamNameSchema,
        wall: z.string().max(100).optional(),
        /** The sentence of the event list, e.g. "gate is back after 45 s". */
        text: z.string().max(300),
      })
      .strict(),
    response: z.object({ shown: z.boolean() }),
  },
  'settings.update': { request: SettingsSchema.partial().strict(), response: SettingsSchema },
  /**
   * A page instance (one load of the renderer) announces itself before it asks for sessions. Tiles are
   * held by the page through a lease that its heartbeats keep alive. `windowId` is the window the page
   * believes it is (remembered across reloads); main answers with the window it really is: the Electron
   * window the call came from, the one asked for, or a new one when another live page already shows it.
   * A newer page of the same window takes over at once: the older page's tiles go back to the pool.
   */
  'page.attach': {
    request: z.object({ pageId: IdSchema, windowId: IdSchema.optional() }).strict(),
    response: z.object({
      windowId: IdSchema,
      /** Without a heartbeat for this long the page counts as gone and its tiles' sessions return to the pool. */
      leaseMs: z.number().int().positive(),
      /** How often the page should send `page.heartbeat`. */
      heartbeatMs: z.number().int().positive(),
    }),
  },
  /**
   * Keeps the page's lease alive and reports what its players fetched since the last beat (the points
   * quota model counts every request). `accepted: false`: main no longer knows this page (it was
   * declared gone, or main restarted); the page must attach again and re-acquire its tiles.
   */
  'page.heartbeat': {
    request: z.object({ pageId: IdSchema, usage: z.array(TileUsageSchema).max(128).optional() }).strict(),
    response: z.object({ accepted: z.boolean() }),
  },
  /**
   * How many of the cameras on the page's wall play now (a camera on several tiles counts once), sent
   * when the numbers change, at most every few seconds. Main adds up every window's numbers for the
   * tray ("14 of 16 cameras live"); a page's numbers go when the page does. `accepted: false`: main
   * doesn't know this page (not attached yet, or declared gone); it reports again after attaching.
   */
  'page.cameras': {
    request: z
      .object({ live: z.number().int().min(0).max(MAX_WALL_CAMERAS), total: z.number().int().min(0).max(MAX_WALL_CAMERAS) })
      .strict()
      .refine((r) => r.live <= r.total, { message: 'live cameras can be at most the cameras on the wall', path: ['live'] }),
    response: z.object({ accepted: z.boolean() }),
  },
  /** The page is going away (pagehide): its tiles' sessions return to the pool now rather than after the lease. */
  'page.detach': { request: z.object({ pageId: IdSchema }).strict(), response: z.object({ detached: z.boolean() }) },
  /**
   * Ask for a DASH session for one tile of the calling page. Sessions belong to the pool, not to the
   * tile: a free pooled session of the same stream and playback is leased at once, with no KVS call.
   * Waiting and errors are answers, not rejections; `PageNotAttached` (retryable) means attach first.
   */
  'session.acquire': {
    request: z
      .object({
        tileId: TileIdSchema,
        stream: StreamRefSchema,
        playback: PlaybackSchema,
        /**
         * The tile switches to another stream of its camera (its sub-stream, or back) and shows the old
         * stream's picture until the new one has frames: main keeps the old session for this tile alone
         * a while, so no other tile is handed the URL still playing.
         */
        handover: z.boolean().optional(),
      })
      .strict(),
    response: z.discriminatedUnion('status', [
      z.object({ status: z.literal('granted'), grant: GrantSchema }),
      z.object({ status: z.literal('waiting'), until: EpochMsSchema, reason: z.string() }),
      z.object({ status: z.literal('error'), error: AppErrorSchema }),
    ]),
  },
  /** The tile stopped playing: its session returns to the pool while it has life left. */
  'session.release': { request: z.object({ tileId: TileIdSchema }).strict(), response: z.object({ released: z.boolean() }) },
  /**
   * The player saw the session refused (401/403: expired or evicted), gone (404) or throttled (400 with
   * `errorType` ClientLimitExceededException). Main renews, retries later or backs the stream off.
   * `accepted: false`: main doesn't know this tile or session (any more); the tile must acquire again.
   */
  'session.reportFailure': {
    request: z
      .object({
        tileId: TileIdSchema,
        sessionId: IdSchema,
        httpStatus: z.number().int().min(100).max(599),
        /** The `x-amzn-ErrorType` / `__type` of the answer, when the player could read it. */
        errorType: z.string().max(100).regex(/^[A-Za-z0-9_.:-]*$/).optional(),
      })
      .strict(),
    response: z.object({ accepted: z.boolean() }),
  },
} as const;

/**
 * Menu commands the focused window's page carries out (the wall it shows lives there); the desktop
 * app's menu sends them as `app.command`.
 */
export const PAGE_COMMANDS = [
  'wall.new',
  'wall.rename',
  'wall.duplicate',
  'wall.delete',
  'wall.grid',
  'wall.next',
  'wall.previous',
  'tour.toggle',
  'accounts.open',
  'settings.open',
  'view.stats',
  'help.shortcuts',
  'help.exportDiagnostics',
] as const;
export type PageCommand = (typeof PAGE_COMMANDS)[number];

/** Every event main pushes to the renderer. */
export const events = {
  /** A stored file was set aside just now (e.g. a cache opened for the first time turned out corrupt). */
  'app.notice': AppNoticeSchema,
  /** A tile of this page has a new session (its first after waiting, a renewal, or a replacement). */
  'session.renewed': z.object({ tileId: TileIdSchema, grant: GrantSchema }),
  'session.state': z.object({
    tileId: TileIdSchema,
    state: TileSessionStateSchema,
    /**
     * A sentence a guard understands: why waiting, why backing off, what failed — e.g. "10 of 10 sessions
     * on this camera are in use: 6 on this wall, 4 elsewhere". Times are not in it: `until` is, for the
     * page to show in its own clock ("next one frees 10:42").
     */
    detail: z.string().max(500).optional(),
    until: EpochMsSchema.optional(),
    error: AppErrorSchema.optional(),
  }),
  /** A stream's quota use, to every page, whenever it changes. */
  'session.budget': z.object({
    stream: StreamRefSchema,
    model: QuotaModelSchema,
    /** `sessions`: sessions that count at KVS (leased, pooled, expiring unused, outcome unknown). `points`: sessions open. */
    used: z.number().int().nonnegative(),
    /** `sessions`: how many this app may use (limit − reserve). Absent in the `points` model: no session cap. */
    limit: z.number().int().nonnegative().optional(),
    /** Of `used`, sessions free in the pool, ready for the next tile of this stream. */
    pooled: z.number().int().nonnegative(),
    /** When the earliest counted session stops counting (`sessions` model). */
    nextFreeAt: EpochMsSchema.optional(),
    /** `points` model: this app's spend per second and its share of the stream's points. */
    points: z
      .object({
        mediaPerSecond: z.number().nonnegative(),
        metadataPerSecond: z.number().nonnegative(),
        mediaShare: z.number().nonnegative(),
        metadataShare: z.number().nonnegative(),
      })
      .optional(),
  }),
  /**
   * The page must reload itself, e.g. an account added a media origin its Content-Security-Policy
   * (fixed at load) doesn't allow. Tiles come back on their pooled sessions, so a reload costs nothing.
   */
  'page.reload': z.object({ reason: z.enum(['media-origins']) }),
  /**
   * Accounts were added, changed or removed (all fields absent: reload the list, e.g. the demo moved).
   * `identityChanged`: the account now reaches AWS as someone else or somewhere else (kind, region,
   * keys, profile, endpoint, role); false for a rename or the demo being hidden.
   */
  'accounts.changed': z.object({
    accountId: IdSchema.optional(),
    change: z.enum(['added', 'updated', 'removed']).optional(),
    identityChanged: z.boolean().optional(),
  }),
  /** An account's credentials changed state (renewal failed, needs a person, works again). */
  'accounts.status': CredentialStatusSchema,
  'walls.changed': z.object({}),
  /** A menu command for the page of the focused window. */
  'app.command': z.object({ command: z.enum(PAGE_COMMANDS) }),
  /** Settings were saved (from any window): what they are now, so every window applies them at once. */
  'settings.changed': SettingsSchema,
  /** A clip export moved on: a new part, more bytes (at most a few times a second), or its end. */
  'export.progress': ExportProgressSchema,
} as const;

export type CallName = keyof typeof calls;
export type EventName = keyof typeof events;
export type CallRequest<N extends CallName> = z.input<(typeof calls)[N]['request']>;
export type CallResponse<N extends CallName> = z.output<(typeof calls)[N]['response']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** What travels back for every call, over Electron IPC or the browser shell's WebSocket. */
export const ReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: AppErrorSchema }),
]);
export type Reply = z.infer<typeof ReplySchema>;

/** The whole API the renderer sees; the preload and the browser-shell client both implement it. */
export interface WallApi {
  call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export const CALL_NAMES = Object.keys(calls) as CallName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}
