/** The software H.265 decoder provider's name (stats; the tile's "software decode" note). */
export const SOFTWARE_HEVC_DECODER = 'software H.265';

/** WebAssembly, workers and WebCodecs' VideoFrame: what the software H.265 path needs from the browser. */
export function softwareHevcAvailable(): boolean {
  return typeof WebAssembly === 'object' && typeof Worker === 'function' && typeof VideoFrame === 'function';
}
