import { SubStreamSettingsSchema, SUB_STREAM_TAG, type AccountSummary, type Settings, type StreamRef, type SubStreamSetting, type Wall } from '../../../shared/model';
import { resolveSubStream } from '../../../shared/sub-streams';
import { cameraKey } from './decode-form';
import type { Validated } from './settings-form';

/**
 * The sub-streams section's form: per camera on a wall, where its grid tiles' sub-stream comes from —
 * its `kvs-wall:sub-stream` tag (the default), none (the camera's own stream everywhere), or a stream
 * named here — checked with the contract's `SubStreamSettingsSchema` and, where the account's stream
 * list is known, against it.
 */

export type SubStreamMode = 'tag' | 'none' | 'stream';

export interface SubStreamRow {
  key: string;
  ref: StreamRef;
  /** The stream's name, and its account's when there are several accounts. */
  label: string;
  mode: SubStreamMode;
  /** The sub-stream's name as typed (mode `stream`). */
  stream: string;
}

/**
 * One row per camera on a saved wall, and per camera with a setting (so it can be cleared after it left
 * every wall), by name; each as set now.
 */
export function subStreamRows(walls: readonly Wall[], settings: Settings, accounts: readonly AccountSummary[]): SubStreamRow[] {
  const byKey = new Map<string, StreamRef>();
  for (const wall of walls) for (const tile of wall.tiles) if (tile.stream) byKey.set(cameraKey(tile.stream), tile.stream);
  const set = new Map<string, SubStreamSetting>();
  for (const s of settings.subStreams ?? []) {
    const ref = { accountId: s.accountId, streamName: s.streamName };
    byKey.set(cameraKey(ref), ref);
    set.set(cameraKey(ref), s);
  }
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  const several = new Set([...byKey.values()].map((r) => r.accountId)).size > 1;
  return [...byKey.entries()]
    .map(([key, ref]): SubStreamRow => {
      const setting = set.get(key);
      const mode: SubStreamMode = !setting ? 'tag' : setting.subStream === null ? 'none' : 'stream';
      return { key, ref, label: several ? `${ref.streamName} (${names.get(ref.accountId) ?? 'removed account'})` : ref.streamName, mode, stream: setting?.subStream ?? '' };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** What the tag says for a camera, for the "from its tag" choice: "lobby-sub", or why it can't be used. */
export function tagText(ref: StreamRef, tags: Readonly<Record<string, string>> | undefined, known: ReadonlySet<string> | undefined): string {
  if (!tags) return 'tags not read';
  if (tags[SUB_STREAM_TAG] === undefined) return 'no tag: its own stream';
  const choice = resolveSubStream(ref, { tags, streams: known });
  return choice.kind === 'sub' ? choice.subStream : choice.kind === 'invalid' ? `unusable: ${choice.reason}` : 'its own stream';
}

/**
 * The rows as `settings.update`'s `subStreams`, or each refused row's error under `subStreams.<row key>`:
 * a name that isn't a stream name, the camera's own stream, or (when the account's streams are known,
 * `known` by account id) a stream the account doesn't have.
 */
export function validateSubStreams(rows: readonly SubStreamRow[], known: ReadonlyMap<string, ReadonlySet<string>>): Validated<{ subStreams: SubStreamSetting[] }> {
  const errors: Record<string, string> = {};
  const list: SubStreamSetting[] = [];
  const keys: string[] = [];
  for (const row of rows) {
    if (row.mode === 'tag') continue;
    if (row.mode === 'none') {
      list.push({ ...row.ref, subStream: null });
      keys.push(row.key);
      continue;
    }
    const name = row.stream.trim();
    if (name === '') {
      errors[`subStreams.${row.key}`] = 'Name the sub-stream, or choose “from its tag” or “none”.';
      continue;
    }
    const choice = resolveSubStream(row.ref, { settings: [{ ...row.ref, subStream: name }], streams: known.get(row.ref.accountId) });
    if (choice.kind === 'invalid') {
      errors[`subStreams.${row.key}`] = `${choice.reason.replace(/^the setting names/, 'This names')}.`;
      continue;
    }
    list.push({ ...row.ref, subStream: name });
    keys.push(row.key);
  }
  if (Object.keys(errors).length > 0) return { errors };
  const result = SubStreamSettingsSchema.safeParse(list);
  if (result.success) return { update: { subStreams: result.data } };
  for (const issue of result.error.issues) {
    const key = typeof issue.path[0] === 'number' ? keys[issue.path[0]] : undefined;
    errors[key ? `subStreams.${key}` : 'subStreams'] ??= issue.message;
  }
  return { errors };
}
