import type { SenderInfo } from '../../ipc/dispatcher';
import { isAppUrl } from './app-origin';

const WINDOW_PREFIX = 'window-';

/** The sender id for one of our windows' webContents; the ipc glue and the policy agree on it. */
export function senderIdFor(webContentsId: number): string {
  return `${WINDOW_PREFIX}${webContentsId}`;
}

/**
 * A call is trusted only when it comes from a webContents we created (not a devtools page, a
 * webview or some other window) and its frame shows the app's own page (not a page it navigated
 * to, which navigation denial should make impossible anyway).
 */
export function createSenderPolicy(ourWebContents: { has(id: number): boolean }): (sender: SenderInfo) => boolean {
  return (sender) => {
    if (!sender.id.startsWith(WINDOW_PREFIX)) return false;
    const id = Number(sender.id.slice(WINDOW_PREFIX.length));
    return Number.isSafeInteger(id) && ourWebContents.has(id) && isAppUrl(sender.url);
  };
}
