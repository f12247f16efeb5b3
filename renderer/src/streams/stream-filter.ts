import type { StreamInfo, StreamTags } from '../../../shared/model';

/** Lower case, with - _ . and runs of spaces as one space: "Loading dock" finds "loading-dock-2". */
function normalise(text: string): string {
  return text.toLocaleLowerCase().replace(/[-_.\s]+/g, ' ').trim();
}

/**
 * Whether a stream matches what was typed: every word, case-insensitive, anywhere in its name or its
 * tag values. An empty query matches everything.
 */
export function matches(stream: StreamInfo, query: string, tags?: StreamTags): boolean {
  const words = normalise(query).split(' ').filter(Boolean);
  if (words.length === 0) return true;
  const haystack = normalise([stream.name, ...Object.values(tags ?? {})].join(' '));
  return words.every((word) => haystack.includes(word));
}

export function filterStreams(streams: readonly StreamInfo[], query: string, tags: Readonly<Record<string, StreamTags>>): StreamInfo[] {
  return streams.filter((s) => matches(s, query, tags[s.name]));
}

/** Tag keys in use, the most widely used first (the likeliest grouping: site, floor, building). */
export function tagKeys(tags: Readonly<Record<string, StreamTags>>): string[] {
  const counts = new Map<string, number>();
  for (const streamTags of Object.values(tags)) for (const key of Object.keys(streamTags)) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
}

export interface StreamGroup {
  /** The tag's value; null for streams without the tag (listed last). */
  value: string | null;
  streams: StreamInfo[];
}

/** Streams grouped by one tag's value, groups in natural order (cam-2 before cam-10), untagged last. */
export function groupByTag(streams: readonly StreamInfo[], tags: Readonly<Record<string, StreamTags>>, key: string): StreamGroup[] {
  const groups = new Map<string | null, StreamInfo[]>();
  for (const stream of streams) {
    const value = tags[stream.name]?.[key] ?? null;
    const list = groups.get(value);
    if (list) list.push(stream);
    else groups.set(value, [stream]);
  }
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : collator.compare(a, b)))
    .map(([value, list]) => ({ value, streams: list }));
}
