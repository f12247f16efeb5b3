import type { Clip, Timeline } from '../media/api';

export type StreamStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';

/** What the producer declares about the track it sends; a control can change it to model a codec switch. */
export interface TrackCodec {
  /** KVS codec id such as 'V_MPEG4/ISO/AVC'. */
  kvsCodecId: string;
  hasCodecPrivateData: boolean;
  /** Bumped on every change so a session can tell fragments of another codec apart. */
  generation: number;
  /** Fragments whose producer time is at or after this belong to this generation. */
  sinceMs: number;
}

export interface StreamRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTimeMs: number;
  readonly mediaType: string | undefined;
  readonly dataRetentionInHours: number;
  readonly deviceName: string | undefined;
  readonly kmsKeyId: string;
  readonly version: string;
  status: StreamStatus;
  /** TagStream/UntagStream change it in place; insertion order is the order ListTagsForStream returns. */
  readonly tags: Map<string, string>;
  /** A camera with media; streams created through the API have none until a producer sends. */
  readonly media: { readonly clip: Clip; readonly timeline: Timeline } | undefined;
  codec: TrackCodec;
  /** Previous codec generations, newest last, for fragments produced before the latest change. */
  codecHistory: TrackCodec[];
}

/** The two track-1 codecs KVS can package as DASH. */
export const PLAYABLE_CODEC_IDS: ReadonlySet<string> = new Set(['V_MPEG4/ISO/AVC', 'V_MPEGH/ISO/HEVC']);

export function codecAt(stream: StreamRecord, producerMs: number): TrackCodec {
  if (producerMs >= stream.codec.sinceMs) return stream.codec;
  for (let i = stream.codecHistory.length - 1; i >= 0; i--) {
    const c = stream.codecHistory[i];
    if (c && producerMs >= c.sinceMs) return c;
  }
  return stream.codecHistory[0] ?? stream.codec;
}
