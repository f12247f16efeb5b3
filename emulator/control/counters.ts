import type { Points } from '../quotas/point-costs';
import type { QuotaMeter, QuotaName } from '../quotas/quotas';
import type { RequestKind } from '../request-kinds';

export interface RequestCounters {
  /** Requests received, by kind, whatever their outcome. */
  requests: Partial<Record<RequestKind, number>>;
  /** Requests answered with an error, by kind. */
  errors: Partial<Record<RequestKind, number>>;
  /** The same errors by kind and exception name. */
  errorTypes: Partial<Record<RequestKind, Record<string, number>>>;
  /**
   * Quota points spent per stream by the requests admitted (refused ones spend nothing), priced as
   * AWS's current quota page prices them. Counted in both quota models; enforced only in `points`.
   */
  points: Record<string, { media: number; metadata: number }>;
  /** Requests refused by a quota, per stream and by the quota that refused them (ListStreams has no stream and is not here). */
  throttled: Record<string, Partial<Record<QuotaName, number>>>;
  /** DASH sessions created per stream. */
  sessionsCreated: Record<string, number>;
  /** Answers lost on purpose by the loseAnswer fault, by kind: the request was handled, the client got nothing. */
  lostAnswers: Partial<Record<RequestKind, number>>;
  /** Body bytes of the media GETs answered (manifests, init and media fragments, images), by kind. */
  bytesServed: Partial<Record<RequestKind, number>>;
}

const empty = (): RequestCounters => ({ requests: {}, errors: {}, errorTypes: {}, points: {}, throttled: {}, sessionsCreated: {}, lostAnswers: {}, bytesServed: {} });

/** What the emulator counts for tests and people, since start or the last reset. */
export class Counters implements QuotaMeter {
  private data = empty();

  request(kind: RequestKind): void {
    this.data.requests[kind] = (this.data.requests[kind] ?? 0) + 1;
  }

  error(kind: RequestKind, name: string): void {
    this.data.errors[kind] = (this.data.errors[kind] ?? 0) + 1;
    const byType = (this.data.errorTypes[kind] ??= {});
    byType[name] = (byType[name] ?? 0) + 1;
  }

  pointsSpent(stream: string, points: Points): void {
    const spent = (this.data.points[stream] ??= { media: 0, metadata: 0 });
    spent.media += points.media;
    spent.metadata += points.metadata;
  }

  throttled(stream: string | undefined, quota: QuotaName): void {
    if (stream === undefined) return;
    const byQuota = (this.data.throttled[stream] ??= {});
    byQuota[quota] = (byQuota[quota] ?? 0) + 1;
  }

  sessionCreated(stream: string): void {
    this.data.sessionsCreated[stream] = (this.data.sessionsCreated[stream] ?? 0) + 1;
  }

  answerLost(kind: RequestKind): void {
    this.data.lostAnswers[kind] = (this.data.lostAnswers[kind] ?? 0) + 1;
  }

  bytesServed(kind: RequestKind, bytes: number): void {
    this.data.bytesServed[kind] = (this.data.bytesServed[kind] ?? 0) + bytes;
  }

  snapshot(): RequestCounters {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = empty();
  }
}
