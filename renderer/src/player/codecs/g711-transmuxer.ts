import type shaka from 'shaka-player/dist/shaka-player.compiled.js';
import { shakaLibrary } from '../shaka';
import { g711LawOf } from './g711';
import { G711_MSE_TYPE, markG711TransmuxerInstalled } from './g711-mse';
import { convertG711Fragment, convertG711Init, type G711Track } from './g711-to-flac';

function codecsOf(mimeType: string): string | undefined {
  return /codecs\s*=\s*"?([^";]+)/i.exec(mimeType)?.[1];
}

/**
 * A Shaka transmuxer for KVS's G.711 audio track (`audio/mp4; codecs="alaw"` / `"ulaw"`, which
 * Chromium's MSE refuses): Shaka fetches, buffers and evicts the track as usual (so every request is
 * counted like any other), and each init and fragment is expanded to PCM in the renderer and handed
 * to MSE as FLAC, so the `<video>` plays the sound in step with the picture and Mute/Unmute are the
 * element's own.
 */
class G711Transmuxer implements shaka.extern.Transmuxer {
  private original = '';
  private track: G711Track | null = null;

  destroy(): void {
    this.track = null;
  }

  isSupported(mimeType: string, contentType?: string): boolean {
    if (contentType !== undefined && contentType !== 'audio') return false;
    if (!mimeType.toLowerCase().startsWith('audio/mp4')) return false;
    return g711LawOf(codecsOf(mimeType)) !== undefined && typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(G711_MSE_TYPE);
  }

  convertCodecs(_contentType: string, mimeType: string): string {
    this.original = mimeType;
    return G711_MSE_TYPE;
  }

  getOriginalMimeType(): string {
    return this.original;
  }

  async transmux(data: BufferSource, _stream: shaka.extern.Stream, reference: shaka.media.SegmentReference | null): Promise<Uint8Array> {
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    if (reference === null) {
      const converted = convertG711Init(bytes);
      this.track = converted.track;
      return converted.init;
    }
    if (!this.track) throw new Error('G.711 fragment before its init segment');
    return convertG711Fragment(bytes, this.track);
  }
}

let installed = false;

/** Registers the G.711 transmuxer with Shaka once per page; true when this browser can play its output. */
export function installG711Transmuxer(): boolean {
  if (typeof MediaSource === 'undefined' || !MediaSource.isTypeSupported(G711_MSE_TYPE)) return false;
  if (!installed) {
    const lib = shakaLibrary();
    lib.transmuxer.TransmuxerEngine.registerTransmuxer('audio/mp4', () => new G711Transmuxer(), lib.transmuxer.TransmuxerEngine.PluginPriority.APPLICATION);
    installed = true;
    markG711TransmuxerInstalled();
  }
  return true;
}
