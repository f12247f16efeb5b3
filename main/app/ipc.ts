import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Dispatch, SenderInfo } from '../ipc/dispatcher';
import type { EventHub } from '../ipc/events';
import { CALL_CHANNEL, EVENT_CHANNEL } from './policy/channels';
import { senderIdFor } from './policy/sender';

/** The stable window id of one of our windows' webContents, if it is one. */
export type WindowIdOf = (webContentsId: number) => string | undefined;

/** Who called, as far as Electron can tell; the dispatcher's sender policy decides whether to trust it. */
export function describeSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, windowIdOf: WindowIdOf = () => undefined): SenderInfo {
  let url = '';
  try {
    url = event.senderFrame?.url ?? '';
  } catch {
    // A frame that navigated or was destroyed mid-call has no URL to trust.
  }
  const windowId = windowIdOf(event.sender.id);
  return { id: senderIdFor(event.sender.id), url, ...(windowId !== undefined ? { windowId } : {}) };
}

/** One channel for every call; the dispatcher checks sender, name and payload. */
export function wireCalls(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: Dispatch, windowIdOf?: WindowIdOf): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, name: unknown, payload: unknown) => dispatch(name, payload, describeSender(event, windowIdOf)));
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/**
 * Forwards events to one window until it is destroyed, and tells the core whenever the page it
 * shows is gone: the window closed, its renderer process died, or it started loading another
 * document (a reload) — that page's tiles give their sessions back to the pool, and the next page
 * attaches afresh.
 */
export function wireWindowEvents(contents: WebContents, events: EventHub, onPageGone: (senderId: string) => void): void {
  const senderId = senderIdFor(contents.id);
  const unsubscribe = events.subscribe(senderId, (name, payload) => {
    if (contents.isDestroyed()) return false;
    contents.send(EVENT_CHANNEL, name, payload);
    return true;
  });
  contents.on('render-process-gone', () => onPageGone(senderId));
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) onPageGone(senderId);
  });
  contents.once('destroyed', () => {
    unsubscribe();
    onPageGone(senderId);
  });
}

/** The lowest `w<n>` no open window has: a lone wall window is `w1` in every run, so it finds its pooled sessions again. */
export function nextWindowId(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) if (!used.has(`w${n}`)) return `w${n}`;
}
