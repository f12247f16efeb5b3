import { redact } from '../core/logger';

/**
 * Makes any value safe to put in a diagnostics file: a plain JSON copy in which every string went
 * through `redact`, and every field whose *name* says it holds a credential has its text replaced,
 * whatever the text looks like (a bare secret has no pattern to be recognised by). Booleans and
 * numbers under such names stay: `hasSessionToken: true` is useful and secret-free.
 */
const CREDENTIAL_KEY = /secret|password|passphrase|token|credential|authorization|cookie|signature|private.?key/i;
const MAX_DEPTH = 12;
const MAX_ITEMS = 1000;
const MAX_STRING = 16_384;

export function scrubValue(value: unknown): unknown {
  return scrub(value, 0, new WeakSet());
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[truncated]` : value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (seen.has(value)) return '[cycle]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => scrub(v, depth + 1, seen) ?? null);
    if (value instanceof Map) return scrub(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return scrub([...value], depth, seen);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value).slice(0, MAX_ITEMS)) {
      const safeKey = redact(key);
      if (CREDENTIAL_KEY.test(key) && v !== null && typeof v !== 'boolean' && typeof v !== 'number') out[safeKey] = '[redacted]';
      else {
        const scrubbed = scrub(v, depth + 1, seen);
        if (scrubbed !== undefined) out[safeKey] = scrubbed;
      }
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** JSON text for a diagnostics file: scrubbed, pretty, and redacted once more as a whole. */
export function scrubbedJson(value: unknown): string {
  return `${redact(JSON.stringify(scrubValue(value), null, 2) ?? 'null')}\n`;
}
