import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';

/** How long a page may stay silent before it counts as gone, and how often it should beat. */
export const DEFAULT_LEASE_MS = 15_000;
export const DEFAULT_HEARTBEAT_MS = 5_000;

export type PageGoneReason = 'detached' | 'superseded' | 'sender-gone' | 'lease-expired' | 'disposed';

/** One load of the renderer in a window. */
export interface PageRecord {
  readonly pageId: string;
  /** The window or socket it talks through now (a reconnect moves it to a new socket). */
  senderId: string;
  readonly windowId: string;
  /** Bumped by every heartbeat (a record version, as in a lease table). */
  version: number;
  /** The version the sweep last saw, and when it first saw it. */
  observed: { version: number; since: number };
  /** When it last attached or beat (our clock): a heartbeat's usage covers the time since. */
  lastBeatAt: number;
}

export interface AttachRequest {
  pageId: string;
  senderId: string;
  /** The window id the page remembers (browser shell, from sessionStorage). */
  suggestedWindowId?: string;
  /** The window the shell knows the sender is (Electron): wins over the page's suggestion. */
  shellWindowId?: string;
}

export interface PageRegistryOptions {
  clock: Clock;
  logger: Logger;
  leaseMs?: number;
  heartbeatMs?: number;
  /** A page is gone: give back what it held (its tiles' sessions return to the pool). */
  onGone(page: PageRecord, reason: PageGoneReason): void;
}

/**
 * The pages attached to the core, each holding its tiles through a lease its heartbeats keep alive.
 * The lease follows the lock-client model: every heartbeat bumps the page's version, and a page is
 * declared gone only when a sweep has seen the same version for a whole lease period — no clock of
 * the page is ever compared with ours. A page also goes when it detaches, when its sender goes
 * (window closed, renderer crashed, socket closed), or when a newer page of its window attaches.
 */
export class PageRegistry {
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  private readonly pages = new Map<string, PageRecord>();
  private readonly pageOfSender = new Map<string, string>();
  private sweepTimer: TimerHandle | undefined;
  private disposed = false;

  constructor(private readonly options: PageRegistryOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (!(this.heartbeatMs > 0 && this.leaseMs >= 2 * this.heartbeatMs)) {
      throw new RangeError(`page lease ${this.leaseMs} ms must hold at least two heartbeats of ${this.heartbeatMs} ms`);
    }
  }

  attach(request: AttachRequest): { windowId: string; leaseMs: number; heartbeatMs: number } {
    const now = this.options.clock.now();
    const existing = this.pages.get(request.pageId);
    if (existing && (request.shellWindowId === undefined || request.shellWindowId === existing.windowId)) {
      // The same page again, e.g. over a new socket after a reconnect: it keeps its window and tiles.
      this.bind(existing, request.senderId);
      this.beat(existing, now);
      return this.terms(existing.windowId);
    }
    if (existing) this.gone(existing, 'superseded');

    // A sender shows one page at a time: an older page on it (a reload in Electron) is gone.
    const older = this.recordOfSender(request.senderId);
    const windowId = request.shellWindowId ?? this.chooseWindow(request.suggestedWindowId, request.senderId);
    if (older) this.gone(older, 'superseded');
    // A newer page of the same window takes over at once.
    for (const page of [...this.pages.values()]) if (page.windowId === windowId) this.gone(page, 'superseded');

    const page: PageRecord = { pageId: request.pageId, senderId: request.senderId, windowId, version: 0, observed: { version: 0, since: now }, lastBeatAt: now };
    this.pages.set(page.pageId, page);
    this.pageOfSender.set(page.senderId, page.pageId);
    this.options.logger.info('page attached', { pageId: page.pageId, windowId, sender: page.senderId });
    this.ensureSweep();
    return this.terms(windowId);
  }

  /**
   * Renews the page's lease. Returns how long it had been since its previous beat (what its usage
   * report covers), or undefined when the page is unknown (declared gone, or never attached) or
   * talks through another sender.
   */
  heartbeat(pageId: string, senderId: string): number | undefined {
    const page = this.pages.get(pageId);
    if (!page || page.senderId !== senderId) return undefined;
    const now = this.options.clock.now();
    const since = now - page.lastBeatAt;
    this.beat(page, now);
    return since;
  }

  detach(pageId: string, senderId: string): boolean {
    const page = this.pages.get(pageId);
    if (!page || page.senderId !== senderId) return false;
    this.gone(page, 'detached');
    return true;
  }

  /** The sender's page (if any) is gone: its window closed, its renderer crashed or navigated, its socket closed. */
  senderGone(senderId: string): void {
    const page = this.recordOfSender(senderId);
    if (page) this.gone(page, 'sender-gone');
  }

  /** The page the sender shows now. */
  pageFor(senderId: string): PageRecord | undefined {
    return this.recordOfSender(senderId);
  }

  /** The sender showing a window's live page: where that window's events go. */
  senderOfWindow(windowId: string): string | undefined {
    for (const page of this.pages.values()) if (page.windowId === windowId) return page.senderId;
    return undefined;
  }

  get size(): number {
    return this.pages.size;
  }

  dispose(): void {
    this.disposed = true;
    if (this.sweepTimer !== undefined) this.options.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const page of [...this.pages.values()]) this.gone(page, 'disposed');
  }

  // ── Internals ─────────────────────────────────────────────────────────────

  private terms(windowId: string) {
    return { windowId, leaseMs: this.leaseMs, heartbeatMs: this.heartbeatMs };
  }

  private beat(page: PageRecord, now: number): void {
    page.version++;
    page.lastBeatAt = now;
  }

  private bind(page: PageRecord, senderId: string): void {
    if (page.senderId === senderId) return;
    if (this.pageOfSender.get(page.senderId) === page.pageId) this.pageOfSender.delete(page.senderId);
    // Whatever page that sender showed before is replaced by this one.
    const other = this.recordOfSender(senderId);
    if (other && other !== page) this.gone(other, 'superseded');
    page.senderId = senderId;
    this.pageOfSender.set(senderId, page.pageId);
  }

  /**
   * The window a browser page gets: the one it remembers, unless another live page on another
   * sender shows it (a duplicated tab), else the lowest `w<n>` no live page shows — so a lone wall
   * gets the same window id after a restart and finds its pooled sessions again.
   */
  private chooseWindow(suggested: string | undefined, senderId: string): string {
    if (suggested !== undefined) {
      const holder = [...this.pages.values()].find((p) => p.windowId === suggested);
      if (!holder || holder.senderId === senderId) return suggested;
    }
    const taken = new Set([...this.pages.values()].filter((p) => p.senderId !== senderId).map((p) => p.windowId));
    for (let n = 1; ; n++) if (!taken.has(`w${n}`)) return `w${n}`;
  }

  private recordOfSender(senderId: string): PageRecord | undefined {
    const pageId = this.pageOfSender.get(senderId);
    return pageId === undefined ? undefined : this.pages.get(pageId);
  }

  private gone(page: PageRecord, reason: PageGoneReason): void {
    if (this.pages.get(page.pageId) !== page) return;
    this.pages.delete(page.pageId);
    if (this.pageOfSender.get(page.senderId) === page.pageId) this.pageOfSender.delete(page.senderId);
    this.options.logger.info('page gone', { pageId: page.pageId, windowId: page.windowId, reason });
    try {
      this.options.onGone(page, reason);
    } catch (err) {
      this.options.logger.error('releasing a page that went failed', { pageId: page.pageId, error: String(err) });
    }
  }

  /** One timer while any page is attached: declares gone the pages whose version stood still a whole lease. */
  private ensureSweep(): void {
    if (this.sweepTimer !== undefined || this.disposed) return;
    const interval = Math.max(1, Math.floor(this.leaseMs / 3));
    this.sweepTimer = this.options.clock.setTimeout(() => {
      this.sweepTimer = undefined;
      const now = this.options.clock.now();
      for (const page of [...this.pages.values()]) {
        if (page.version !== page.observed.version) page.observed = { version: page.version, since: now };
        else if (now - page.observed.since >= this.leaseMs) this.gone(page, 'lease-expired');
      }
      if (this.pages.size > 0) this.ensureSweep();
    }, interval);
  }
}
