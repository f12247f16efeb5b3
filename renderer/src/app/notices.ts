import type { AppNotice } from '../../../shared/contract';

interface FileKind {
  /** The start of the sentence: which file, in the user's words. */
  subject: string;
  /** What KVS Wall is doing without it. */
  consequence: string;
}

/** Which stored file a notice is about, in terms of what the user loses for now. */
function kindOf(file: string): FileKind {
  if (file === 'walls.json') return { subject: 'Your walls file', consequence: 'KVS Wall started with empty walls.' };
  if (file === 'settings.json') return { subject: 'Your settings file', consequence: 'KVS Wall started with default settings.' };
  if (file === 'accounts.json') return { subject: 'Your accounts file', consequence: 'KVS Wall started with no saved accounts.' };
  if (file === 'sessions-ledger.json') {
    return { subject: 'The record of open streaming sessions', consequence: 'KVS Wall started without it; sessions left from the last run expire on their own.' };
  }
  if (file.startsWith('cache/streams-')) return { subject: 'A cached camera list', consequence: 'KVS Wall will fetch the list from AWS again.' };
  if (file.startsWith('cache/endpoints-')) return { subject: 'A cached list of stream endpoints', consequence: 'KVS Wall will look the endpoints up again.' };
  return { subject: `The file ${file}`, consequence: 'KVS Wall started with defaults in its place.' };
}

function reasonText(reason: AppNotice['reason']): string {
  return reason === 'future-version' ? 'it was saved by a newer version of KVS Wall' : 'it is damaged or unreadable';
}

/** The banner's sentence: what could not be read, why, where the original is kept, what happens now. */
export function noticeText(notice: AppNotice): string {
  const kind = kindOf(notice.file);
  return `${kind.subject} could not be read (${reasonText(notice.reason)}). It was kept as ${notice.movedTo}; ${kind.consequence}`;
}

/**
 * Adds `incoming` to what is shown, once per id. The list call and the event can both carry the same
 * notice (it was reported between subscribing and listing), and a list answer that was already on its
 * way must not bring back one the user has just dismissed.
 */
export function mergeNotices(shown: readonly AppNotice[], incoming: readonly AppNotice[], dismissed: ReadonlySet<string>): AppNotice[] {
  const merged = [...shown];
  for (const notice of incoming) {
    if (!dismissed.has(notice.id) && !merged.some((n) => n.id === notice.id)) merged.push(notice);
  }
  return merged;
}
