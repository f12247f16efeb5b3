/**
 * The decoder seam of the canvas player. The player demuxes fMP4 itself and hands coded pictures to a
 * `FrameDecoder`: an object with the shape of WebCodecs' `VideoDecoder` (configure / decode / flush /
 * reset / close, `VideoFrame`s to an output callback). WebCodecs' own decoder is the first provider;
 * another (a software decoder for a codec the platform lacks, e.g. H.265 in WebAssembly) registers a
 * `DecoderProvider` with `registerDecoderProvider` and the canvas player uses it for the codecs it claims.
 *
 * A provider's decoder must:
 * - accept `configure()` with WebCodecs' `VideoDecoderConfig` (`codec` as in the manifest, `description`
 *   the avcC/hvcC record, `codedWidth`/`codedHeight`), and throw or call `error` for one it can't do;
 * - take `EncodedVideoChunk`s (`type` 'key' | 'delta', `timestamp` in µs of media time; read the bytes
 *   with `chunk.copyTo()`), in decode order, each fragment opening with a key chunk;
 * - call `output` with one `VideoFrame` per decoded picture, `timestamp` copied from its chunk; the
 *   player closes every frame it is given (a decoder must not keep using a frame it has output);
 * - resolve `flush()` once every chunk given so far has been output; `reset()` drops pending work and
 *   needs a key chunk next; after `close()` nothing more is output;
 * - keep `decodeQueueSize` honest: the player feeds more only while it is small, and counts a decode's
 *   time from `decode()` to its `output`.
 */

/** What the canvas player needs of a decoder: a structural subset of WebCodecs' `VideoDecoder`. */
export interface FrameDecoder {
  readonly state: CodecState;
  readonly decodeQueueSize: number;
  configure(config: VideoDecoderConfig): void;
  decode(chunk: EncodedVideoChunk): void;
  flush(): Promise<void>;
  reset(): void;
  close(): void;
}

/** The callbacks a decoder is created with (WebCodecs' `VideoDecoderInit`). */
export interface FrameDecoderInit {
  output(frame: VideoFrame): void;
  error(error: Error): void;
}

export interface DecoderProvider {
  /** For stats and logs: 'WebCodecs', 'software HEVC', … */
  readonly name: string;
  /** Whether this provider decodes `config` on this machine. May be slow (a probe): the player caches it per codec. */
  supports(config: VideoDecoderConfig): Promise<boolean>;
  create(init: FrameDecoderInit): FrameDecoder;
}

/** The platform's WebCodecs decoder (hardware or the browser's software decoders). */
export const webCodecsProvider: DecoderProvider = {
  name: 'WebCodecs',
  async supports(config) {
    if (typeof VideoDecoder === 'undefined') return false;
    try {
      return (await VideoDecoder.isConfigSupported(config)).supported === true;
    } catch {
      return false;
    }
  },
  create: (init) => new VideoDecoder({ output: init.output, error: (e) => init.error(e) }),
};

const providers: DecoderProvider[] = [webCodecsProvider];

/**
 * Adds a decoder provider, tried before those already registered (a software decoder registered for
 * H.265 is asked before WebCodecs). Returns a function that removes it again.
 */
export function registerDecoderProvider(provider: DecoderProvider): () => void {
  providers.unshift(provider);
  return () => {
    const at = providers.indexOf(provider);
    if (at >= 0) providers.splice(at, 1);
  };
}

const supportCache = new Map<string, Promise<DecoderProvider | undefined>>();

/**
 * The first provider that decodes this configuration, or undefined when none does. Cached per codec
 * string and provider list: every tile of a wall asks, and the probe is asynchronous.
 */
export function decoderProviderFor(config: VideoDecoderConfig): Promise<DecoderProvider | undefined> {
  const key = `${providers.map((p) => p.name).join('|')} ${config.codec}`;
  let found = supportCache.get(key);
  if (!found) {
    found = (async () => {
      for (const provider of [...providers]) if (await provider.supports(config)) return provider;
      return undefined;
    })();
    supportCache.set(key, found);
  }
  return found;
}
