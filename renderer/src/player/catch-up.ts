/**
 * Latency that recovers. Shaka never catches up on its own: every stall (a CPU spike, a slow fragment,
 * a grid change's burst of starts, a machine waking from sleep) leaves a live tile that much further
 * behind, for good. Once a second the tile compares its picture with its live target (where a fresh
 * start would play now, live-phase.ts) and:
 * - behind by a little, twice running: plays slightly fast until back (no jump in the picture);
 * - behind by more, and the buffer already holds the target: jumps to the key frame at or before the
 *   target (every KVS fragment opens with one), when that is still a worthwhile jump. A seek to a key
 *   frame inside the buffer shows a picture at once: no fetch, no black frame — the picture skips
 *   forward. A seek between key frames would first decode every frame from the previous key frame,
 *   which a busy machine does slowly, the picture frozen meanwhile;
 * - one jump at most every 10 s: a machine that can't keep up would otherwise jump again and again
 *   (the decode budget sheds tiles for that); slightly fast play carries on between jumps;
 * - far behind (longer than the live window holds, e.g. after sleep): jumps to the target whatever
 *   the buffer says; the player fetches from there.
 * Back within a tenth of a second of the target, the rate returns to 1.
 */

export interface CatchUpInput {
  /** The picture's media time (s). */
  currentSec: number;
  /** Where a fresh live start would play now (s). */
  targetSec: number;
  /** End of the buffered range holding the picture (s). */
  bufferedEndSec: number;
  /** Playback rate now. */
  rate: number;
  /** The latest key frame (fragment start) at or before the target, when known (s). */
  keyFrameSec?: number;
  /** Now, on any monotonic clock (ms). */
  nowMs: number;
}

export type CatchUpAction = { kind: 'none' } | { kind: 'seek'; toSec: number } | { kind: 'rate'; rate: number };

/**
 * Behind by more than this (s), two checks running: act. The target already holds the whole margin a
 * live picture needs (live-phase.ts), so what is left alone here is latency the wall could do without.
 */
export const BEHIND_SEC = 0.4;
/** Behind by more than this: jump rather than play fast (at 1.25× a second takes 4 s to make up). */
export const JUMP_BEHIND_SEC = 1.2;
/** Behind by more than this: jump even if the buffer doesn't hold the target yet. */
export const FAR_BEHIND_SEC = 8;
/** A jump needs this much buffered past the target, or the player would stall right after it. */
const BUFFER_PAST_TARGET_SEC = 0.6;
const BACK_SEC = 0.1;
/**
 * Fast enough that what a jump to a key frame leaves (up to one 2 s fragment) is made up within 8 s, so a
 * stalled tile is back within the 10 s asked for; slow enough to look like motion, not fast-forward.
 */
export const CATCH_UP_RATE = 1.25;
const CHECKS = 2;
/** Jumps closer together than this (ms) are not made, unless far behind. */
export const JUMP_COOLDOWN_MS = 10_000;

export class CatchUp {
  private behindChecks = 0;
  private lastJumpMs = -Infinity;

  decide(input: CatchUpInput): CatchUpAction {
    const behind = input.targetSec - input.currentSec;
    if (!Number.isFinite(behind)) return { kind: 'none' };
    if (behind <= BACK_SEC) {
      this.behindChecks = 0;
      return input.rate !== 1 ? { kind: 'rate', rate: 1 } : { kind: 'none' };
    }
    if (behind <= BEHIND_SEC) {
      // Catching up already: carry on until back; otherwise this is within the normal jitter.
      this.behindChecks = 0;
      return { kind: 'none' };
    }
    this.behindChecks += 1;
    if (this.behindChecks < CHECKS) return { kind: 'none' };
    if (behind > FAR_BEHIND_SEC) return this.jump(input.keyFrameSec !== undefined && input.keyFrameSec <= input.targetSec && input.keyFrameSec > input.currentSec ? input.keyFrameSec : input.targetSec, input.nowMs);
    const buffered = input.bufferedEndSec >= input.targetSec + BUFFER_PAST_TARGET_SEC;
    const to = input.keyFrameSec !== undefined && input.keyFrameSec <= input.targetSec ? input.keyFrameSec : input.targetSec;
    const worthIt = to - input.currentSec > JUMP_BEHIND_SEC;
    if (behind > JUMP_BEHIND_SEC && buffered && worthIt && input.nowMs - this.lastJumpMs >= JUMP_COOLDOWN_MS) return this.jump(to, input.nowMs);
    return input.rate === CATCH_UP_RATE ? { kind: 'none' } : { kind: 'rate', rate: CATCH_UP_RATE };
  }

  reset(): void {
    this.behindChecks = 0;
  }

  private jump(toSec: number, nowMs: number): CatchUpAction {
    this.behindChecks = 0;
    this.lastJumpMs = nowMs;
    return { kind: 'seek', toSec };
  }
}
