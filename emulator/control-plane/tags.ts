import { z } from 'zod';
import { invalidArgument } from '../errors';
import { parseRequest, StreamArnField, StreamNameField, TagMapField, text } from '../http/validation';
import type { ServiceContext } from '../service-context';
import { MAX_TAGS_PER_STREAM, tooManyTags } from '../streams/tags';

const StreamRef = { StreamName: StreamNameField.optional(), StreamARN: StreamArnField.optional() };

const ListTagsForStreamRequest = z.object({ ...StreamRef, NextToken: text(0, 512).optional() });

/**
 * ListTagsForStream: every tag in one page. A stream holds at most 50 tags, so the emulator never
 * truncates and never issues a NextToken; one it did not issue is refused.
 */
export function listTagsForStream(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(ListTagsForStreamRequest, body);
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  ctx.quotas.require({ api: 'ListTagsForStream', rate: 'listTagsForStream', stream: stream.name }, ctx.now());
  if (req.NextToken !== undefined && req.NextToken !== '') throw invalidArgument('NextToken is not a valid pagination token.');
  return { Tags: Object.fromEntries(stream.tags) };
}

const TagStreamRequest = z.object({
  ...StreamRef,
  Tags: TagMapField.refine((tags) => tags.length >= 1, { error: 'Member must have length greater than or equal to 1' }),
});

/** TagStream: adds tags, replacing the value of a key already there; more than 50 in all is refused whole. */
export function tagStream(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(TagStreamRequest, body);
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  ctx.quotas.require({ api: 'TagStream', rate: 'tagStream', stream: stream.name }, ctx.now());
  const merged = new Set([...stream.tags.keys(), ...req.Tags.map(([key]) => key)]);
  if (merged.size > MAX_TAGS_PER_STREAM) throw tooManyTags();
  for (const [key, value] of req.Tags) stream.tags.set(key, value);
  return {};
}

const UntagStreamRequest = z.object({
  ...StreamRef,
  TagKeyList: z
    .array(text(1, 128), { error: 'Member must be a list of strings' })
    .min(1, { error: 'Member must have length greater than or equal to 1' })
    .max(MAX_TAGS_PER_STREAM, { error: `Member must have length less than or equal to ${MAX_TAGS_PER_STREAM}` }),
});

/** UntagStream: removes the listed keys; a key the stream does not have is ignored, as KVS documents. */
export function untagStream(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(UntagStreamRequest, body);
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  ctx.quotas.require({ api: 'UntagStream', rate: 'untagStream', stream: stream.name }, ctx.now());
  for (const key of req.TagKeyList) stream.tags.delete(key);
  return {};
}
