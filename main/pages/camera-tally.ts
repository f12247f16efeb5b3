/** Cameras playing out of cameras shown, on one wall or added up over every window. */
export interface CameraCounts {
  readonly live: number;
  readonly total: number;
}

/**
 * Every page's latest camera counts, added up for the tray. A page's counts are dropped when the
 * page goes (window closed, renderer crashed or reloaded, lease expired), so a closed wall never
 * leaves cameras behind in the sum. Listeners hear the sum only when it changes.
 */
export class CameraTally {
  private readonly byPage = new Map<string, CameraCounts>();
  private readonly listeners = new Set<(sum: CameraCounts) => void>();
  private last: CameraCounts = { live: 0, total: 0 };

  /** The page's counts now (they replace what it reported before). */
  report(pageId: string, counts: CameraCounts): void {
    this.byPage.set(pageId, { live: counts.live, total: counts.total });
    this.changed();
  }

  /** The page is gone: its cameras no longer count. */
  drop(pageId: string): void {
    if (this.byPage.delete(pageId)) this.changed();
  }

  sum(): CameraCounts {
    return this.last;
  }

  onChange(listener: (sum: CameraCounts) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    let live = 0;
    let total = 0;
    for (const c of this.byPage.values()) {
      live += c.live;
      total += c.total;
    }
    if (live === this.last.live && total === this.last.total) return;
    this.last = { live, total };
    for (const listener of [...this.listeners]) listener(this.last);
  }
}
