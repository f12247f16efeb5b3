import { buildManifest } from '../media/mpd-builder';
import { invalidArgument, KvsError, GET_THROTTLED_STATUS } from '../errors';
import { manifestFragments, manifestOriginMs, retainedSinceMs } from '../archived-media/fragment-window';
import { NO_POINTS, POINT_COSTS, type Points } from '../quotas/point-costs';
import type { ServiceContext } from '../service-context';
import type { DashSession } from '../sessions/dash-session';
import { codecAt, type StreamRecord } from '../streams/stream';
import { MINIMUM_UPDATE_PERIOD_SECONDS, SEQUENCE_NUMBER_PARAM, TRACK_NUMBER_PARAM } from './media-urls';

export interface MediaBody {
  contentType: string;
  body: Uint8Array | string;
}

const fragmentNotFound = () => new KvsError('ResourceNotFoundException', 'The requested fragment is not available in this session.');

const MEDIA_QUOTAS = {
  manifest: { api: 'GetDASHManifest', points: (session: DashSession): Points => POINT_COSTS.getDASHManifest(session.maxResults) },
  init: { api: 'GetMP4InitFragment', points: (): Points => NO_POINTS },
  media: { api: 'GetMP4MediaFragment', points: (): Points => POINT_COSTS.getMP4MediaFragment() },
} as const;

/**
 * The session behind the token and its stream, if both still exist and the session's rate and the
 * stream's point budgets allow.
 */
function authorise(query: URLSearchParams, ctx: ServiceContext, quota: keyof typeof MEDIA_QUOTAS): { session: DashSession; stream: StreamRecord } {
  const nowMs = ctx.now();
  const session = ctx.sessions.authorise(query.get('SessionToken'), nowMs);
  const { api, points } = MEDIA_QUOTAS[quota];
  ctx.quotas.require({ api, rate: quota, stream: session.streamName, session: session.token, points: points(session) }, nowMs, GET_THROTTLED_STATUS);
  const stream = ctx.streams.byName(session.streamName);
  if (!stream?.media) throw new KvsError('ResourceNotFoundException', 'The stream of this session no longer exists.');
  const track = query.get(TRACK_NUMBER_PARAM);
  // The emulator's streams carry one video track.
  if (track !== null && track !== '1') throw new KvsError('ResourceNotFoundException', `Track ${track} does not exist in this stream.`);
  return { session, stream };
}

export function getDashManifest(query: URLSearchParams, ctx: ServiceContext): MediaBody {
  const { session, stream } = authorise(query, ctx, 'manifest');
  const media = stream.media;
  if (!media) throw fragmentNotFound();
  const nowMs = ctx.now();
  const entries = manifestFragments(session, stream, nowMs).flatMap((fragment) => {
    const number = session.numbers.numberFor(fragment.index);
    return number === undefined ? [] : [{ number, fragment }];
  });
  // Possible only once retention has passed every fragment the session could list.
  if (entries.length === 0) throw new KvsError('ResourceNotFoundException', 'No fragments are available for this session.');
  const xml = buildManifest({
    type: session.mode === 'ON_DEMAND' ? 'static' : 'dynamic',
    clip: media.clip,
    entries,
    tokenQuery: `SessionToken=${session.token}`,
    originMs: manifestOriginMs(session, stream, media.clip.timescale),
    nowMs,
    displayFragmentNumber: session.displayFragmentNumber,
    displayFragmentTimestamp: session.displayFragmentTimestamp,
    selector: session.selector,
    minimumUpdatePeriodSeconds: MINIMUM_UPDATE_PERIOD_SECONDS,
  });
  return { contentType: 'application/dash+xml', body: xml };
}

export function getMp4InitFragment(query: URLSearchParams, ctx: ServiceContext): MediaBody {
  const { stream } = authorise(query, ctx, 'init');
  if (!stream.media) throw fragmentNotFound();
  return { contentType: 'video/mp4', body: stream.media.clip.init };
}

export function getMp4MediaFragment(query: URLSearchParams, ctx: ServiceContext): MediaBody {
  const { session, stream } = authorise(query, ctx, 'media');
  const timeline = stream.media?.timeline;
  if (!timeline) throw fragmentNotFound();
  const raw = query.get(SEQUENCE_NUMBER_PARAM);
  if (raw === null || !/^[1-9]\d{0,15}$/.test(raw)) throw invalidArgument(`${SEQUENCE_NUMBER_PARAM} must be a positive integer.`);
  const index = session.numbers.indexOf(Number(raw));
  const nowMs = ctx.now();
  const fragment = index === undefined ? undefined : timeline.fragment(index, nowMs);
  if (!fragment || fragment.serverTimestampMs < retainedSinceMs(stream, nowMs)) throw fragmentNotFound();
  const generation = codecAt(stream, fragment.producerTimestampMs).generation;
  session.codecGeneration ??= generation;
  if (generation !== session.codecGeneration) {
    throw new KvsError('InvalidCodecPrivateDataException', 'The codec private data of this fragment differs from the earlier fragments of the session.');
  }
  return { contentType: 'video/mp4', body: timeline.fragmentBytes(fragment.index) };
}
