import { appError } from '../../shared/errors';
import type { CredentialStatus } from '../../shared/model';
import { AppFailure } from '../core/app-failure';
import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import { exponentialDelay } from '../sessions/backoff';
import type { CredentialProblem } from './credential-problems';
import type { AwsCredentials, CredentialsProvider } from './credentials';

export interface RenewingCredentialsOptions {
  accountId: string;
  /** Obtains credentials once (keychain + STS, an AWS SDK provider, …). */
  resolve: () => Promise<AwsCredentials>;
  /** Names a failure of `resolve`, or AWS refusing credentials in use. */
  describe: (err: unknown) => CredentialProblem;
  clock: Clock;
  logger: Logger;
  onStatus: (status: CredentialStatus) => void;
  /** The longest lead before expiry at which temporary credentials are renewed (default 5 minutes). */
  maxLeadMs?: number;
  /** Backoff for failures that may pass on their own. */
  transientRetry?: { baseMs: number; capMs: number };
  /** How often to try again by itself while a person must act (they may fix it and not press Retry). */
  actionRetryMs?: number;
  random?: () => number;
}

export interface RenewingCredentials {
  /** What AWS SDK clients call: current credentials, renewed ahead of expiry. */
  readonly provider: CredentialsProvider;
  status(): CredentialStatus | undefined;
  /** Try again now, whatever the schedule; resolves with the status after the attempt. */
  retryNow(): Promise<CredentialStatus>;
  /** AWS refused the credentials in use (expired, unknown): renew at once, or say so when they can't renew. */
  rejected(err: unknown): void;
  /** Stops timers; later calls fail. */
  dispose(): void;
}

export const DEFAULT_MAX_LEAD_MS = 5 * 60_000;
const DEFAULT_TRANSIENT = { baseMs: 5_000, capMs: 60_000 };
const DEFAULT_ACTION_RETRY_MS = 60_000;
const MIN_RETRY_MS = 1_000;

interface Held {
  credentials: AwsCredentials;
  obtainedAt: number;
  /** Epoch ms; Infinity for long-term credentials. */
  expiresAt: number;
  /** When to start renewing. */
  renewAt: number;
}

/**
 * Credentials for one account that renew themselves before they expire, without anyone noticing:
 * callers keep getting the current ones while a renewal runs, and a failed renewal keeps the current
 * ones in use until they really expire (so tiles keep playing through an STS or SSO hiccup). Short-lived
 * credentials (a test's 15-second role) renew at two thirds of their life, others 5 minutes ahead.
 *
 * Failures are named once (`describe`) and published as a status; while nothing usable is held,
 * callers get that failure at once instead of each starting another attempt, and attempts happen on a
 * schedule (backoff for transient failures, every minute while a person must act) or on `retryNow`.
 */
export function createRenewingCredentials(options: RenewingCredentialsOptions): RenewingCredentials {
  const maxLead = options.maxLeadMs ?? DEFAULT_MAX_LEAD_MS;
  const transient = options.transientRetry ?? DEFAULT_TRANSIENT;
  const actionRetry = options.actionRetryMs ?? DEFAULT_ACTION_RETRY_MS;
  const random = options.random ?? Math.random;
  const { clock } = options;

  let held: Held | undefined;
  let inFlight: Promise<AwsCredentials> | undefined;
  let failure: { error: AppFailure; retryAt: number } | undefined;
  let failures = 0;
  let timer: TimerHandle | undefined;
  let current: CredentialStatus | undefined;
  let disposed = false;

  const usable = (h: Held | undefined, now: number): h is Held => h !== undefined && h.expiresAt > now;

  function publish(next: CredentialStatus): void {
    const before = current;
    current = next;
    const changed =
      !before ||
      before.state !== next.state ||
      before.error?.code !== next.error?.code ||
      before.expiresAt !== next.expiresAt ||
      before.action !== next.action;
    if (changed) options.onStatus(next);
  }

  function schedule(at: number): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    if (disposed || !Number.isFinite(at)) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      void attempt().catch(() => undefined);
    }, Math.max(0, at - clock.now()));
  }

  function hold(credentials: AwsCredentials, now: number): Held {
    const expiresAt = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    const lifetime = expiresAt - now;
    const lead = Number.isFinite(lifetime) ? Math.min(maxLead, Math.max(0, lifetime / 3)) : 0;
    return {
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
        ...(credentials.expiration ? { expiration: credentials.expiration } : {}),
      },
      obtainedAt: now,
      expiresAt,
      renewAt: expiresAt - lead,
    };
  }

  function attempt(): Promise<AwsCredentials> {
    if (disposed) return Promise.reject(new AppFailure(appError('AccountNotFound', 'That account no longer exists.')));
    inFlight ??= options
      .resolve()
      .then((credentials) => {
        const now = clock.now();
        const next = hold(credentials, now);
        if (next.expiresAt <= now) throw new AppFailure(appError('ExpiredToken', 'The credentials obtained had already expired.', { retryable: true }));
        held = next;
        failure = undefined;
        failures = 0;
        publish({ accountId: options.accountId, state: 'ok', ...(Number.isFinite(next.expiresAt) ? { expiresAt: next.expiresAt } : {}), checkedAt: now });
        schedule(next.renewAt);
        return next.credentials;
      })
      .catch((err: unknown) => {
        const now = clock.now();
        const problem = options.describe(err);
        failures++;
        const delay = problem.state === 'retrying' ? exponentialDelay(failures, transient.baseMs, transient.capMs, random) : actionRetry;
        // While the current credentials last, try again before they run out (but never in a tight loop).
        const stillUsable = usable(held, now) ? held : undefined;
        const retryAt = Math.max(now + MIN_RETRY_MS, stillUsable ? Math.min(now + delay, stillUsable.expiresAt - MIN_RETRY_MS) : now + delay);
        const error = { ...problem.error, retryable: true, retryAt };
        failure = { error: new AppFailure(error), retryAt };
        options.logger.warn('account credentials could not be renewed', { accountId: options.accountId, code: error.code, state: problem.state, stillUsable: Boolean(stillUsable) });
        publish({
          accountId: options.accountId,
          state: problem.state,
          error,
          ...(problem.action ? { action: problem.action } : {}),
          ...(problem.command ? { command: problem.command } : {}),
          ...(stillUsable && Number.isFinite(stillUsable.expiresAt) ? { expiresAt: stillUsable.expiresAt } : {}),
          retryAt,
          checkedAt: now,
        });
        schedule(retryAt);
        throw failure.error;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  const provider: CredentialsProvider = async () => {
    const now = clock.now();
    if (usable(held, now)) {
      // Renewal runs behind the scenes; callers keep the current credentials meanwhile.
      if (now >= held.renewAt && !inFlight && !failure) void attempt().catch(() => undefined);
      return held.credentials;
    }
    if (inFlight) return inFlight;
    // A failure that is not due for another attempt is answered at once, not retried by every caller.
    if (failure && now < failure.retryAt) throw failure.error;
    return attempt();
  };

  return {
    provider,
    status: () => current,
    async retryNow() {
      failure = undefined;
      failures = 0;
      await (inFlight ?? attempt()).catch(() => undefined);
      return current ?? { accountId: options.accountId, state: 'ok', checkedAt: clock.now() };
    },
    rejected(err) {
      if (disposed) return;
      const now = clock.now();
      if (held && Number.isFinite(held.expiresAt)) {
        // Temporary credentials AWS no longer takes: renew now rather than at the planned time.
        held = undefined;
        failure = undefined;
        if (!inFlight) void attempt().catch(() => undefined);
        return;
      }
      // Long-term (or typed-in temporary) credentials can't renew themselves: a person must act.
      const problem = options.describe(err);
      const retryAt = now + actionRetry;
      const error = { ...problem.error, retryable: true, retryAt };
      held = undefined;
      failure = { error: new AppFailure(error), retryAt };
      publish({
        accountId: options.accountId,
        state: problem.state,
        error,
        ...(problem.action ? { action: problem.action } : {}),
        ...(problem.command ? { command: problem.command } : {}),
        retryAt,
        checkedAt: now,
      });
      schedule(retryAt);
    },
    dispose() {
      disposed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
