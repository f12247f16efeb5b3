/**
 * What the store tells the user when a file on disk could not be used as it was. A notice always
 * says where the original went, because the promise is that nothing is silently reset or lost.
 */
export interface StoreNotice {
  /** File name relative to the user-data folder, e.g. `walls.json`. */
  readonly file: string;
  /** Where the unusable file was moved, relative to the user-data folder. */
  readonly movedTo: string;
  readonly reason: 'corrupt' | 'future-version';
  /** A sentence for a person: what happened, where the file is, what the app uses instead. */
  readonly message: string;
  readonly at: number;
}

export interface NoticeSink {
  report(notice: StoreNotice): void;
}

export interface NoticeBoard extends NoticeSink {
  list(): StoreNotice[];
  onNotice(listener: (notice: StoreNotice) => void): () => void;
}

/** Keeps every notice of this run so a window opened later can still show them. */
export function createNoticeBoard(): NoticeBoard {
  const notices: StoreNotice[] = [];
  const listeners = new Set<(notice: StoreNotice) => void>();
  return {
    report(notice) {
      notices.push(notice);
      for (const listener of listeners) listener(notice);
    },
    list: () => [...notices],
    onNotice(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
