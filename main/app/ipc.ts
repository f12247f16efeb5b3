import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Dispatch, SenderInfo } from '../ipc/dispatcher';
import type { EventHub } from '../ipc/events';
import { CALL_CHANNEL, EVENT_CHANNEL } from './policy/channels';
import { senderIdFor } from './policy/sender';

/** Who called, as far as Electron can tell; the dispatcher's sender policy decides whether to trust it. */
export function describeSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): SenderInfo {
  let url = '';
  try {
    url = event.senderFrame?.url ?? '';
  } catch {
    // A frame that navigated or was destroyed mid-call has no URL to trust.
  }
  return { id: senderIdFor(event.sender.id), url };
}

/** One channel for every call; the dispatcher checks sender, name and payload. */
export function wireCalls(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: Dispatch): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, name: unknown, payload: unknown) => dispatch(name, payload, describeSender(event)));
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/** Forwards events to one window until it is destroyed, then tells the core its sessions are free. */
export function wireWindowEvents(contents: WebContents, events: EventHub, onGone: (senderId: string) => void): void {
  const senderId = senderIdFor(contents.id);
  const unsubscribe = events.subscribe(senderId, (name, payload) => {
    if (contents.isDestroyed()) return false;
    contents.send(EVENT_CHANNEL, name, payload);
    return true;
  });
  contents.once('destroyed', () => {
    unsubscribe();
    onGone(senderId);
  });
}
