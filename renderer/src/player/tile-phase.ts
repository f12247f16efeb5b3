/**
 * A live tile the decode budget lowered to key frames: one picture per fragment, `fps` of them a second
 * (0.5 with 2 s fragments). Absent: every frame (full rate).
 */
export interface ReducedRate {
  tier: 'key-frames';
  fps: number;
}

/** What the player of one tile is doing, as the operator should be told. */
export type PlayerPhase =
  | { kind: 'connecting' }
  /** `notes`: what the operator should know about this picture ("audio: G.711 not supported", "software decode"). */
  | { kind: 'playing'; latencyMs?: number; renewing: boolean; reduced?: ReducedRate; notes?: string[] }
  | { kind: 'buffering' }
  /** The session was refused; the picture is the last one until a renewed session arrives. */
  | { kind: 'renewing' }
  /** No new fragments: the camera stopped sending (or none arrived lately). `since` is epoch ms. */
  | { kind: 'camera-offline'; since: number; retryAt?: number }
  | { kind: 'network-offline'; retryAt?: number }
  | { kind: 'failed'; message: string; retryAt?: number }
  | { kind: 'unsupported'; codec: string }
  | { kind: 'paused' }
  | { kind: 'ended' };

export function samePhase(a: PlayerPhase, b: PlayerPhase): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
