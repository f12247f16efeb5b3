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
  /** Active DASH sessions per stream before the oldest is revoked. */
  limit?: number;
  burst?: number;
  intervalMs?: number;
  /** Round-trip time of one call; half before KVS acts on it, half after. */
  latencyMs?: () => number;
}

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
  readonly stats = {
    brokerCalls: 0,
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
    this.limit = options.limit ?? 10;
    this.burst = options.burst ?? 5;
    this.intervalMs = options.intervalMs ?? 1000;
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

  private async call(owner: Owner, stream: StreamRef, _playback: Playback, expiresSeconds: number): Promise<{ url: string }> {
    const latency = this.latencyMs();
    await this.wait(latency / 2);
    let outcome: { url: string } | AppFailure;
    try {
      outcome = this.act(owner, stream, expiresSeconds);
    } catch (err) {
      if (!(err instanceof AppFailure)) throw err;
      outcome = err;
    }
    await this.wait(latency / 2);
    if (outcome instanceof AppFailure) throw outcome;
    return outcome;
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
      throw new AppFailure(appError('ClientLimitExceededException', 'Too many session requests for this stream.', { retryable: true }));
    }
    const injected = owner === 'broker' ? this.injected.get(key)?.shift() : undefined;
    if (injected) throw new AppFailure(appError(injected.code, `Injected ${injected.code}.`, { retryable: injected.retryable }));
    if (this.offline.has(key)) {
      throw new AppFailure(appError('ResourceNotFoundException', 'No fragments in the last 30 seconds.', { retryable: true }));
    }
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 300 || expiresSeconds > 43200) {
      throw new AppFailure(appError('InvalidArgumentException', `Expires ${expiresSeconds} is outside 300–43200.`));
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
