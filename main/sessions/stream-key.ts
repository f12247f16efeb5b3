import type { Playback, StreamRef } from '../../shared/model';

/** Map key for a stream; the account id can't contain a newline, so the pair is unambiguous. */
export function streamKey(stream: StreamRef): string {
  return `${stream.accountId}\n${stream.streamName}`;
}

export function sameStream(a: StreamRef, b: StreamRef): boolean {
  return a.accountId === b.accountId && a.streamName === b.streamName;
}

export function samePlayback(a: Playback, b: Playback): boolean {
  switch (a.mode) {
    case 'LIVE':
      return b.mode === 'LIVE';
    case 'LIVE_REPLAY':
      return b.mode === 'LIVE_REPLAY' && a.start === b.start && a.selector === b.selector;
    case 'ON_DEMAND':
      return b.mode === 'ON_DEMAND' && a.start === b.start && a.end === b.end && a.selector === b.selector;
  }
}
