import type { TimerHandle } from '../core/clock';
import type { Grant, Playback, StreamRef } from '../../shared/model';
import type { TokenBucket } from './token-bucket';
import type { AcquireResult, BrokerEventMap } from './types';

/** What the broker remembers per tile and per stream between calls. */

export type RequestKind = 'first' | 'renew';
export type TileState = BrokerEventMap['state'];
export type Blocked = 'none' | 'paused' | 'budget' | 'pacing';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export interface TileRecord {
  readonly tileId: string;
  readonly stream: StreamRef;
  readonly playback: Playback;
  readonly lane: StreamLane;
  /** The session the tile was last handed. */
  grant?: Grant;
  /** The player can no longer use `grant` (evicted, refused, or the stream went quiet). */
  grantLost: boolean;
  /** Waiting in the lane for a slot, a token or the end of a pause. */
  pending?: { kind: RequestKind; deadline: number; queuedAt: number };
  inFlight: boolean;
  /** Renewal or retry. */
  timer?: TimerHandle;
  /** The answer an `acquire` call is still waiting for. */
  answer?: Deferred<AcquireResult>;
  lastState?: TileState;
  /** Stopped until the tile is acquired again. */
  fatal: boolean;
  closed: boolean;
  transientFailures: number;
}

export interface LanePause {
  until: number;
  cause: 'evicted' | 'throttled';
}

/** Everything the broker does for one stream: its tiles, call pacing, and pauses. */
export interface StreamLane {
  readonly stream: StreamRef;
  readonly bucket: TokenBucket;
  readonly tiles: Set<TileRecord>;
  pause?: LanePause;
  evictionStreak: number;
  lastEvictionAt?: number;
  throttleStreak: number;
  wakeTimer?: TimerHandle;
  wakeAt?: number;
  lastBudgetKey?: string;
}

export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
