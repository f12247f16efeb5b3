/**
 * Latency that recovers. Shaka never catches up on its own: every stall (a CPU spike, a slow fragment,
 * a grid change's burst of starts, a machine waking from sleep) leaves a live tile that much further
 * behind, for good. Once a second the tile compares its picture with its live target (where a fresh
 * start would play now, live-phase.ts) and:
 * - behind by a little, twice running: plays slightly fast until back (no jump in the picture);
 * - behind by more, and the buffer already holds the target: jumps there (a seek inside the buffer is
 *   instant: no fetch, no black frame — the picture skips forward);
 * - far behind (longer than the live window holds, e.g. after sleep): jumps to the target whatever
 *   the buffer says; the player fetches from there.
 * Back within a quarter second of the target, the rate returns to 1.
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
}

export type CatchUpAction = { kind: 'none' } | { kind: 'seek'; toSec: number } | { kind: 'rate'; rate: number };

/** Behind by more than this (s), two checks running: act. */
export const BEHIND_SEC = 0.6;
/** Behind by more than this: jump rather than play fast (at 1.15× a second takes ~7 s to make up). */
export const JUMP_BEHIND_SEC = 1.2;
/** Behind by more than this: jump even if the buffer doesn't hold the target yet. */
export const FAR_BEHIND_SEC = 8;
/** A jump needs this much buffered past the target, or the player would stall right after it. */
const BUFFER_PAST_TARGET_SEC = 0.6;
const BACK_SEC = 0.25;
export const CATCH_UP_RATE = 1.15;
const CHECKS = 2;

export class CatchUp {
  private behindChecks = 0;

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
    const buffered = input.bufferedEndSec >= input.targetSec + BUFFER_PAST_TARGET_SEC;
    if ((behind > JUMP_BEHIND_SEC && buffered) || behind > FAR_BEHIND_SEC) {
      this.behindChecks = 0;
      return { kind: 'seek', toSec: input.targetSec };
    }
    return input.rate === CATCH_UP_RATE ? { kind: 'none' } : { kind: 'rate', rate: CATCH_UP_RATE };
  }

  reset(): void {
    this.behindChecks = 0;
  }
}
