import type { TimelineFragment } from '../media/api';
import { SequenceNumbers } from './sequence-numbers';

export type PlaybackMode = 'LIVE' | 'LIVE_REPLAY' | 'ON_DEMAND';
export type TimestampSelector = 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP';

export interface SessionSpec {
  readonly streamName: string;
  readonly mode: PlaybackMode;
  readonly selector: TimestampSelector;
  /** Epoch ms; LIVE_REPLAY and ON_DEMAND only. */
  readonly startMs?: number;
  readonly endMs?: number;
  readonly maxResults: number;
  readonly displayFragmentNumber: boolean;
  readonly displayFragmentTimestamp: boolean;
  readonly expiresSeconds: number;
  /** LIVE_REPLAY: the first fragment of the replay, which anchors its clock. */
  readonly replayFirst?: TimelineFragment;
  /** ON_DEMAND: the static list, fixed when the session is created. */
  readonly onDemand?: readonly TimelineFragment[];
}

export interface DashSession extends SessionSpec {
  readonly id: string;
  readonly token: string;
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly numbers: SequenceNumbers;
  /** The codec generation of the first media fragment served; later ones must match. */
  codecGeneration: number | undefined;
}

/** Why a token no longer works, kept until the session would have expired anyway. */
export interface RevokedSession {
  readonly id: string;
  readonly streamName: string;
  readonly expiresMs: number;
  readonly reason: 'evicted' | 'revoked' | 'stream-deleted';
}
