import type { z } from 'zod';
import { appError, type AppError } from '../../shared/errors';

type Issue = z.core.$ZodIssue;

/** Untrusted text (key names, call names) echoed into a message: printable and short. */
export function quoteUntrusted(text: string, max = 40): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > max ? `${printable.slice(0, max)}…` : printable);
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'symbol' ? '?' : String(p).replace(/[^\x20-\x7e]/g, '?'))).join('.').slice(0, 200);
}

/**
 * A union reports one issue list per branch; the branch with the fewest issues is the one the
 * caller most likely meant, so its first issue is the most useful one to show.
 */
function innermost(issue: Issue, prefix: readonly PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
    const first = best?.[0];
    if (first) return innermost(first, path);
  }
  return { issue, path };
}

function describe(issue: Issue, field: string): string {
  const subject = field || 'the request';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${subject} has a field it does not accept: ${quoteUntrusted(String(issue.keys[0] ?? ''))}`;
    case 'invalid_type':
      return /received undefined$/.test(issue.message)
        ? `${subject} is required`
        : `${subject}: ${issue.message.replace(/^Invalid input: /, '')}`;
    default: {
      const msg = issue.message.replace(/^Invalid (?:input|discriminator value)[:.] Expected/, 'expected');
      return /^an? /.test(msg) ? `${subject}: expected ${msg}` : `${subject}: ${msg}`;
    }
  }
}

/** The typed error for a request its schema refused: the first problem, in words, and its field. */
export function invalidRequestFromIssues(call: string, issues: readonly Issue[]): AppError {
  const first = issues[0];
  if (!first) return appError('InvalidRequest', `The ${call} request is not valid.`);
  const { issue, path } = innermost(first, []);
  const keyPath = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...path, issue.keys[0]] : path;
  const field = fieldOf(keyPath);
  const error = appError('InvalidRequest', `Invalid ${call} request: ${describe(issue, fieldOf(path))}.`);
  return field ? { ...error, field } : error;
}
