import type { DownloadTicket } from '../evidence/downloads';
import type { Dispatch } from '../ipc/dispatcher';
import type { EventHub } from '../ipc/events';

/** What a shell (browser or Electron) needs from the application core built by `createAppCore`. */
export interface ShellCore {
  readonly dispatch: Dispatch;
  readonly events: EventHub;
  /**
   * The Content-Security-Policy for a page served now, from the accounts' media origins plus
   * `connect` (the browser shell's socket origin). The core remembers what it served, and asks
   * pages to reload (`page.reload`) when accounts need an origin they don't allow.
   */
  contentSecurityPolicy(connect?: readonly string[]): Promise<string>;
  /**
   * The page a window or socket showed is gone (closed, crashed, navigated, socket dropped): its
   * tiles' sessions return to the pool. The sender may show a new page later (an Electron reload).
   */
  senderGone(senderId: string): void;
  /**
   * The browser shell's one-time downloads (exported clips): the file offered under `token`, which
   * is withdrawn by being taken. Absent in the desktop app, which saves where the person chose.
   */
  takeDownload?(token: string): DownloadTicket | undefined;
  dispose(): Promise<void>;
}
