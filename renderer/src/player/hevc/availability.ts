/** The software H.265 decoder provider's name (stats; the tile's "software decode" note). */
export const SOFTWARE_HEVC_DECODER = 'software H.265';

/**
 * Full-rate slots of the decode budget one software-decoded H.265 tile takes (the budget starts at 4
 * a core, each a platform-decoded tile). The codecs bench (docs/codecs.md) measured a 640×360 camera
 * at 27 ms of CPU a frame, about 0.7 of a core at 25 fps (3 slots), and 1280×720 at about five times
 * that: the cost follows the pixels.
 */
export const SOFTWARE_SLOTS_AT_360P = 3;

export function softwareDecodeSlots(width = 640, height = 360): number {
  return Math.max(SOFTWARE_SLOTS_AT_360P, Math.ceil((SOFTWARE_SLOTS_AT_360P * width * height) / (640 * 360)));
}

/** WebAssembly, workers and WebCodecs' VideoFrame: what the software H.265 path needs from the browser. */
export function softwareHevcAvailable(): boolean {
  return typeof WebAssembly === 'object' && typeof Worker === 'function' && typeof VideoFrame === 'function';
}
