import type { AppNotice } from '../shared/contract';
import type { NoticeBoard, StoreNotice } from './store';

/**
 * The store's notices as the renderer sees them: each with an id it can dismiss by, and only the
 * fields the contract allows (never the store's free-text sentence, which may quote the file).
 */
export interface AppNotices {
  /** Notices not yet dismissed, oldest first. */
  list(): AppNotice[];
  /** Hides a notice for the rest of this run; false when it is unknown or already dismissed. */
  dismiss(id: string): boolean;
  /** Called once for every notice reported after this was created. */
  onNotice(listener: (notice: AppNotice) => void): () => void;
}

export function createAppNotices(board: NoticeBoard): AppNotices {
  const shown: AppNotice[] = [];
  const listeners = new Set<(notice: AppNotice) => void>();
  let counter = 0;

  const add = (notice: StoreNotice): AppNotice => {
    const mapped: AppNotice = { id: `notice-${++counter}`, file: notice.file, movedTo: notice.movedTo, reason: notice.reason, at: notice.at };
    shown.push(mapped);
    return mapped;
  };

  // Files read before this register existed (settings, the session ledger) reported to the board
  // already; seeding from it and subscribing in the same tick means none is missed or doubled.
  for (const notice of board.list()) add(notice);
  board.onNotice((notice) => {
    const mapped = add(notice);
    for (const listener of [...listeners]) listener(mapped);
  });

  return {
    list: () => shown.map((n) => ({ ...n })),
    dismiss(id) {
      const index = shown.findIndex((n) => n.id === id);
      if (index < 0) return false;
      shown.splice(index, 1);
      return true;
    },
    onNotice(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
