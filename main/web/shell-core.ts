import type { Dispatch } from '../ipc/dispatcher';
import type { EventHub } from '../ipc/events';

/** What a shell (browser or Electron) needs from the application core built by `createAppCore`. */
export interface ShellCore {
  readonly dispatch: Dispatch;
  readonly events: EventHub;
  /** Origins the renderer fetches media from (accounts' KVS hosts, the demo cameras); for the CSP. */
  mediaOrigins(): Promise<string[]>;
  /** A window or socket went away: release the sessions it held. */
  senderGone(senderId: string): void;
  dispose(): Promise<void>;
}
