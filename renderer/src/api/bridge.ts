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

/** WallApi over the Electron preload's raw `call`/`on`. */
export function apiFromPreload(bridge: PreloadApi): WallApi {
  return {
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
      return unwrapReply<CallResponse<N>>(await bridge.call(name, request), name);
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(name, listener as (payload: unknown) => void);
    },
  };
}

/** The Electron preload when there is one, otherwise the browser shell's socket for this page. */
export function chooseApi(win: Window): WallApi {
  if (win.kvsWall) return apiFromPreload(win.kvsWall);
  const url = socketUrlFromLocation(win.location);
  if (!url) throw new Error('KVS Wall: this page was opened without its access token; use the address KVS Wall printed.');
  return createWsClient({ url });
}

let chosen: WallApi | undefined;
const current = (): WallApi => (chosen ??= chooseApi(window));

/**
 * The API the UI codes against. The transport is picked on first use, so importing this module
 * never opens a connection by itself.
 */
export const api: WallApi = {
  call: (name, request) => current().call(name, request),
  on: (name, listener) => current().on(name, listener),
};
