import { KvsError, throttled } from '../errors';
import type { Points } from './point-costs';
import { RATE_SCOPES, type QuotaModel, type Rate, type RateQuota } from './quota-models';
import { TokenBucket } from './token-bucket';

export type PointBudget = 'mediaPoints' | 'metadataPoints';
/** Every quota a request can be refused by. */
export type QuotaName = RateQuota | PointBudget;

/** What one request is subject to. */
export interface QuotaRequest {
  /** The API as AWS names it, for the error message. */
  readonly api: string;
  /** The stream the request concerns: per-stream rates and the point budgets count against it. */
  readonly stream?: string;
  /** The DASH session's token, for per-session rates. */
  readonly session?: string;
  readonly rate?: RateQuota;
  readonly points?: Points;
}

/** Where admitted points and refusals are counted (the emulator's counters). */
export interface QuotaMeter {
  pointsSpent(stream: string, points: Points): void;
  throttled(stream: string | undefined, quota: QuotaName): void;
}

interface Check {
  readonly quota: QuotaName;
  readonly bucket: TokenBucket;
  readonly cost: number;
}

/** KVS's wording for a throttled call (seen for GetDataEndpoint); the point-budget wording is not documented. */
function refusal(quota: QuotaName, request: QuotaRequest, rate: Rate, status: number | undefined): KvsError {
  if (quota === 'mediaPoints' || quota === 'metadataPoints') {
    const budget = quota === 'mediaPoints' ? 'fragment-media' : 'fragment-metadata';
    return throttled(`${request.api} for stream '${request.stream ?? ''}': its ${budget} points (${rate.ratePerSecond} per second, shared by every session and archived-media API of the stream)`, status);
  }
  const scope = RATE_SCOPES[quota];
  const resource = scope === 'stream' ? ` for resource '${request.stream ?? ''}'` : scope === 'session' ? ' for this session' : '';
  return throttled(`${request.api}${resource}: its rate of ${rate.ratePerSecond} requests per second`, status);
}

/**
 * The quota model's buckets, keyed by (quota, subject). A request is admitted against all its quotas
 * at once or not at all, so a refused request spends nothing. Full buckets are dropped by `prune`,
 * so memory follows current load only.
 */
export class QuotaBook {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly model: QuotaModel,
    private readonly meter: QuotaMeter,
    private readonly enforced = true,
  ) {}

  /** Admits the request or throws ClientLimitExceededException (with `status`, default 400). */
  require(request: QuotaRequest, nowMs: number, status?: number): void {
    const checks = this.enforced ? this.checksFor(request, nowMs) : [];
    const refused = checks.find((c) => !c.bucket.canTake(nowMs, c.cost));
    if (refused) {
      this.meter.throttled(request.stream, refused.quota);
      throw refusal(refused.quota, request, this.rateOf(refused.quota), status);
    }
    for (const c of checks) c.bucket.take(nowMs, c.cost);
    if (request.stream !== undefined && request.points) this.meter.pointsSpent(request.stream, request.points);
  }

  prune(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(nowMs)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private rateOf(quota: QuotaName): Rate {
    const points = this.model.points;
    if (quota === 'mediaPoints' || quota === 'metadataPoints') {
      if (!points) throw new Error(`quota model '${this.model.name}' has no point budgets`);
      return quota === 'mediaPoints' ? points.media : points.metadata;
    }
    const rate = this.model.rates[quota];
    if (!rate) throw new Error(`quota model '${this.model.name}' has no rate for ${quota}`);
    return rate;
  }

  private checksFor(request: QuotaRequest, nowMs: number): Check[] {
    const checks: Check[] = [];
    if (request.rate && this.model.rates[request.rate]) {
      checks.push({ quota: request.rate, bucket: this.bucket(request.rate, this.subject(request.rate, request), nowMs), cost: 1 });
    }
    const { points } = request;
    if (this.model.points && points && request.stream !== undefined) {
      if (points.media > 0) checks.push({ quota: 'mediaPoints', bucket: this.bucket('mediaPoints', request.stream, nowMs), cost: points.media });
      if (points.metadata > 0) checks.push({ quota: 'metadataPoints', bucket: this.bucket('metadataPoints', request.stream, nowMs), cost: points.metadata });
    }
    return checks;
  }

  private subject(quota: RateQuota, request: QuotaRequest): string {
    const scope = RATE_SCOPES[quota];
    const subject = scope === 'stream' ? request.stream : scope === 'session' ? request.session : 'account';
    if (subject === undefined) throw new Error(`${request.api}: the ${quota} quota is counted per ${scope}, but none was given`);
    return subject;
  }

  private bucket(quota: QuotaName, subject: string, nowMs: number): TokenBucket {
    const key = `${quota}\u0000${subject}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { capacity, ratePerSecond } = this.rateOf(quota);
      bucket = new TokenBucket(capacity, ratePerSecond, nowMs);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
