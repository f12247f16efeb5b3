import { z } from 'zod';
import { invalidArgument, KvsError } from '../errors';
import { epochSeconds, int, oneOf, parseRequest, StreamArnField, StreamNameField, TimestampSelectorField } from '../http/validation';
import type { TimelineFragment } from '../media/api';
import type { ServiceContext } from '../service-context';
import type { SessionSpec } from '../sessions/dash-session';
import { codecAt, PLAYABLE_CODEC_IDS, type StreamRecord } from '../streams/stream';
import { fragmentsInRange, freshestFragment } from './fragment-window';

export const MAX_EXPIRES_SECONDS = 43_200;
export const DEFAULT_EXPIRES_SECONDS = 300;
/** KVS limits ON_DEMAND ranges to a day. */
const MAX_ON_DEMAND_RANGE_MS = 24 * 3_600_000;

const requestSchema = (maxManifestFragmentResults: number) => z.object({
  StreamName: StreamNameField.optional(),
  StreamARN: StreamArnField.optional(),
  PlaybackMode: oneOf(['LIVE', 'LIVE_REPLAY', 'ON_DEMAND'] as const).optional(),
  DisplayFragmentTimestamp: oneOf(['ALWAYS', 'NEVER'] as const).optional(),
  DisplayFragmentNumber: oneOf(['ALWAYS', 'NEVER'] as const).optional(),
  DASHFragmentSelector: z
    .object({
      FragmentSelectorType: TimestampSelectorField.optional(),
      TimestampRange: z.object({ StartTimestamp: epochSeconds().optional(), EndTimestamp: epochSeconds().optional() }).optional(),
    })
    .optional(),
  Expires: z.number({ error: 'Member must be a number' }).int({ error: 'Member must be an integer' }).optional(),
  MaxManifestFragmentResults: int(1, maxManifestFragmentResults).optional(),
});
type Request = z.infer<ReturnType<typeof requestSchema>>;

/** MaxManifestFragmentResults is 1–1,000 under the older quotas and 1–5,000 under the current ones. */
const SCHEMAS = new Map<number, ReturnType<typeof requestSchema>>();
function schemaFor(maxManifestFragmentResults: number): ReturnType<typeof requestSchema> {
  let schema = SCHEMAS.get(maxManifestFragmentResults);
  if (!schema) {
    schema = requestSchema(maxManifestFragmentResults);
    SCHEMAS.set(maxManifestFragmentResults, schema);
  }
  return schema;
}

interface Range {
  startMs: number | undefined;
  endMs: number | undefined;
}

function checkRange(req: Request, mode: SessionSpec['mode']): Range {
  const selector = req.DASHFragmentSelector;
  const range = selector?.TimestampRange;
  const startMs = range?.StartTimestamp === undefined ? undefined : range.StartTimestamp * 1000;
  const endMs = range?.EndTimestamp === undefined ? undefined : range.EndTimestamp * 1000;
  if (mode === 'LIVE') {
    if (range) throw invalidArgument('TimestampRange must not be set when PlaybackMode is LIVE.');
    return { startMs, endMs };
  }
  if (!selector?.FragmentSelectorType || !range) {
    throw invalidArgument(`DASHFragmentSelector with FragmentSelectorType and TimestampRange is required when PlaybackMode is ${mode}.`);
  }
  if (startMs === undefined) throw invalidArgument(`StartTimestamp is required when PlaybackMode is ${mode}.`);
  if (mode === 'ON_DEMAND' && endMs === undefined) throw invalidArgument('EndTimestamp is required when PlaybackMode is ON_DEMAND.');
  if (endMs !== undefined && endMs <= startMs) throw invalidArgument('EndTimestamp must be later than StartTimestamp.');
  if (mode === 'ON_DEMAND' && endMs !== undefined && endMs - startMs > MAX_ON_DEMAND_RANGE_MS) {
    throw invalidArgument('The time range between StartTimestamp and EndTimestamp must not exceed 24 hours.');
  }
  return { startMs, endMs };
}

function checkExpires(expires: number | undefined, minSeconds: number): number {
  const value = expires ?? DEFAULT_EXPIRES_SECONDS;
  if (value < minSeconds || value > MAX_EXPIRES_SECONDS) {
    throw invalidArgument(
      `1 validation error detected: Value '${value}' at 'Expires' failed to satisfy constraint: Member must have value between ${minSeconds} and ${MAX_EXPIRES_SECONDS}`,
    );
  }
  return value;
}

/** The codec of the fragments a session would start with must be one KVS can package, with its private data. */
function checkCodec(stream: StreamRecord, fragment: TimelineFragment): void {
  const codec = codecAt(stream, fragment.producerTimestampMs);
  if (!PLAYABLE_CODEC_IDS.has(codec.kvsCodecId)) {
    throw new KvsError('UnsupportedStreamMediaTypeException', `The track codec ${codec.kvsCodecId} is not supported; track 1 must be H.264 or H.265.`);
  }
  if (!codec.hasCodecPrivateData) {
    throw new KvsError('MissingCodecPrivateDataException', 'No codec private data was found in the video track.');
  }
}

const noFragments = (what: string) => new KvsError('ResourceNotFoundException', `No fragments found ${what}.`);

/** The fragments a new session starts from, or the ResourceNotFound KVS returns when there are none. */
function startingFragments(stream: StreamRecord, spec: Omit<SessionSpec, 'replayFirst' | 'onDemand'>, nowMs: number): Pick<SessionSpec, 'replayFirst' | 'onDemand'> & { probe: TimelineFragment } {
  if (spec.mode === 'LIVE') {
    const fresh = freshestFragment(stream, nowMs);
    if (!fresh) throw noFragments('in the last 30 seconds for this stream');
    return { probe: fresh };
  }
  const start = spec.startMs ?? 0;
  if (spec.mode === 'ON_DEMAND') {
    // KVS ranges include EndTimestamp; the timeline's are half-open.
    const all = fragmentsInRange(stream, start, (spec.endMs ?? nowMs) + 1, spec.selector, nowMs);
    const onDemand = all.slice(0, spec.maxResults);
    const first = onDemand[0];
    if (!first) throw noFragments('in the requested time range');
    return { probe: first, onDemand };
  }
  // A replay needs only its first fragment; look a short way ahead first so old archives stay cheap.
  const end = Math.min(spec.endMs ?? nowMs, nowMs);
  const first = fragmentsInRange(stream, start, Math.min(end, start + 60_000), spec.selector, nowMs)[0] ?? fragmentsInRange(stream, start, end, spec.selector, nowMs)[0];
  if (!first) throw noFragments('in the requested time range');
  return { probe: first, replayFirst: first };
}

export function getDashStreamingSessionUrl(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(schemaFor(ctx.quotas.model.maxManifestFragmentResults), body);
  const mode = req.PlaybackMode ?? 'LIVE';
  const { startMs, endMs } = checkRange(req, mode);
  const expiresSeconds = checkExpires(req.Expires, ctx.minExpiresSeconds());
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  const nowMs = ctx.now();
  ctx.quotas.require({ api: 'GetDASHStreamingSessionURL', rate: 'sessionUrl', stream: stream.name }, nowMs);
  if (stream.dataRetentionInHours === 0) {
    throw new KvsError('NoDataRetentionException', 'The stream does not retain data (DataRetentionInHours is 0).');
  }
  const spec = {
    streamName: stream.name,
    mode,
    selector: req.DASHFragmentSelector?.FragmentSelectorType ?? 'SERVER_TIMESTAMP',
    startMs,
    endMs,
    maxResults: req.MaxManifestFragmentResults ?? (mode === 'ON_DEMAND' ? 1000 : 5),
    displayFragmentNumber: req.DisplayFragmentNumber === 'ALWAYS',
    displayFragmentTimestamp: req.DisplayFragmentTimestamp === 'ALWAYS',
    expiresSeconds,
  } satisfies Omit<SessionSpec, 'replayFirst' | 'onDemand'>;
  const { probe, ...starting } = startingFragments(stream, spec, nowMs);
  checkCodec(stream, probe);
  const session = ctx.sessions.create({ ...spec, ...starting }, nowMs);
  ctx.counters.sessionCreated(stream.name);
  if (session.onDemand) for (const f of session.onDemand) session.numbers.numberFor(f.index);
  return { DASHStreamingSessionURL: `${ctx.origin()}/dash/v1/getDASHManifest.mpd?SessionToken=${session.token}` };
}

