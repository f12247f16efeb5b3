/**
 * The sentences a waiting tile shows: in words a guard understands, never a bare "9/10". Times are
 * not in them: the event's `until` is, for the page to show in its own clock ("next one frees 10:42").
 */

export type PauseCause = 'evicted' | 'throttled';

export function pauseWords(cause: PauseCause): string {
  return cause === 'evicted'
    ? "Another viewer is using this camera's sessions; waiting before asking again"
    : 'KVS is limiting requests on this camera; waiting before asking again';
}

export interface SessionsInUse {
  /** Sessions that count at KVS on the stream. */
  used: number;
  /** The service's cap per stream. */
  limit: number;
  /** Of `used`, the ones tiles of this window hold or are being given. */
  here: number;
  /** Slots left for other viewers. */
  reserve: number;
  /** Whether the slot kept for renewals is what stops a new tile. */
  renewalSpare: boolean;
}

/** "10 of 10 sessions on this camera are in use: 6 on this wall, 4 elsewhere". */
export function sessionsInUseWords(s: SessionsInUse): string {
  const here = Math.min(s.here, s.used);
  let text = `${s.used} of ${s.limit} ${s.limit === 1 ? 'session' : 'sessions'} on this camera ${s.used === 1 ? 'is' : 'are'} in use: ${here} on this wall, ${s.used - here} elsewhere`;
  // The reserve and the renewal slot are named when they are what stands between the tile and a session.
  const kept: string[] = [];
  let count = 0;
  if (s.reserve > 0) {
    kept.push(`${s.reserve} for other viewers`);
    count += s.reserve;
  }
  if (s.renewalSpare) {
    kept.push('1 for renewals');
    count += 1;
  }
  if (kept.length > 0) text += `; ${kept.join(' and ')} ${count === 1 ? 'is' : 'are'} kept free`;
  return text;
}

/** "This camera's playback share is in use: 251 of 250 media points a second". */
export function pointsShareWords(resource: 'media' | 'metadata', wouldBe: number, share: number): string {
  return `This camera's playback share is in use: ${Math.ceil(wouldBe)} of ${Math.floor(share)} ${resource} points a second`;
}

export function budgetTooSmallWords(): string {
  return 'The reserve for other viewers leaves this app no sessions on this camera; lower the reserve in the settings.';
}
