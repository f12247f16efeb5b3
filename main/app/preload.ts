import { contextBridge, ipcRenderer } from 'electron';
import type { PreloadApi } from '../../shared/wire';
import { CALL_CHANNEL, EVENT_CHANNEL } from './policy/channels';

/*
 * Runs sandboxed, so it is bundled to CommonJS and imports nothing from Node. It exposes exactly
 * the contract's two verbs: main validates every call, so this stays a pipe.
 */

const listeners = new Map<string, Set<(payload: unknown) => void>>();

// One IPC listener for all events: a 64-tile wall subscribing per tile would otherwise trip
// Node's max-listeners warning and cost a dispatch per listener per event.
ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of [...(listeners.get(name) ?? [])]) {
    try {
      listener(payload);
    } catch (err) {
      console.error(err);
    }
  }
});

const kvsWall: PreloadApi = {
  call(name, payload) {
    if (typeof name !== 'string') return Promise.reject(new TypeError('call name must be a string'));
    return ipcRenderer.invoke(CALL_CHANNEL, name, payload);
  },
  on(name, listener) {
    if (typeof name !== 'string' || typeof listener !== 'function') throw new TypeError('on(name: string, listener: function)');
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && listeners.get(name) === set) listeners.delete(name);
    };
  },
};

contextBridge.exposeInMainWorld('kvsWall', kvsWall);
