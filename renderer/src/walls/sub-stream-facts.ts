import type { WallApi } from '../../../shared/contract';
import type { StreamRef, StreamTags, SubStreamSetting } from '../../../shared/model';
import { resolveSubStream, type SubStreamChoice } from '../../../shared/sub-streams';

/** What a wall knows to resolve its cameras' sub-streams: their tags and, per account, its streams. */
export interface SubStreamFacts {
  /** Tags by `accountId/streamName`, for the cameras whose tags could be read. */
  tags: Map<string, StreamTags>;
  /** Each account's stream names, when its whole list is known (a sub-stream named there is checked). */
  streams: Map<string, ReadonlySet<string>>;
  /** Cameras whose tags were asked for (read or not): the others' sub-streams aren't known yet. */
  asked: Set<string>;
}

export const NO_FACTS: SubStreamFacts = Object.freeze({ tags: new Map(), streams: new Map(), asked: new Set<string>() });

/** `streams.tags` takes at most this many names a call. */
const TAGS_PER_CALL = 200;

const keyOf = (ref: StreamRef): string => `${ref.accountId}/${ref.streamName}`;

/**
 * Reads the wall's cameras' tags (cached by main) and, for an account where a camera names a
 * sub-stream, the account's stream list, so a sub-stream that doesn't exist is said on the tile instead
 * of tried. What can't be read is left out: a camera without known tags plays as set in the settings, and
 * a sub-stream not checked against the list still falls back on the camera if it gets no session.
 */
export async function readSubStreamFacts(api: WallApi, cameras: readonly StreamRef[], settings: readonly SubStreamSetting[] | undefined): Promise<SubStreamFacts> {
  const facts: SubStreamFacts = { tags: new Map(), streams: new Map(), asked: new Set(cameras.map(keyOf)) };
  const byAccount = new Map<string, Set<string>>();
  for (const camera of cameras) {
    let names = byAccount.get(camera.accountId);
    if (!names) byAccount.set(camera.accountId, (names = new Set()));
    names.add(camera.streamName);
  }
  await Promise.all(
    [...byAccount].map(async ([accountId, names]) => {
      const all = [...names];
      for (let i = 0; i < all.length; i += TAGS_PER_CALL) {
        try {
          const page = await api.call('streams.tags', { accountId, streamNames: all.slice(i, i + TAGS_PER_CALL) });
          for (const [streamName, tags] of Object.entries(page.tags)) facts.tags.set(keyOf({ accountId, streamName }), tags);
        } catch {
          // No tags (no permission, offline): cameras of this account follow the settings alone.
        }
      }
      const namesSome = all.some((streamName) => resolveSubStream({ accountId, streamName }, { settings, tags: facts.tags.get(keyOf({ accountId, streamName })) }).kind === 'sub');
      if (!namesSome) return;
      try {
        const catalogue = await api.call('streams.all', { accountId });
        if (!catalogue.truncated) facts.streams.set(accountId, new Set(catalogue.streams.map((s) => s.name)));
      } catch {
        // Unchecked: a missing sub-stream then shows when it gets no session.
      }
    }),
  );
  return facts;
}

/**
 * How long a wall's tiles wait for their cameras' tags before they start anyway (on the camera's own stream,
 * switching to a sub-stream when the tags come): cached tags answer in milliseconds; a slow or unreachable
 * account must not hold the wall's first picture.
 */
export const FACTS_WAIT_MS = 1500;

/** Facts that know nothing of `cameras` but that they were asked about (the wait is over). */
export function nothingKnown(cameras: readonly StreamRef[]): SubStreamFacts {
  return { tags: new Map(), streams: new Map(), asked: new Set(cameras.map(keyOf)) };
}

/** Newer facts over older ones: cameras asked about before keep what was known of them. */
export function mergeFacts(older: SubStreamFacts, newer: SubStreamFacts): SubStreamFacts {
  return {
    tags: new Map([...older.tags, ...newer.tags]),
    streams: new Map([...older.streams, ...newer.streams]),
    asked: new Set([...older.asked, ...newer.asked]),
  };
}

/** A camera's sub-stream on this wall; `unknown` until its tags were asked for (its tile waits that long to start). */
export function subStreamOf(camera: StreamRef, settings: readonly SubStreamSetting[] | undefined, facts: SubStreamFacts): SubStreamChoice | 'unknown' {
  if (!facts.asked.has(keyOf(camera))) return 'unknown';
  return resolveSubStream(camera, { settings, tags: facts.tags.get(keyOf(camera)), streams: facts.streams.get(camera.accountId) });
}
