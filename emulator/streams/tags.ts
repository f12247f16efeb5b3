import { KvsError } from '../errors';

/** KVS stream tags (TagStream API reference): keys 1–128 characters, values 0–256, at most 50 per stream. */
export const MAX_TAGS_PER_STREAM = 50;
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;

export const tooManyTags = (): KvsError =>
  new KvsError(
    'TagsPerResourceExceededLimitException',
    `You have exceeded the limit of tags that you can associate with the resource. A Kinesis video stream can support up to ${MAX_TAGS_PER_STREAM} tags.`,
  );

/** What is wrong with a configured tag set (a camera's), or undefined when KVS would accept it. */
export function tagSetProblem(tags: Readonly<Record<string, unknown>>): string | undefined {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS_PER_STREAM) return `has ${entries.length} tags; a stream may have at most ${MAX_TAGS_PER_STREAM}`;
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > TAG_KEY_MAX_LENGTH) return `has a tag key of ${key.length} characters; keys are 1–${TAG_KEY_MAX_LENGTH}`;
    if (typeof value !== 'string') return `has a non-string value for tag '${key}'`;
    if (value.length > TAG_VALUE_MAX_LENGTH) return `has a value of ${value.length} characters for tag '${key}'; values are at most ${TAG_VALUE_MAX_LENGTH}`;
  }
  return undefined;
}
