import type { Playback, StreamRef } from '../../../shared/model';
import type { SnapshotSource } from './snapshot';

/**
 * What the wall's evidence tools (timeline, synced replay, snapshot, export) may do with one tile:
 * read its camera time and steer its player. Each tile registers one while it shows a camera.
 */
export interface TileHandle {
  readonly cell: number;
  readonly stream: StreamRef;
  /** The name shown for the camera (the stream's name). */
  readonly cameraName: string;
  playback(): Playback;
  /** Ask for another playback (a new session: LIVE, or LIVE_REPLAY from a time). */
  setPlayback(playback: Playback): void;
  /** Camera time (kvs:ts) of the picture on screen. */
  cameraTime(): number | undefined;
  /** Camera times the player has loaded around its picture. */
  loaded(): { from: number; to: number } | undefined;
  /** Moves the picture to a camera time it has loaded; false when it hasn't. */
  seekCamera(cameraTime: number): boolean;
  /** Playback rate of the picture (0 pauses it). */
  setRate(rate: number): void;
  /** The current frame, for a snapshot. */
  frame(): SnapshotSource | null;
  /** Whether the camera sends sound: true/false once the player knows, undefined before. */
  hasAudio(): boolean | undefined;
}
