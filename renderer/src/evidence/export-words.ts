import type { ExportProgress } from '../../../shared/model';

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 1 : 0)} MB`;

/** What an export is doing, in a few words: "Downloading part 2 of 3 · 14.2 MB". */
export function exportWords(e: ExportProgress): string {
  switch (e.state) {
    case 'listing':
      return 'Finding the recording…';
    case 'downloading':
      return `Downloading${e.parts > 1 ? ` part ${Math.max(1, e.part)} of ${e.parts}` : ''} · ${mb(e.bytes)}${e.totalBytes ? ` of ~${mb(e.totalBytes)}` : ''}`;
    case 'joining':
      return `Joining ${e.parts} parts into one file…`;
    case 'done':
      return (e.files?.length ?? 0) > 1 ? `Saved as ${e.files?.length} parts` : 'Saved';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** 0–100 while bytes move (by ListFragments' estimate while downloading), undefined otherwise. */
export function exportPercent(e: ExportProgress): number | undefined {
  if (e.state === 'done') return 100;
  if ((e.state !== 'downloading' && e.state !== 'joining') || !e.totalBytes) return undefined;
  return Math.min(99, Math.round((e.bytes / e.totalBytes) * 100));
}
