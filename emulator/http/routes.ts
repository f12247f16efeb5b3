import { getDashStreamingSessionUrl } from '../archived-media/session-url';
import { listFragments } from '../archived-media/list-fragments';
import { createStream, deleteStream, describeStream, getDataEndpoint, listStreams } from '../control-plane/handlers';
import { listTagsForStream, tagStream, untagStream } from '../control-plane/tags';
import { getDashManifest, getMp4InitFragment, getMp4MediaFragment, type MediaBody } from '../dash/handlers';
import { DASH_ACTION_FILES, DASH_BASE_PATH } from '../dash/media-urls';
import type { MediaAction, Operation } from '../request-kinds';
import type { ServiceContext } from '../service-context';

export type OperationHandler = (body: Record<string, unknown>, ctx: ServiceContext) => unknown;
export type MediaHandler = (query: URLSearchParams, ctx: ServiceContext) => MediaBody;

/** `POST /<operation>`: the rest-json operations, signed with SigV4. */
export const OPERATION_HANDLERS: Record<Operation, OperationHandler> = {
  listStreams,
  describeStream,
  getDataEndpoint,
  createStream,
  deleteStream,
  listTagsForStream,
  tagStream,
  untagStream,
  getDASHStreamingSessionURL: getDashStreamingSessionUrl,
  listFragments,
};

const MEDIA_HANDLERS: Record<MediaAction, MediaHandler> = {
  getDASHManifest: getDashManifest,
  getMP4InitFragment: getMp4InitFragment,
  getMP4MediaFragment: getMp4MediaFragment,
};

/** `GET /dash/v1/<file>`: the session-token actions a player calls; exact paths only, nothing else resolves. */
export function mediaRoute(pathname: string): { action: MediaAction; handler: MediaHandler } | undefined {
  if (!pathname.startsWith(DASH_BASE_PATH)) return undefined;
  const file = pathname.slice(DASH_BASE_PATH.length);
  for (const action of Object.keys(DASH_ACTION_FILES) as MediaAction[]) {
    if (DASH_ACTION_FILES[action] === file) return { action, handler: MEDIA_HANDLERS[action] };
  }
  return undefined;
}
