/** Why a file could not become a stream; each code has a message that names the file and the fix. */
export type ClipLoadErrorCode =
  | 'NOT_FOUND'
  | 'NOT_A_FILE'
  | 'EMPTY'
  | 'TOO_LARGE'
  | 'NOT_MP4'
  | 'TRUNCATED'
  | 'MALFORMED'
  | 'NO_VIDEO_TRACK'
  | 'NO_FRAGMENTS'
  | 'REMUX_UNAVAILABLE'
  | 'REMUX_FAILED';

export class ClipLoadError extends Error {
  constructor(
    readonly code: ClipLoadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClipLoadError';
  }
}
