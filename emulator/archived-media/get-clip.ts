/**
 * GetClip (`POST /getClip`): an MP4 file of the fragments that start in a time range, as KVS's
 * archived-media API serves it. Fragments whose selected timestamp is in [StartTimestamp, EndTimestamp]
 * (both inclusive) are included, at most the first 200 or the first 100 MB of them: beyond that the
 * clip is cut short without an error, as documented. Sound is included when the stream has it.
 */
import { z } from 'zod';
import { invalidArgument, KvsError } from '../errors';
import { BinaryAnswer } from '../http/binary-answer';
import { epochSeconds, parseRequest, StreamArnField, StreamNameField, TimestampSelectorField } from '../http/validation';
import type { TimelineFragment } from '../media/api';
import { writeClipMp4 } from '../media/mp4-clip-writer';
import { POINT_COSTS } from '../quotas/point-costs';
import type { ServiceContext } from '../service-context';
import { codecAt } from '../streams/stream';
import { fragmentsInRange } from './fragment-window';
import { checkCodec } from './session-url';

/** GetClip's documented limits: the first 200 fragments or the first 100 MB, whichever comes first. */
export const MAX_CLIP_FRAGMENTS = 200;
export const MAX_CLIP_BYTES = 100 * 1024 * 1024;
/** The range may span at most a day. */
const MAX_CLIP_RANGE_MS = 24 * 3_600_000;

const required = (what: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? 'Member must not be null' : `Member must be ${what}`) });

const Request = z.object({
  StreamName: StreamNameField.optional(),
  StreamARN: StreamArnField.optional(),
  ClipFragmentSelector: z.object(
    {
      FragmentSelectorType: TimestampSelectorField,
      TimestampRange: z.object({ StartTimestamp: epochSeconds(), EndTimestamp: epochSeconds() }, required('a structure')),
    },
    required('a structure'),
  ),
});

/** Both tracks' bytes of a fragment, as the clip holds them. */
const sizeOf = (fragment: TimelineFragment): number => fragment.sizeBytes + (fragment.audio?.sizeBytes ?? 0);

/** The fragments a clip holds: in range order, cut at 200 fragments or 100 MB (at least one). */
export function clipSelection<F>(fragments: readonly F[], size: (fragment: F) => number, maxFragments = MAX_CLIP_FRAGMENTS, maxBytes = MAX_CLIP_BYTES): F[] {
  const chosen: F[] = [];
  let bytes = 0;
  for (const fragment of fragments) {
    if (chosen.length >= maxFragments) break;
    bytes += size(fragment);
    if (bytes > maxBytes && chosen.length > 0) break;
    chosen.push(fragment);
  }
  return chosen;
}

export function getClip(body: Record<string, unknown>, ctx: ServiceContext): BinaryAnswer {
  const req = parseRequest(Request, body);
  const { FragmentSelectorType: selector, TimestampRange: range } = req.ClipFragmentSelector;
  const startMs = range.StartTimestamp * 1000;
  const endMs = range.EndTimestamp * 1000;
  if (endMs <= startMs) throw invalidArgument('EndTimestamp must be later than StartTimestamp.');
  if (endMs - startMs > MAX_CLIP_RANGE_MS) throw invalidArgument('The time range between StartTimestamp and EndTimestamp must not exceed 24 hours.');
  const nowMs = ctx.now();
  if (selector === 'SERVER_TIMESTAMP' && endMs > nowMs) throw invalidArgument('EndTimestamp must be in the past when FragmentSelectorType is SERVER_TIMESTAMP.');

  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  if (stream.dataRetentionInHours === 0) throw new KvsError('NoDataRetentionException', 'The stream does not retain data (DataRetentionInHours is 0).');
  // Both ends inclusive: a fragment starting exactly at EndTimestamp is in the clip.
  const fragments = clipSelection(fragmentsInRange(stream, startMs, endMs + 1, selector, nowMs), sizeOf);
  ctx.quotas.require({ api: 'GetClip', rate: 'getClip', stream: stream.name, points: POINT_COSTS.getClip(fragments.length) }, nowMs);
  const first = fragments[0];
  const media = stream.media;
  if (!first || !media) throw new KvsError('ResourceNotFoundException', 'No fragments found in the requested time range.');

  checkCodec(stream, first);
  const generation = codecAt(stream, first.producerTimestampMs).generation;
  if (fragments.some((f) => codecAt(stream, f.producerTimestampMs).generation !== generation)) {
    throw new KvsError('InvalidCodecPrivateDataException', 'The codec private data changes within the requested time range; request the parts before and after the change separately.');
  }

  const { clip, timeline } = media;
  const sources = fragments.map((f) => timeline.clipFragmentIndex(f.index));
  const video = { init: clip.init, fragments: sources.map((i) => (clip.fragments[i] as (typeof clip.fragments)[number]).data) };
  const audio = clip.audio && { init: clip.audio.init, fragments: sources.map((i) => (clip.audio?.fragments[i] as (typeof clip.fragments)[number]).data) };
  return new BinaryAnswer('video/mp4', writeClipMp4(video, audio));
}
