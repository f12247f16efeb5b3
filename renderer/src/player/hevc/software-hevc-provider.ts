import { registerDecoderProvider, webCodecsProvider, type DecoderProvider } from '../canvas/frame-decoder';
import { isHevc } from '../codecs/playback-plan';
import { SOFTWARE_HEVC_DECODER, softwareHevcAvailable } from './availability';
import { SoftwareHevcDecoder } from './software-hevc-decoder';

/**
 * The software H.265 decoder as a canvas-player decoder provider. It steps aside wherever the platform
 * decodes H.265 itself (WebCodecs: hardware on Windows, macOS, VAAPI Linux), which costs no CPU here.
 */
export const softwareHevcProvider: DecoderProvider = {
  name: SOFTWARE_HEVC_DECODER,
  async supports(config) {
    if (!isHevc(config.codec) || !softwareHevcAvailable()) return false;
    return !(await webCodecsProvider.supports(config));
  },
  create: (init) => new SoftwareHevcDecoder(init),
};

let registered = false;

/** Registers the provider once per page (the app does this at start; tests may too). */
export function useSoftwareHevc(): void {
  if (registered) return;
  registered = true;
  registerDecoderProvider(softwareHevcProvider);
}
