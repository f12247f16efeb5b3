/** WebAssembly, workers and WebCodecs' VideoFrame: what the software H.265 path needs from the browser. */
export function softwareHevcAvailable(): boolean {
  return typeof WebAssembly === 'object' && typeof Worker === 'function' && typeof VideoFrame === 'function';
}
