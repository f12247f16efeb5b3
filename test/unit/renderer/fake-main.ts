import type { CallName, CallRequest, CallResponse, EventName, EventPayload, WallApi } from '../../../shared/contract';
import { WallApiError, appError } from '../../../shared/errors';
import type { Grant, Playback, StreamRef, TileUsage } from '../../../shared/model';

/**
 * A small main process with real state, for the renderer's page lease and tile sessions: pages that
 * attach, beat and go; a pool of sessions leased to one tile at a time and returned on release; a
 * per-stream session cap. Each `client()` is one page's connection (its sender); calls are handled
 * in the order they are made, synchronously (like main handling frames in arrival order), and
 * answered a turn later.
 */

interface Session {
  id: string;
  stream: string;
  spec: string;
  /** `${windowId}|${tileId}` of the tile holding it, if any. */
  lessee?: string;
  lastLessee?: string;
}

interface Page {
  id: string;
  windowId: string;
  client: FakeClient;
  alive: boolean;
}

export interface CallRecord {
  client: number;
  name: CallName;
  request: unknown;
}

export class FakeMain {
  readonly calls: CallRecord[] = [];
  readonly sessions: Session[] = [];
  readonly pages = new Map<string, Page>();
  readonly usage: TileUsage[] = [];
  readonly reports: Array<{ tileId: string; sessionId: string; httpStatus: number; errorType?: string }> = [];
  sessionsCreated = 0;
  /** Sessions the app may count per stream; Infinity: no cap. */
  limitPerStream = Number.POSITIVE_INFINITY;
  heartbeatMs = 5000;
  /** Streams (`accountId/streamName`) the account doesn't have: acquiring one is refused, as KVS's ResourceNotFoundException. */
  readonly missingStreams = new Set<string>();
  private nextClient = 1;
  private nextWindow = 1;

  client(): FakeClient {
    return new FakeClient(this, this.nextClient++);
  }

  /** Main forgets a page (missed heartbeats, or restarted): its tiles' sessions return to the pool. */
  declareGone(pageId: string): void {
    const page = this.pages.get(pageId);
    if (!page?.alive) return;
    page.alive = false;
    for (const s of this.sessions) if (s.lessee?.startsWith(`${page.windowId}|`)) s.lessee = undefined;
  }

  pageOf(client: FakeClient): Page | undefined {
    return [...this.pages.values()].find((p) => p.alive && p.client === client);
  }

  heldBy(windowId: string, tileId: string): Session | undefined {
    return this.sessions.find((s) => s.lessee === `${windowId}|${tileId}`);
  }

  handle(client: FakeClient, name: CallName, request: unknown): unknown {
    this.calls.push({ client: client.id, name, request });
    switch (name) {
      case 'page.attach': {
        const { pageId, windowId } = request as CallRequest<'page.attach'>;
        const holder = [...this.pages.values()].find((p) => p.alive && p.windowId === windowId && p.id !== pageId && p.client !== client);
        const window = windowId && !holder ? windowId : `w${this.nextWindow++}`;
        this.pages.set(pageId, { id: pageId, windowId: window, client, alive: true });
        return { windowId: window, leaseMs: this.heartbeatMs * 3, heartbeatMs: this.heartbeatMs };
      }
      case 'page.heartbeat': {
        const { pageId, usage } = request as CallRequest<'page.heartbeat'>;
        const page = this.pages.get(pageId);
        if (!page?.alive || page.client !== client) return { accepted: false };
        this.usage.push(...(usage ?? []));
        return { accepted: true };
      }
      case 'page.detach': {
        const { pageId } = request as CallRequest<'page.detach'>;
        const known = this.pages.get(pageId)?.alive === true;
        this.declareGone(pageId);
        return { detached: known };
      }
      case 'session.acquire':
        return this.acquire(client, request as CallRequest<'session.acquire'>);
      case 'session.release': {
        const page = this.pageOf(client);
        const held = page && this.heldBy(page.windowId, (request as CallRequest<'session.release'>).tileId);
        // Back to the pool at once, before the next call is handled.
        if (held) held.lessee = undefined;
        return { released: held !== undefined };
      }
      case 'session.reportFailure': {
        const report = request as CallRequest<'session.reportFailure'>;
        const page = this.pageOf(client);
        const held = page && this.heldBy(page.windowId, report.tileId);
        if (!held || held.id !== report.sessionId) return { accepted: false };
        this.reports.push(report);
        return { accepted: true };
      }
      default:
        throw new WallApiError(appError('UnknownCall', `The fake main has no ${name}`));
    }
  }

  private acquire(client: FakeClient, request: CallRequest<'session.acquire'>): CallResponse<'session.acquire'> {
    const page = this.pageOf(client);
    if (!page) return { status: 'error', error: appError('PageNotAttached', 'Attach the page first.', { retryable: true }) };
    const tile = `${page.windowId}|${request.tileId}`;
    const stream = streamKey(request.stream);
    const spec = JSON.stringify(request.playback);
    const held = this.sessions.find((s) => s.lessee === tile);
    if (held && held.stream === stream && held.spec === spec) return { status: 'granted', grant: grantOf(held, request.playback) };
    if (held) held.lessee = undefined;
    if (this.missingStreams.has(stream)) return { status: 'error', error: appError('ResourceNotFoundException', `The stream ${request.stream.streamName} was not found.`) };
    const free = this.sessions
      .filter((s) => !s.lessee && s.stream === stream && s.spec === spec && (request.playback.mode !== 'LIVE_REPLAY' || s.lastLessee === tile))
      .sort((a, b) => Number(b.lastLessee === tile) - Number(a.lastLessee === tile));
    let session = free[0];
    if (!session) {
      if (this.sessions.filter((s) => s.stream === stream).length >= this.limitPerStream) {
        return { status: 'waiting', until: 1_700_000_000_000, reason: `${this.limitPerStream} of ${this.limitPerStream} sessions on this camera are in use` };
      }
      this.sessionsCreated += 1;
      session = { id: `s${this.sessionsCreated}`, stream, spec };
      this.sessions.push(session);
    }
    session.lessee = tile;
    session.lastLessee = tile;
    return { status: 'granted', grant: grantOf(session, request.playback) };
  }
}

function streamKey(s: StreamRef): string {
  return `${s.accountId}/${s.streamName}`;
}

function grantOf(session: Session, playback: Playback): Grant {
  return { sessionId: session.id, url: `https://kvs.example/dash/v1/getDASHManifest.mpd?SessionToken=${session.id}`, issuedAt: 1_699_999_000_000, expiresAt: 1_700_000_000_000, playback };
}

/** One page's connection to the fake main: a `WallApi` plus the transport's reconnect hook. */
export class FakeClient implements WallApi {
  connected = true;
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(
    private readonly main: FakeMain,
    readonly id: number,
  ) {}

  async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
    if (!this.connected) {
      await Promise.resolve();
      throw new WallApiError(appError('NetworkError', 'The connection to KVS Wall dropped before the call was sent.', { retryable: true }));
    }
    const answer = this.main.handle(this, name, request);
    await Promise.resolve();
    return answer as CallResponse<N>;
  }

  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) (listener as (p: EventPayload<E>) => void)(payload);
  }

  listenerCount(name: EventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  onReconnected = (listener: () => void): (() => void) => {
    this.reconnectListeners.add(listener);
    return () => void this.reconnectListeners.delete(listener);
  };

  /** This fake's drops and reconnects are told through `onReconnected`; nothing here watches the link itself. */
  onConnectionChange = (): (() => void) => () => undefined;

  /** The socket drops: main treats the page on it as gone (its tiles' sessions return to the pool). */
  drop(): void {
    this.connected = false;
    const page = this.main.pageOf(this);
    if (page) this.main.declareGone(page.id);
  }

  /** The socket is back. */
  reconnect(): void {
    this.connected = true;
    for (const listener of [...this.reconnectListeners]) listener();
  }
}
