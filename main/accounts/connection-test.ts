import { DescribeStreamCommand, GetDataEndpointCommand, ListStreamsCommand, ListTagsForStreamCommand } from '@aws-sdk/client-kinesis-video';
import { GetClipCommand, GetImagesCommand, ListFragmentsCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { appError, type AppError } from '../../shared/errors';
import type { ConnectionCheck, ConnectionCheckId, ConnectionReport, StreamRef } from '../../shared/model';
import { isAppFailure } from '../core/app-failure';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { createArchivedClient, createControlClient, type ClientTuning } from '../kvs/client-config';
import { toAppError, type AwsOperation } from '../kvs/errors';
import type { AccountConnection } from './connection';
import type { CredentialProblem } from './credential-problems';
import { iamPolicy } from './iam-policy';
import { errorCode, systemNetworkProbe, type NetworkProbe } from './network-probe';

export interface ConnectionTestTarget {
  connection: AccountConnection;
  /** Turns a failure to obtain the credentials into what to do about it. */
  describeCredentials: (err: unknown) => CredentialProblem;
  /**
   * A stored account: the DASH permission is checked by creating a real session through the session
   * service (so it is counted, and reused). Drafts skip that check rather than spend a session unseen.
   */
  stored: boolean;
}

export interface ConnectionTestDeps {
  clock: Clock;
  logger: Logger;
  /** Creates (and releases) one LIVE session; rejects with an AppFailure when refused. */
  probeSession?: (ref: StreamRef) => Promise<void>;
  network?: NetworkProbe;
  tuning?: ClientTuning;
}

/** One attempt, short timeouts: the form answers quickly and says exactly what failed. */
export const TEST_TUNING: ClientTuning = { maxAttempts: 1, connectionTimeoutMs: 5_000, requestTimeoutMs: 10_000 };
const TEST_PAGE_SIZE = 100;

const LABELS: Record<ConnectionCheckId, string> = {
  network: 'Network reachability',
  region: 'Region',
  identity: 'Credentials (STS GetCallerIdentity)',
  ListStreams: 'List streams (kinesisvideo:ListStreams)',
  DescribeStream: 'Describe a stream (kinesisvideo:DescribeStream)',
  GetDataEndpoint: 'Data endpoint (kinesisvideo:GetDataEndpoint)',
  GetDASHStreamingSessionURL: 'Live view (kinesisvideo:GetDASHStreamingSessionURL)',
  ListFragments: 'Timeline (kinesisvideo:ListFragments)',
  GetClip: 'Clip export (kinesisvideo:GetClip)',
  GetImages: 'Thumbnails (kinesisvideo:GetImages)',
  ListTagsForStream: 'Camera groups by tag (kinesisvideo:ListTagsForStream)',
};
const OPTIONAL = new Set<ConnectionCheckId>(['ListTagsForStream']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'NotAuthorizedException', 'UnauthorizedOperation']);
/** A probe aimed at an empty time range is refused for the range, which proves the permission was granted. */
const ANSWERED_PAST_PERMISSION = new Set(['ResourceNotFoundException', 'InvalidArgumentException', 'NoDataRetentionException']);

/**
 * Test connection: asks, in order, whether the network reaches the endpoint, whether the region is
 * right, who the credentials are (GetCallerIdentity), then tries every permission KVS Wall uses on one
 * stream, and reports each with ✔/✘ and the first real cause. Never throws.
 */
export async function runConnectionTest(target: ConnectionTestTarget, deps: ConnectionTestDeps): Promise<ConnectionReport> {
  const { connection } = target;
  const network = deps.network ?? systemNetworkProbe;
  const tuning = { ...TEST_TUNING, ...deps.tuning };
  const checks = new Map<ConnectionCheckId, ConnectionCheck>();
  const report: Omit<ConnectionReport, 'ok' | 'checks' | 'policy'> = {};
  const context = (operation: AwsOperation) => ({ operation, region: connection.region, endpoint: connection.endpoint, now: deps.clock.now() });

  const set = (check: ConnectionCheckId, status: ConnectionCheck['status'], detail?: string, error?: AppError) =>
    checks.set(check, { check, label: LABELS[check], status, required: !OPTIONAL.has(check), ...(detail ? { detail } : {}), ...(error ? { error } : {}) });
  const skipRest = (reason: string) => {
    for (const id of Object.keys(LABELS) as ConnectionCheckId[]) if (!checks.has(id)) set(id, 'skipped', reason);
  };
  const finish = (): ConnectionReport => {
    skipRest('Not checked.');
    const ordered = (Object.keys(LABELS) as ConnectionCheckId[]).map((id) => checks.get(id)!);
    const failed = ordered.find((c) => c.required && c.status === 'failed');
    const out: ConnectionReport = {
      ...report,
      ok: failed === undefined,
      ...(failed?.error ? { cause: failed.error } : {}),
      checks: ordered,
      policy: iamPolicy({ region: connection.region, ...(report.identity ? { account: report.identity.account } : {}) }),
    };
    deps.logger.info('connection test', { accountId: connection.accountId, ok: out.ok, cause: failed?.check, code: failed?.error?.code });
    return out;
  };

  // 1–2. Network, then region: for AWS the regional host must exist; for a custom endpoint it must accept a connection.
  if (!(await checkNetworkAndRegion(connection, network, set))) {
    skipRest('Not checked: the network step failed.');
    return finish();
  }

  // 3. Who the credentials are.
  try {
    await connection.credentials();
  } catch (err) {
    const problem = target.describeCredentials(err);
    const error = { ...problem.error, message: `${problem.error.message}${problem.action ? ` ${problem.action}` : ''}` };
    if (!checks.has('region')) set('region', 'skipped', 'Not checked: no request could be signed without credentials.');
    set('identity', 'failed', error.message, error);
    skipRest('Not checked: the credentials could not be obtained.');
    return finish();
  }
  let anySigned = false;
  const sts = new STSClient({
    region: connection.region,
    credentials: connection.credentials,
    maxAttempts: tuning.maxAttempts,
    requestHandler: { connectionTimeout: tuning.connectionTimeoutMs, requestTimeout: tuning.requestTimeoutMs },
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
  });
  try {
    const who = await sts.send(new GetCallerIdentityCommand({}));
    anySigned = true;
    if (who.Account && who.Arn) report.identity = { account: who.Account.slice(0, 32), arn: who.Arn.slice(0, 2048) };
    set('identity', 'passed', who.Arn ? `Signed in as ${who.Arn}.` : 'AWS accepted the credentials.');
  } catch (err) {
    const error = toAppError(err, context('GetCallerIdentity'));
    if (error.field === 'region') {
      set('region', 'failed', error.message, error);
      skipRest('Not checked: the region is wrong.');
      return finish();
    }
    if (error.code === 'UnknownOperationException' || notOffered(err)) {
      set('identity', 'unsupported', `Not checked: ${hostOf(connection)} does not offer STS GetCallerIdentity; the next steps check the credentials.`);
    } else {
      set('identity', 'failed', error.message, error);
      skipRest('Not checked: the credentials were refused.');
      return finish();
    }
  } finally {
    sts.destroy();
  }

  // 4. The account's streams.
  const control = createControlClient(connection, tuning);
  let stream: { name: string; createdAt?: number } | undefined;
  try {
    try {
      const out = await control.send(new ListStreamsCommand({ MaxResults: TEST_PAGE_SIZE }));
      anySigned = true;
      const list = Array.isArray(out.StreamInfoList) ? out.StreamInfoList : [];
      report.streamCount = list.length;
      report.truncated = typeof out.NextToken === 'string' && out.NextToken.length > 0;
      const active = list.filter((s) => s.Status === undefined || s.Status === 'ACTIVE');
      const pick = active.find((s) => (s.DataRetentionInHours ?? 0) > 0) ?? active[0];
      if (pick?.StreamName) {
        stream = { name: pick.StreamName, ...(pick.CreationTime instanceof Date ? { createdAt: pick.CreationTime.getTime() } : {}) };
        report.stream = pick.StreamName;
      }
      set('ListStreams', 'passed', `${list.length}${report.truncated ? '+' : ''} stream${list.length === 1 ? '' : 's'}.`);
    } catch (err) {
      const error = toAppError(err, context('ListStreams'));
      if (error.field === 'region') set('region', 'failed', error.message, error);
      else set('ListStreams', 'failed', error.message, error);
    }
    finishRegion(connection, checks, set, anySigned);
    if (checks.get('region')?.status === 'failed' || checks.get('ListStreams')?.status === 'failed') {
      skipRest('Not checked: the streams could not be listed.');
      return finish();
    }
    if (!stream) {
      skipRest('Not checked: the account has no active stream to check the per-stream permissions on.');
      return finish();
    }
    await checkStream(stream, target, deps, control, set, context);
  } finally {
    control.destroy();
  }
  return finish();
}

type SetCheck = (check: ConnectionCheckId, status: ConnectionCheck['status'], detail?: string, error?: AppError) => void;

function hostOf(connection: AccountConnection): string {
  if (!connection.endpoint) return `AWS in ${connection.region}`;
  try {
    return new URL(connection.endpoint).host;
  } catch {
    return 'the endpoint';
  }
}

/** For AWS: the regional KVS host must resolve; when it doesn't, a host that always exists tells "no network" from "no such service". */
async function checkNetworkAndRegion(connection: AccountConnection, network: NetworkProbe, set: SetCheck): Promise<boolean> {
  if (connection.endpoint) {
    let url: URL;
    try {
      url = new URL(connection.endpoint);
    } catch {
      const error = appError('InvalidRequest', 'The custom endpoint is not a URL.', { field: 'endpoint' });
      set('network', 'failed', error.message, error);
      return false;
    }
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    try {
      await network.reach(host, port);
      set('network', 'passed', `${url.host} accepts connections.`);
      return true;
    } catch (err) {
      const error = networkError(errorCode(err), `The endpoint ${url.host}`, { field: 'endpoint' });
      set('network', 'failed', error.message, error);
      return false;
    }
  }
  const suffix = connection.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const regional = `kinesisvideo.${connection.region}.${suffix}`;
  try {
    await network.resolve(regional);
  } catch (err) {
    const code = errorCode(err);
    // A host every working network resolves: if it fails too, the network is the problem, not the region.
    const always = connection.region.startsWith('cn-') ? 'sts.cn-north-1.amazonaws.com.cn' : 'sts.amazonaws.com';
    const networkWorks = await network.resolve(always).then(
      () => true,
      () => false,
    );
    if (!networkWorks || code === 'EAI_AGAIN') {
      const error = appError('NetworkError', `This computer can't reach AWS: looking up ${regional} failed (${code ?? 'DNS error'}) and so did ${always}. There is no network connection or no working DNS.`, { retryable: true });
      set('network', 'failed', error.message, error);
      return false;
    }
    set('network', 'passed', `AWS is reachable (${always} resolves).`);
    const error = appError('UnknownRegion', `Kinesis Video Streams is not offered in region ${connection.region}: ${regional} does not exist. Check the region.`, { field: 'region' });
    set('region', 'failed', error.message, error);
    return false;
  }
  try {
    await network.reach(regional, 443);
  } catch (err) {
    const error = networkError(errorCode(err), `AWS (${regional})`);
    set('network', 'failed', error.message, error);
    return false;
  }
  set('network', 'passed', `${regional} accepts connections.`);
  set('region', 'passed', `Kinesis Video Streams answers in ${connection.region}.`);
  return true;
}

function networkError(code: string | undefined, target: string, extra: { field?: string } = {}): AppError {
  switch (code) {
    case 'ECONNREFUSED':
      return appError('NetworkError', `${target} refused the connection (nothing is listening there). Check the endpoint, or whether the service is running.`, { retryable: true, ...extra });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return appError('NetworkError', `${target} could not be looked up (${code}). Check the address and the network connection.`, { retryable: true, ...extra });
    case 'ETIMEDOUT':
      return appError('NetworkError', `${target} did not answer within 5 seconds. Check the network connection and any firewall.`, { retryable: true, ...extra });
    default:
      return appError('NetworkError', `The network connection to ${target} failed (${code ?? 'unknown error'}).`, { retryable: true, ...extra });
  }
}

/** With a custom endpoint the region is only known once the endpoint accepted a request signed for it. */
function finishRegion(connection: AccountConnection, checks: Map<ConnectionCheckId, ConnectionCheck>, set: SetCheck, anySigned: boolean): void {
  if (checks.has('region')) return;
  if (anySigned) set('region', 'passed', `${hostOf(connection)} accepts requests signed for ${connection.region}.`);
  else set('region', 'skipped', 'Not checked: no request was accepted, so the region could not be confirmed.');
}

async function checkStream(
  stream: { name: string; createdAt?: number },
  target: ConnectionTestTarget,
  deps: ConnectionTestDeps,
  control: ReturnType<typeof createControlClient>,
  set: SetCheck,
  context: (operation: AwsOperation) => { operation: AwsOperation; region: string; endpoint?: string; now: number },
): Promise<void> {
  const { connection } = target;
  const tuning = { ...TEST_TUNING, ...deps.tuning };
  const on = `on ${stream.name}`;

  /**
   * Runs one permission probe; any answer from the service other than "denied" proves the permission.
   * Throttling (the wall may be using the same stream's quota right now) is waited out once.
   */
  async function probe(check: ConnectionCheckId, operation: AwsOperation, run: () => Promise<string>): Promise<boolean> {
    try {
      set(check, 'passed', await retryOnceIfThrottled(run, deps.clock));
      return true;
    } catch (err) {
      const error = toAppError(err, context(operation));
      if (error.code === 'UnknownOperationException' || notOffered(err)) {
        set(check, 'unsupported', `Not checked: ${hostOf(connection)} does not offer ${operation}.`);
        return false;
      }
      if (!DENIED.has(error.code) && ANSWERED_PAST_PERMISSION.has(error.code)) {
        set(check, 'passed', `Permitted ${on} (AWS answered ${error.code} for the deliberately empty time range).`);
        return true;
      }
      set(check, 'failed', error.message, error);
      return false;
    }
  }

  await probe('DescribeStream', 'DescribeStream', async () => {
    const out = await control.send(new DescribeStreamCommand({ StreamName: stream.name }));
    return `${stream.name} is ${out.StreamInfo?.Status?.toLowerCase() ?? 'described'}.`;
  });

  // One GetDataEndpoint call: KVS serves every archived-media API of a stream from the same data
  // endpoint, and the call's quota (5 per second per stream) is shared with the wall's own lookups.
  let dataEndpoint: string | undefined;
  const haveEndpoint = await probe('GetDataEndpoint', 'GetDataEndpoint', async () => {
    const out = await control.send(new GetDataEndpointCommand({ StreamName: stream.name, APIName: 'GET_DASH_STREAMING_SESSION_URL' }));
    if (!out.DataEndpoint) throw Object.assign(new Error('GetDataEndpoint answered without an endpoint'), { name: 'ServiceUnavailable' });
    dataEndpoint = out.DataEndpoint;
    return `Data endpoint for ${stream.name}: ${safeHost(out.DataEndpoint)}.`;
  });

  // The DASH permission: a real session, created through the session service so it is counted (and reused).
  if (!target.stored) {
    set('GetDASHStreamingSessionURL', 'skipped', 'Checked once the account is saved: the check creates a real streaming session, which counts against the stream\'s quota.');
  } else if (!deps.probeSession) {
    set('GetDASHStreamingSessionURL', 'skipped', 'Not checked: no session service is running.');
  } else if (!haveEndpoint) {
    set('GetDASHStreamingSessionURL', 'skipped', 'Not checked: needs the data endpoint.');
  } else {
    try {
      await deps.probeSession({ accountId: connection.accountId, streamName: stream.name });
      set('GetDASHStreamingSessionURL', 'passed', `A live session ${on} was created (it counts against the stream's quota until it expires, and is reused).`);
    } catch (err) {
      const error = isAppFailure(err) ? err.appError : toAppError(err, context('GetDASHStreamingSessionURL'));
      if (error.code === 'ResourceNotFoundException') {
        set('GetDASHStreamingSessionURL', 'passed', `Permitted ${on}, but the camera sent nothing in the last 30 seconds, so no session was made.`);
      } else if (error.code === 'SessionBudgetFull') {
        set('GetDASHStreamingSessionURL', 'skipped', `Not checked: no session slot is free ${on} right now (${error.message}).`);
      } else {
        set('GetDASHStreamingSessionURL', 'failed', error.message, error);
      }
    }
  }

  const now = deps.clock.now();
  // A range with no media: before the stream existed. Proves the permission without downloading anything.
  const emptyStart = new Date((stream.createdAt ?? now - 400 * 86_400_000) - 3_600_000);
  const emptyEnd = new Date(emptyStart.getTime() + 1_000);
  if (!haveEndpoint || !dataEndpoint) {
    for (const id of ['ListFragments', 'GetClip', 'GetImages'] as const) set(id, 'skipped', 'Not checked: needs the data endpoint.');
  } else {
    const client = createArchivedClient(connection, dataEndpoint, tuning);
    try {
      await checkArchived(client);
    } finally {
      client.destroy();
    }
  }

  async function checkArchived(client: ReturnType<typeof createArchivedClient>): Promise<void> {
    await probe('ListFragments', 'ListFragments', async () => {
      const out = await client.send(
        new ListFragmentsCommand({
          StreamName: stream.name,
          MaxResults: 1,
          FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(now - 30_000), EndTimestamp: new Date(now) } },
        }),
      );
      return `Permitted ${on} (${out.Fragments?.length ? 'fragments from the last 30 s listed' : 'no fragment in the last 30 s'}).`;
    });
    await probe('GetClip', 'GetClip', async () => {
      const out = await client.send(
        new GetClipCommand({ StreamName: stream.name, ClipFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: emptyStart, EndTimestamp: emptyEnd } } }),
      );
      (out.Payload as { destroy?: () => void } | undefined)?.destroy?.();
      return `Permitted ${on}.`;
    });
    await probe('GetImages', 'GetImages', async () => {
      await client.send(
        new GetImagesCommand({ StreamName: stream.name, ImageSelectorType: 'SERVER_TIMESTAMP', StartTimestamp: emptyStart, EndTimestamp: emptyEnd, SamplingInterval: 3000, Format: 'JPEG', MaxResults: 1 }),
      );
      return `Permitted ${on}.`;
    });
  }

  await probe('ListTagsForStream', 'ListTagsForStream', async () => {
    const out = await control.send(new ListTagsForStreamCommand({ StreamName: stream.name }));
    const count = Object.keys(out.Tags ?? {}).length;
    return `${stream.name} has ${count} tag${count === 1 ? '' : 's'}.`;
  });
}

/** The longest wait for a throttled check before trying it once more. */
const THROTTLE_WAIT_CAP_MS = 3_000;

async function retryOnceIfThrottled<T>(run: () => Promise<T>, clock: Clock): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const error = toAppError(err, { now: clock.now() });
    if (error.code !== 'ClientLimitExceededException' && error.code !== 'ThrottlingException') throw err;
    const wait = Math.min(THROTTLE_WAIT_CAP_MS, Math.max(0, (error.retryAt ?? clock.now() + 1000) - clock.now()));
    await new Promise<void>((resolve) => clock.setTimeout(resolve, wait));
    return run();
  }
}

/** A 404 the SDK could not even parse: the endpoint has no such service at all (e.g. no STS on a KVS-only emulator). */
function notOffered(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { $metadata, $fault } = err as { $metadata?: { httpStatusCode?: unknown }; $fault?: unknown };
  return $metadata?.httpStatusCode === 404 && $fault === undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an endpoint';
  }
}
