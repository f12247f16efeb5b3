import { z } from 'zod';
import { invalidArgument } from '../errors';
import { epochSeconds, int, parseRequest, StreamArnField, StreamNameField, text, TimestampSelectorField } from '../http/validation';
import { POINT_COSTS } from '../quotas/point-costs';
import type { ServiceContext } from '../service-context';
import { fragmentsInRange, retainedSinceMs } from './fragment-window';

const DEFAULT_MAX_RESULTS = 100;
const TOKEN_PREFIX = 'kvsf1:';

const Request = z.object({
  StreamName: StreamNameField.optional(),
  StreamARN: StreamArnField.optional(),
  MaxResults: int(1, 1000).optional(),
  NextToken: text(1, 4096, /^[a-zA-Z0-9+/]+={0,2}$/).optional(),
  FragmentSelector: z
    .object({
      FragmentSelectorType: TimestampSelectorField,
      TimestampRange: z.object({ StartTimestamp: epochSeconds(), EndTimestamp: epochSeconds() }),
    })
    .optional(),
});

function decodeToken(token: string): number {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const index = text.startsWith(TOKEN_PREFIX) ? Number(text.slice(TOKEN_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(index) || index < 0) throw invalidArgument('NextToken is not a valid pagination token.');
  return index;
}

/** ListFragments: archived fragments in a range, paged by the timeline index of the last one returned. */
export function listFragments(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(Request, body);
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  const nowMs = ctx.now();
  const max = req.MaxResults ?? DEFAULT_MAX_RESULTS;
  ctx.quotas.require({ api: 'ListFragments', rate: 'listFragments', stream: stream.name, points: POINT_COSTS.listFragments(max) }, nowMs);
  const range = req.FragmentSelector?.TimestampRange;
  if (range && range.EndTimestamp < range.StartTimestamp) throw invalidArgument('EndTimestamp must not be earlier than StartTimestamp.');
  const selector = req.FragmentSelector?.FragmentSelectorType ?? 'SERVER_TIMESTAMP';
  const fromMs = range ? range.StartTimestamp * 1000 : retainedSinceMs(stream, nowMs);
  // The range is inclusive of EndTimestamp in KVS; the timeline's is half-open.
  const toMs = range ? range.EndTimestamp * 1000 + 1 : nowMs + 1;
  const after = req.NextToken === undefined ? -1 : decodeToken(req.NextToken);
  const matching = fragmentsInRange(stream, fromMs, toMs, selector, nowMs).filter((f) => f.index > after);
  const page = matching.slice(0, max);
  const last = page[page.length - 1];
  return {
    Fragments: page.map((f) => ({
      FragmentNumber: f.fragmentNumber,
      FragmentSizeInBytes: f.sizeBytes,
      ProducerTimestamp: f.producerTimestampMs / 1000,
      ServerTimestamp: f.serverTimestampMs / 1000,
      FragmentLengthInMilliseconds: f.durationMs,
    })),
    ...(matching.length > max && last && { NextToken: Buffer.from(TOKEN_PREFIX + last.index).toString('base64') }),
  };
}
