import { invalidArgument } from '../errors';

/**
 * ListStreams NextToken: opaque to callers, standard base64 as KVS's pattern `[a-zA-Z0-9+/=]*` demands.
 * It carries the last name returned, so paging stays correct when streams are created in between.
 */
const PREFIX = 'kvsw1:';

export function encodePageToken(lastName: string): string {
  return Buffer.from(PREFIX + lastName, 'utf8').toString('base64');
}

export function decodePageToken(token: string): string {
  if (!/^[a-zA-Z0-9+/=]{1,512}$/.test(token)) throw invalidArgument('NextToken is not a valid pagination token.');
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith(PREFIX)) throw invalidArgument('NextToken is not a valid pagination token.');
  return text.slice(PREFIX.length);
}
