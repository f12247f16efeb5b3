import { StreamNameSchema, SUB_STREAM_TAG, type StreamRef, type StreamTags, type SubStreamSetting } from './model';

/**
 * What a camera plays in an ordinary grid tile:
 * - `none`: its own (main) stream, everywhere;
 * - `sub`: the named sub-stream, a second, low-resolution KVS stream of the same account;
 * - `invalid`: a sub-stream was named but can't be used; the camera plays its main stream and the tile
 *   says why (never a silent black tile).
 */
export type SubStreamChoice =
  | { kind: 'none'; from?: 'setting' }
  | { kind: 'sub'; subStream: string; from: 'setting' | 'tag' }
  | { kind: 'invalid'; from: 'setting' | 'tag'; reason: string };

export interface SubStreamFacts {
  /** The operator's settings (`Settings.subStreams`). */
  settings?: readonly SubStreamSetting[] | undefined;
  /** The camera's KVS stream tags, when known. */
  tags?: StreamTags | undefined;
  /** The names of every stream of the camera's account, when the whole list is known (not truncated). */
  streams?: ReadonlySet<string> | undefined;
}

function origin(from: 'setting' | 'tag'): string {
  return from === 'setting' ? 'the setting' : `the tag ${SUB_STREAM_TAG}`;
}

/**
 * A camera's sub-stream: the operator's setting for the camera wins over the camera's
 * `kvs-wall:sub-stream` tag; either is checked (a stream name, not the camera's own stream, a stream the
 * account has when its list is known).
 */
export function resolveSubStream(camera: StreamRef, facts: SubStreamFacts): SubStreamChoice {
  const setting = facts.settings?.find((s) => s.accountId === camera.accountId && s.streamName === camera.streamName);
  if (setting) {
    if (setting.subStream === null) return { kind: 'none', from: 'setting' };
    return check(camera, setting.subStream, 'setting', facts.streams);
  }
  const tagged = facts.tags?.[SUB_STREAM_TAG];
  if (tagged === undefined) return { kind: 'none' };
  return check(camera, tagged, 'tag', facts.streams);
}

function check(camera: StreamRef, name: string, from: 'setting' | 'tag', streams: ReadonlySet<string> | undefined): SubStreamChoice {
  const shown = name.length > 60 ? `${name.slice(0, 57)}…` : name;
  if (!StreamNameSchema.safeParse(name).success) {
    return { kind: 'invalid', from, reason: `${origin(from)} names "${shown}", which is not a KVS stream name (1–256 of a-z A-Z 0-9 _ . -)` };
  }
  if (name === camera.streamName) return { kind: 'invalid', from, reason: `${origin(from)} names the camera's own stream as its sub-stream` };
  if (streams && !streams.has(name)) return { kind: 'invalid', from, reason: `${origin(from)} names ${shown}, which is not a stream of this account` };
  return { kind: 'sub', subStream: name, from };
}

/**
 * The stream a tile plays now: the sub-stream while it is an ordinary live grid tile; the camera's main
 * stream when it is selected or maximised, replays or looks back (evidence is the camera's own stream).
 */
export function shownStream(camera: StreamRef, choice: SubStreamChoice, tile: { featured: boolean; live: boolean }): StreamRef {
  if (choice.kind !== 'sub' || tile.featured || !tile.live) return camera;
  return { accountId: camera.accountId, streamName: choice.subStream };
}

/** Streams some camera names as its sub-stream by tag: a first wall leaves them out (their camera is there). */
export function taggedSubStreams(tags: Readonly<Record<string, StreamTags>>): Set<string> {
  const out = new Set<string>();
  for (const [camera, cameraTags] of Object.entries(tags)) {
    const name = cameraTags[SUB_STREAM_TAG];
    if (name !== undefined && name !== camera && StreamNameSchema.safeParse(name).success) out.add(name);
  }
  return out;
}
