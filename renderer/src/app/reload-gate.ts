/**
 * When main asks the page to reload (an account brought a media origin the page's Content-Security-
 * Policy, fixed at load, doesn't allow), the reload waits for a calm moment: not while the operator
 * works in a side panel (a form half filled, a confirmation to read, the cameras of the account just
 * added to pick from), but as soon as that panel closes, or the wall changes — a camera placed from the
 * new account is what needs the new origin. With no panel open it reloads at once. Tiles come back on
 * their pooled sessions, and the page on the panel it showed (ui-memory.ts).
 */
export class ReloadGate {
  private requested = false;
  private busy = false;
  private done = false;

  constructor(private readonly reload: () => void) {}

  /** Main asked for a reload. */
  request(): void {
    this.requested = true;
    this.maybe();
  }

  /** A side panel is open (busy) or closed. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    this.maybe();
  }

  /** The wall changed: if a reload is waiting, this is the moment, panel or not. */
  wallChanged(): void {
    if (this.requested) this.fire();
  }

  get pending(): boolean {
    return this.requested && !this.done;
  }

  private maybe(): void {
    if (this.requested && !this.busy) this.fire();
  }

  private fire(): void {
    if (this.done) return;
    this.done = true;
    this.reload();
  }
}
