/**
 * Whether G.711 can reach MSE on this page: its track is rewritten as FLAC in MP4 (g711-to-flac.ts) by
 * a Shaka transmuxer (g711-transmuxer.ts). Kept apart from the transmuxer so the decision can be
 * asked without loading Shaka.
 */
export const G711_MSE_TYPE = 'audio/mp4; codecs="flac"';

let installed = false;

export function markG711TransmuxerInstalled(): void {
  installed = true;
}

export function g711PlayableThroughMse(): boolean {
  return installed && typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(G711_MSE_TYPE);
}
