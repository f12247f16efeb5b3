import shaka from 'shaka-player/dist/shaka-player.compiled.js';

let polyfilled = false;

/** The Shaka namespace, with its polyfills installed once per page before any player exists. */
export function shakaLibrary(): typeof shaka {
  if (!polyfilled) {
    shaka.polyfill.installAll();
    polyfilled = true;
  }
  return shaka;
}

export type ShakaPlayer = shaka.Player;
export type ShakaError = shaka.util.Error;
export type ShakaResponse = shaka.extern.Response;
export type ShakaRequest = shaka.extern.Request;
export type ShakaRequestType = shaka.net.NetworkingEngine.RequestType;
