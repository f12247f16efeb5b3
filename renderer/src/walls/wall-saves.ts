import type { Wall } from '../../../shared/model';

/**
 * Keeps the walls shown in step with the operator's latest edit while saves are in flight. Each edit
 * shows at once and is saved; main's answers can come back out of order with the edits (a busy main,
 * a grid changed twice in a row), and a `walls.changed` list can be older than the edit just shown.
 * Applying such an answer would bring the previous layout back for a moment — tiles torn down and
 * started again, their sessions handed back and forth — so only the newest save's answer, and lists
 * for walls with no save in flight, replace what is shown.
 */
export class PendingSaves {
  private seq = 0;
  /** Wall id → the newest save's token. */
  private readonly newest = new Map<string, number>();

  /** An edit of this wall is being saved; returns its token. */
  begin(wallId: string): number {
    this.seq += 1;
    this.newest.set(wallId, this.seq);
    return this.seq;
  }

  /** The save's answer came (stored or refused): true when it is the wall's newest, whose answer counts. */
  settle(wallId: string, token: number): boolean {
    if (this.newest.get(wallId) !== token) return false;
    this.newest.delete(wallId);
    return true;
  }

  inFlight(wallId: string): boolean {
    return this.newest.has(wallId);
  }

  /** Main's list, except walls with a save in flight, which stay as shown. */
  merge(shown: readonly Wall[], listed: readonly Wall[]): Wall[] {
    return listed.map((w) => (this.inFlight(w.id) ? (shown.find((s) => s.id === w.id) ?? w) : w));
  }
}
