/** One H.265 track as the codecs bench hands it to its page (JSON: bytes as base64). */
export interface DecodeTrack {
  hvcc: number[];
  codec: string;
  width: number;
  height: number;
  fps: number;
  /** base64 samples, decode order; `key` marks sync samples. */
  samples: Array<{ data: string; key: boolean }>;
}

/** The same track with its fMP4 init segment and fragments (base64), for the transcode row. */
export interface FragmentedTrack extends DecodeTrack {
  init: string;
  fragments: string[];
}
