import { z } from 'zod';
import { invalidArgument } from '../errors';

/**
 * Request validation in AWS's own words: "1 validation error detected: Value at 'Field' failed to
 * satisfy constraint: …", naming the field so a caller can fix the call without guessing.
 */
export function parseRequest<S extends z.ZodType>(schema: S, body: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const details = issues
    .slice(0, 3)
    .map((issue) => `Value at '${issue.path.map(String).join('.') || '(body)'}' failed to satisfy constraint: ${issue.message}`)
    .join('; ');
  throw invalidArgument(`${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${details}`);
}

export const int = (min: number, max: number) =>
  z
    .number({ error: 'Member must be a number' })
    .int({ error: 'Member must be an integer' })
    .min(min, { error: `Member must have value greater than or equal to ${min}` })
    .max(max, { error: `Member must have value less than or equal to ${max}` });

export const text = (min: number, max: number, pattern?: RegExp) => {
  const base = z
    .string({ error: 'Member must be a string' })
    .min(min, { error: `Member must have length greater than or equal to ${min}` })
    .max(max, { error: `Member must have length less than or equal to ${max}` });
  return pattern ? base.regex(pattern, { error: `Member must satisfy regular expression pattern: ${pattern.source}` }) : base;
};

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `Member must satisfy enum value set: [${values.join(', ')}]` });

/** rest-json timestamps are epoch seconds, possibly fractional. */
export const epochSeconds = () =>
  z.number({ error: 'Member must be a timestamp in epoch seconds' }).finite({ error: 'Member must be a finite number' }).nonnegative({ error: 'Member must not be negative' });

export const StreamNameField = text(1, 256, /^[a-zA-Z0-9_.-]+$/);
export const StreamArnField = text(1, 1024, /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+\/[a-zA-Z0-9_.-]+\/[0-9]+$/);

export const TimestampSelectorField = oneOf(['PRODUCER_TIMESTAMP', 'SERVER_TIMESTAMP'] as const);

/**
 * A tag map as its entries: keys 1–128 characters, values 0–256 (the count is checked by the
 * operation). Read entry by entry rather than with z.record, which would drop a key such as
 * `__proto__` that KVS stores like any other.
 */
export const TagMapField = z
  .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { error: 'Member must be a map of strings to strings' })
  .superRefine((tags, ctx) => {
    for (const [key, value] of Object.entries(tags)) {
      if (key.length < 1 || key.length > 128) ctx.addIssue({ code: 'custom', path: [key], message: 'Member must have a key of length 1 to 128' });
      if (typeof value !== 'string') ctx.addIssue({ code: 'custom', path: [key], message: 'Member must be a string' });
      else if (value.length > 256) ctx.addIssue({ code: 'custom', path: [key], message: 'Member must have length less than or equal to 256' });
    }
  })
  .transform((tags) => Object.entries(tags) as Array<[string, string]>);
