import type { CallName, CallRequest, CallResponse, EventName, EventPayload, WallApi } from '../../../shared/contract';
import type { PreloadApi } from '../../../shared/wire';
import { unwrapReply } from './reply';
import { createWsClient, socketUrlFromLocation } from './ws-client';

declare global {
  interface Window {
    /** Present only inside the Electron app, put there by the preload. */
    kvsWall?: PreloadApi;
  }
}

/**
 * The API plus what the page must know about its connection to main: the browser shell's socket can
 * drop and come back, and main then treats the page as gone until it attaches again.
 */
export interface Transport extends WallApi {
  /** Called each time the connection to main is back after a drop; Electron IPC never drops. */
  onReconnected(listener: () => void): () => void;
}

/** WallApi over the Electron preload's raw `call`/`on`. */
export function apiFromPreload(bridge: PreloadApi): Transport {
  return {
    onReconnected: () => () => undefined,
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
      return unwrapReply<CallResponse<N>>(await bridge.call(name, request), name);
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(name, listener as (payload: unknown) => void);
    },
  };
}

/** The Electron preload when there is one, otherwise the browser shell's socket for this page. */
export function chooseApi(win: Window): Transport {
  if (win.kvsWall) return apiFromPreload(win.kvsWall);
  const url = socketUrlFromLocation(win.location);
  if (!url) throw new Error('KVS Wall: this page was opened without its access token; use the address KVS Wall printed.');
  return createWsClient({ url });
}

let chosen: Transport | undefined;
const current = (): Transport => (chosen ??= chooseApi(window));

/**
 * The API the UI codes against. The transport is picked on first use, so importing this module
 * never opens a connection by itself.
 */
export const api: Transport = {
  call: (name, request) => current().call(name, request),
  on: (name, listener) => current().on(name, listener),
  onReconnected: (listener) => current().onReconnected(listener),
};
