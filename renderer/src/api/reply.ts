import { ReplySchema } from '../../../shared/contract';
import { WallApiError, appError } from '../../../shared/errors';

/** Turns a transport's reply into the call's value, or throws the typed error it carries. */
export function unwrapReply<T>(raw: unknown, call: string): T {
  const reply = ReplySchema.safeParse(raw);
  if (!reply.success) throw new WallApiError(appError('Internal', `KVS Wall sent an unreadable answer to ${call}.`));
  if (!reply.data.ok) throw new WallApiError(reply.data.error);
  return reply.data.value as T;
}

export function networkError(message: string): WallApiError {
  return new WallApiError(appError('NetworkError', message, { retryable: true }));
}
