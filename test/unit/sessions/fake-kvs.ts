import { AppFailure } from '../../../main/core/app-failure';
import type { Clock } from '../../../main/core/clock';
import type { SessionIssuer } from '../../../main/sessions';
import { appError } from '../../../shared/errors';
import type { Playback, StreamRef } from '../../../shared/model';

export type Owner = 'broker' | 'other';

export interface KvsSession {
  token: string;
  stream: string;
  owner: Owner;
  createdAt: number;
  expiresAt: number;
  revokedAt?: number;
  revokedBy?: Owner;
}

export interface FakeKvsOptions {
  /**
   * `sessions` (default): the seed's rules — `limit` active sessions per stream (an extra one revokes
   * the oldest), GetDASHStreamingSessionURL 5/s burst and 1/s sustained. `points`: AWS's current rules
   * — no session cap, 25 session calls/s per stream, and the players' requests spend the stream's
   * 500 media and 10,000 metadata points a second (see `fetch`).
   */
  quotaModel?: 'sessions' | 'points';
  /** Active DASH sessions per stream before the oldest is revoked (`sessions` model). */
  limit?: number;
  burst?: number;
  intervalMs?: number;
  /** Round-trip time of one call; half before KVS acts on it, half after. */
  latencyMs?: () => number;
}

/** How long the issuer waits for an answer before giving up (the SDK client's request timeout). */
export const FAKE_REQUEST_TIMEOUT_MS = 15_000;
const STREAM_POINTS = { media: 500, metadata: 10_000 };

interface Bucket {
  tokens: number;
  at: number;
}

const keyOf = (s: StreamRef) => `${s.accountId}/${s.streamName}`;

/**
 * KVS as the broker meets it: per stream at most `limit` active sessions, an extra one revokes the
 * oldest, sessions can't be closed and expire after Expires; GetDASHStreamingSessionURL allows a
 * burst of 5 and 1/s sustained per stream and answers ClientLimitExceeded beyond that.
 */
export class FakeKvs {
  readonly issuer: SessionIssuer;
  /** KVS's answers as the issuer reports them; a test may wrap `issue`. */
  readonly stats = {
    brokerCalls: 0,
    /** Sessions KVS created for the app's calls (answered or not). */
    brokerSessions: 0,
    /** Calls whose session KVS created but whose answer was lost. */
    answersLost: 0,
    /** Player requests refused for lack of points (`points` model). */
    fetchesThrottled: 0,
    /** The most points spent on a stream in any one second (`points` model). */
    maxPointsPerSecond: new Map<string, { media: number; metadata: number }>(),
    otherCalls: 0,
    throttled: 0,
    /** A broker call revoked a broker session: the broker evicted itself. */
    selfEvictions: 0,
    /** Another viewer's call revoked a broker session. */
    evictedByOthers: 0,
    maxBrokerActive: new Map<string, number>(),
  };
  readonly brokerCallTimes: Array<{ at: number; stream: string }> = [];
  private readonly sessions = new Map<string, KvsSession>();
  private readonly active = new Map<string, KvsSession[]>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly injected = new Map<string, Array<{ code: string; retryable: boolean }>>();
  private readonly lostAnswers = new Map<string, Array<{ delayMs: number | 'never' }>>();
  private readonly pointsSpent = new Map<string, Array<{ at: number; media: number; metadata: number }>>();
  readonly quotaModel: 'sessions' | 'points';
  private readonly offline = new Set<string>();
  private readonly revokeListeners: Array<(s: KvsSession) => void> = [];
  private serial = 0;
  private readonly limit: number;
  private readonly burst: number;
  private readonly intervalMs: number;
  latencyMs: () => number;
  private readonly expiresAsked = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    options: FakeKvsOptions = {},
  ) {
    this.quotaModel = options.quotaModel ?? 'sessions';
    const points = this.quotaModel === 'points';
    this.limit = options.limit ?? (points ? Number.POSITIVE_INFINITY : 10);
    this.burst = options.burst ?? (points ? 25 : 5);
    this.intervalMs = options.intervalMs ?? (points ? 40 : 1000);
    this.latencyMs = options.latencyMs ?? (() => 200);
    this.issuer = { issue: (stream, playback, expires) => this.call('broker', stream, playback, expires) };
  }

  /** Another viewer (not this app) opens a session on the stream. */
  issueAsOther(stream: StreamRef, expiresSeconds = 300): Promise<{ url: string }> {
    return this.call('other', stream, { mode: 'LIVE' }, expiresSeconds);
  }

  /** The next `count` broker calls on the stream fail with `code`. */
  failNext(stream: StreamRef, code: string, count = 1, retryable = code === 'ClientLimitExceededException'): void {
    const list = this.injected.get(keyOf(stream)) ?? [];
    for (let i = 0; i < count; i++) list.push({ code, retryable });
    this.injected.set(keyOf(stream), list);
  }

  /**
   * KVS creates the session for the next `count` broker calls on the stream, but the answer is
   * lost (`never`: the issuer times out after its request timeout and reports an unknown outcome)
   * or arrives `delayMs` late.
   */
  loseAnswerNext(stream: StreamRef, count = 1, delayMs: number | 'never' = 'never'): void {
    const list = this.lostAnswers.get(keyOf(stream)) ?? [];
    for (let i = 0; i < count; i++) list.push({ delayMs });
    this.lostAnswers.set(keyOf(stream), list);
  }

  /**
   * A player's request on a session (`points` model): spends the stream's points, or is refused
   * with ClientLimitExceeded (false) when the stream's budget for the current second is spent.
   */
  fetch(url: string, kind: 'manifest' | 'init' | 'fragment', maxManifestFragmentResults = 5): boolean {
    const session = this.sessionOf(url);
    if (!session) return false;
    const cost = kind === 'manifest' ? { media: 0, metadata: maxManifestFragmentResults } : kind === 'fragment' ? { media: 1, metadata: 0 } : { media: 0, metadata: 0 };
    const now = this.clock.now();
    const list = (this.pointsSpent.get(session.stream) ?? []).filter((p) => p.at > now - 1000);
    const used = list.reduce((sum, p) => ({ media: sum.media + p.media, metadata: sum.metadata + p.metadata }), { media: 0, metadata: 0 });
    if (used.media + cost.media > STREAM_POINTS.media || used.metadata + cost.metadata > STREAM_POINTS.metadata) {
      this.stats.fetchesThrottled++;
      this.pointsSpent.set(session.stream, list);
      return false;
    }
    list.push({ at: now, ...cost });
    this.pointsSpent.set(session.stream, list);
    const max = this.stats.maxPointsPerSecond.get(session.stream) ?? { media: 0, metadata: 0 };
    this.stats.maxPointsPerSecond.set(session.stream, { media: Math.max(max.media, used.media + cost.media), metadata: Math.max(max.metadata, used.metadata + cost.metadata) });
    return true;
  }

  setOffline(stream: StreamRef, offline: boolean): void {
    if (offline) this.offline.add(keyOf(stream));
    else this.offline.delete(keyOf(stream));
  }

  onRevoke(listener: (s: KvsSession) => void): void {
    this.revokeListeners.push(listener);
  }

  sessionOf(url: string): KvsSession | undefined {
    const token = new URL(url).searchParams.get('SessionToken');
    return token ? this.sessions.get(token) : undefined;
  }

  /** Whether a player holding this URL could still fetch with it. */
  isActive(url: string): boolean {
    const s = this.sessionOf(url);
    return s !== undefined && s.revokedAt === undefined && this.clock.now() < s.expiresAt;
  }

  /** How often each Expires value was asked for. */
  expiresHistogram(): Array<[number, number]> {
    return [...this.expiresAsked].sort((a, b) => a[0] - b[0]);
  }

  activeCount(stream: StreamRef, owner?: Owner): number {
    return this.activeOn(keyOf(stream)).filter((s) => owner === undefined || s.owner === owner).length;
  }

  private async call(owner: Owner, stream: StreamRef, playback: Playback, expiresSeconds: number): Promise<{ url: string; maxManifestFragmentResults: number }> {
    const latency = this.latencyMs();
    await this.wait(latency / 2);
    let outcome: { url: string } | AppFailure;
    try {
      outcome = this.act(owner, stream, expiresSeconds);
    } catch (err) {
      if (!(err instanceof AppFailure)) throw err;
      outcome = err;
    }
    const lost = owner === 'broker' && !(outcome instanceof AppFailure) ? this.lostAnswers.get(keyOf(stream))?.shift() : undefined;
    if (lost) {
      this.stats.answersLost++;
      if (lost.delayMs === 'never' || lost.delayMs + latency / 2 >= FAKE_REQUEST_TIMEOUT_MS) {
        await this.wait(FAKE_REQUEST_TIMEOUT_MS - latency / 2);
        // What the issuer reports for a request that was sent but never answered.
        throw new AppFailure(appError('NetworkError', 'The endpoint did not answer in time.', { retryable: true }), { effect: 'unknown' });
      }
      await this.wait(lost.delayMs);
    }
    await this.wait(latency / 2);
    if (outcome instanceof AppFailure) throw outcome;
    return { ...outcome, maxManifestFragmentResults: playback.mode === 'ON_DEMAND' ? 1000 : 5 };
  }

  private act(owner: Owner, stream: StreamRef, expiresSeconds: number): { url: string } {
    const key = keyOf(stream);
    const now = this.clock.now();
    if (owner === 'broker') {
      this.stats.brokerCalls++;
      this.brokerCallTimes.push({ at: now, stream: key });
    } else this.stats.otherCalls++;

    if (!this.takeToken(key, now)) {
      this.stats.throttled++;
      throw new AppFailure(appError('ClientLimitExceededException', 'Too many session requests for this stream.', { retryable: true }), { effect: 'none' });
    }
    const injected = owner === 'broker' ? this.injected.get(key)?.shift() : undefined;
    if (injected) {
      // A 5xx may have created a session (it didn't here); anything else is KVS refusing.
      const effect = injected.code === 'ServiceUnavailable' || injected.code === 'Internal' ? 'unknown' : 'none';
      throw new AppFailure(appError(injected.code, `Injected ${injected.code}.`, { retryable: injected.retryable }), { effect });
    }
    if (this.offline.has(key)) {
      throw new AppFailure(appError('ResourceNotFoundException', 'No fragments in the last 30 seconds.', { retryable: true }), { effect: 'none' });
    }
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 300 || expiresSeconds > 43200) {
      throw new AppFailure(appError('InvalidArgumentException', `Expires ${expiresSeconds} is outside 300–43200.`), { effect: 'none' });
    }

    const list = this.activeOn(key);
    if (list.length >= this.limit) {
      const oldest = list.shift();
      if (oldest) {
        oldest.revokedAt = now;
        oldest.revokedBy = owner;
        if (oldest.owner === 'broker' && owner === 'broker') this.stats.selfEvictions++;
        if (oldest.owner === 'broker' && owner === 'other') this.stats.evictedByOthers++;
        for (const l of this.revokeListeners) l(oldest);
      }
    }
    this.expiresAsked.set(expiresSeconds, (this.expiresAsked.get(expiresSeconds) ?? 0) + 1);
    if (owner === 'broker') this.stats.brokerSessions++;
    const token = `Ci${(++this.serial).toString(36)}x${now.toString(36)}~`;
    const session: KvsSession = { token, stream: key, owner, createdAt: now, expiresAt: now + expiresSeconds * 1000 };
    this.sessions.set(token, session);
    list.push(session);
    const ours = list.filter((s) => s.owner === 'broker').length;
    this.stats.maxBrokerActive.set(key, Math.max(this.stats.maxBrokerActive.get(key) ?? 0, ours));
    return { url: `https://b-0a1b2c3d.kinesisvideo.us-east-1.amazonaws.com/dash/v1/getDASHManifest.mpd?SessionToken=${token}` };
  }

  private activeOn(key: string): KvsSession[] {
    const now = this.clock.now();
    const list = (this.active.get(key) ?? []).filter((s) => s.revokedAt === undefined && now < s.expiresAt);
    this.active.set(key, list);
    return list;
  }

  private takeToken(key: string, now: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) / this.intervalMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, Math.round(ms)));
  }
}
