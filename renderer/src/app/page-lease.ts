import type { WallApi } from '../../../shared/contract';
import { WallApiError } from '../../../shared/errors';
import { IdSchema, type TileUsage } from '../../../shared/model';
import { Backoff } from '../player/backoff';

/** Where the page remembers which window it is, across reloads of the same tab or window. */
export const WINDOW_ID_KEY = 'kvs-wall:window-id';
/** The most usage entries one heartbeat may carry (the contract's bound); the rest go with the next. */
export const MAX_USAGE_PER_BEAT = 128;
/** Usage kept for later (main unreachable, page not accepted) is merged per tile and session, and bounded. */
const MAX_CARRIED = 512;
const COUNT_MAX = 100_000;

export interface PageLeaseOptions {
  api: WallApi;
  /** The transport's "connected again" hook: main dropped the page with its socket, so attach again. */
  onReconnected?: (listener: () => void) => () => void;
  /** `sessionStorage` in a page: survives reloads of this tab, not shared with other tabs. */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  pageId?: string;
  /** What `page.reload` does; `location.reload()` in a page. */
  reload?: () => void;
  /** Delays between attach attempts that failed (main unreachable). */
  retryStepsMs?: readonly number[];
  log?: (message: string) => void;
}

type State = 'idle' | 'attaching' | 'attached' | 'detached';

/** A random id for one load of the page. */
export function newPageId(): string {
  return crypto.randomUUID();
}

/**
 * This page's hold on its tiles. Main keeps a page's tiles (and the sessions they play) only while the
 * page attaches and then beats within the lease period; a page that is gone gives its sessions back to
 * the pool. So: attach before any tile asks for a session; attach again whenever main may have let go
 * (the socket came back, a heartbeat was not accepted, a call said PageNotAttached), and every tile asks
 * again then; report what the players fetched with each beat; detach when the page goes away.
 */
export class PageLease {
  readonly pageId: string;
  private state: State = 'idle';
  private generation = 0;
  private windowIdValue: string | undefined;
  private heartbeatMs = 5000;
  private attempt = 0;
  private readonly backoff: Backoff;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private beatTimer: ReturnType<typeof setTimeout> | undefined;
  private waiters: Array<(generation: number) => void> = [];
  private readonly attachListeners = new Set<(generation: number) => void>();
  private readonly sources = new Set<() => TileUsage[]>();
  private carried: TileUsage[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private readonly log: (message: string) => void;

  constructor(private readonly options: PageLeaseOptions) {
    this.pageId = options.pageId ?? newPageId();
    this.backoff = new Backoff(options.retryStepsMs ?? [250, 500, 1000, 2000, 5000]);
    this.log = options.log ?? ((message) => console.warn(message));
  }

  /** The window main says this page shows, once attached. */
  get windowId(): string | undefined {
    return this.windowIdValue;
  }

  get attached(): boolean {
    return this.state === 'attached';
  }

  /** Counts attachments: tiles that asked under an older one must ask again. */
  get attachGeneration(): number {
    return this.generation;
  }

  /** Attaches now, and from then on after every reconnect; obeys `page.reload`. Again after `detach()` (a page restored from the back/forward cache). */
  start(): void {
    if (this.state === 'attaching' || this.state === 'attached') return;
    if (this.unsubscribe.length === 0) {
      const { api, onReconnected } = this.options;
      if (onReconnected) this.unsubscribe.push(onReconnected(() => this.state !== 'detached' && this.attach()));
      this.unsubscribe.push(api.on('page.reload', () => (this.options.reload ?? (() => location.reload()))()));
    }
    this.attach();
  }

  /** The page is going away: its tiles' sessions go back to the pool now rather than after the lease runs out. */
  detach(): void {
    if (this.state === 'detached' || this.state === 'idle') return;
    this.state = 'detached';
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    clearTimeout(this.beatTimer);
    void this.options.api.call('page.detach', { pageId: this.pageId }).catch(() => undefined);
  }

  /** Stops for good (tests, teardown): detaches and drops every subscription. */
  dispose(): void {
    this.detach();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Resolves with the attachment's generation once the page is attached (at once when it is). */
  whenAttached(): Promise<number> {
    if (this.state === 'attached') return Promise.resolve(this.generation);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Called on every attachment, the first and each one after. */
  onAttached(listener: (generation: number) => void): () => void {
    this.attachListeners.add(listener);
    return () => void this.attachListeners.delete(listener);
  }

  /** A call was answered PageNotAttached: main has let go of this page, attach again. */
  notAttached(): void {
    if (this.state === 'attached') this.attach();
  }

  /** A tile's counter of what its players fetched; read (and reset) at every beat. */
  addUsageSource(source: () => TileUsage[]): () => void {
    this.sources.add(source);
    return () => void this.sources.delete(source);
  }

  /** A leaving tile's last counts: sent with the next beat. */
  keepUsage(usage: readonly TileUsage[]): void {
    this.carried = mergeUsage(this.carried, usage);
  }

  private attach(): void {
    this.state = 'attaching';
    clearTimeout(this.retryTimer);
    clearTimeout(this.beatTimer);
    const attempt = ++this.attempt;
    const remembered = this.options.storage?.getItem(WINDOW_ID_KEY) ?? undefined;
    const windowId = remembered && IdSchema.safeParse(remembered).success ? remembered : undefined;
    this.options.api.call('page.attach', windowId === undefined ? { pageId: this.pageId } : { pageId: this.pageId, windowId }).then(
      (answer) => {
        if (attempt !== this.attempt) return;
        this.windowIdValue = answer.windowId;
        try {
          this.options.storage?.setItem(WINDOW_ID_KEY, answer.windowId);
        } catch {
          // Storage full or disabled: the page is still attached, it just won't be recognised after a reload.
        }
        this.heartbeatMs = answer.heartbeatMs;
        this.state = 'attached';
        this.generation += 1;
        this.backoff.reset();
        this.scheduleBeat();
        const generation = this.generation;
        for (const resolve of this.waiters.splice(0)) resolve(generation);
        for (const listener of [...this.attachListeners]) {
          try {
            listener(generation);
          } catch (error) {
            console.error(error);
          }
        }
      },
      (error: unknown) => {
        if (attempt !== this.attempt) return;
        const delay = this.backoff.next();
        this.log(`KVS Wall could not attach this page (${describe(error)}); trying again in ${Math.round(delay / 100) / 10} s.`);
        this.retryTimer = setTimeout(() => this.attach(), delay);
      },
    );
  }

  private scheduleBeat(): void {
    clearTimeout(this.beatTimer);
    this.beatTimer = setTimeout(() => void this.beat(), this.heartbeatMs);
  }

  private collectUsage(): TileUsage[] {
    let all = this.carried;
    this.carried = [];
    for (const source of this.sources) {
      try {
        all = mergeUsage(all, source());
      } catch (error) {
        console.error(error);
      }
    }
    this.carried = all.slice(MAX_USAGE_PER_BEAT);
    return all.slice(0, MAX_USAGE_PER_BEAT);
  }

  private async beat(): Promise<void> {
    if (this.state !== 'attached') return;
    const attempt = this.attempt;
    const usage = this.collectUsage();
    try {
      const answer = await this.options.api.call('page.heartbeat', usage.length > 0 ? { pageId: this.pageId, usage } : { pageId: this.pageId });
      if (answer.accepted) {
        if (attempt === this.attempt && this.state === 'attached') this.scheduleBeat();
        return;
      }
      // Main doesn't know this page (declared gone, or restarted): its counts were not taken.
      this.keepUsage(usage);
      if (attempt === this.attempt && this.state === 'attached') this.attach();
    } catch (error) {
      const transport = error instanceof WallApiError && error.detail.code === 'NetworkError';
      // Not delivered as far as we know; a report main refused as invalid would be refused again.
      if (transport) this.keepUsage(usage);
      else this.log(`KVS Wall refused this page's heartbeat (${describe(error)}).`);
      if (attempt === this.attempt && this.state === 'attached') this.scheduleBeat();
    }
  }
}

function describe(error: unknown): string {
  return error instanceof WallApiError ? `${error.detail.code}: ${error.detail.message}` : error instanceof Error ? error.message : String(error);
}

/** Adds usage reports together per (tile, session), keeping the contract's bounds. */
export function mergeUsage(into: readonly TileUsage[], more: readonly TileUsage[]): TileUsage[] {
  const merged = new Map<string, TileUsage>();
  for (const u of [...into, ...more]) {
    const key = `${u.tileId}|${u.sessionId}`;
    const prev = merged.get(key);
    merged.set(
      key,
      prev
        ? {
            tileId: u.tileId,
            sessionId: u.sessionId,
            manifests: Math.min(COUNT_MAX, prev.manifests + u.manifests),
            inits: Math.min(COUNT_MAX, prev.inits + u.inits),
            fragments: Math.min(COUNT_MAX, prev.fragments + u.fragments),
            throttled: Math.min(COUNT_MAX, prev.throttled + u.throttled),
          }
        : { ...u },
    );
  }
  const all = [...merged.values()];
  return all.length > MAX_CARRIED ? all.slice(all.length - MAX_CARRIED) : all;
}
