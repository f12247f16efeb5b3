import type { PlaybackMode } from './playback-mode';
import type { PlayerPhase } from '../player/tile-phase';
import type { SessionView } from './session-view';
import { behindText, dateText, timeText, type ClockZone } from '../lib/clock-zone';

/**
 * The one word a tile's bar shows for its state, each with its own colour (see Tile's CSS), so a
 * guard across the room tells LIVE from a REPLAY or a frozen OFFLINE picture at a glance.
 */
export type StateWord = 'LIVE' | 'REPLAY' | 'ARCHIVE' | 'CONNECTING' | 'BUFFERING' | 'WAITING' | 'OFFLINE' | 'ERROR' | 'PAUSED' | 'ENDED' | 'EMPTY';

export interface TileState {
  word: StateWord;
  /** What goes with the word: "−4:12" behind live, "29 Nov 14:03" of an archive, "last seen 10:42:17". */
  extra?: string;
  /** The picture is not current (offline, waiting, error): dim it, so a frozen frame never passes for live. */
  stale: boolean;
}

export interface StateFacts {
  session: SessionView;
  phase: PlayerPhase | null;
  mode: PlaybackMode;
  /** Camera time (kvs:ts) of the picture on screen, when known. */
  cameraTime: number | undefined;
  /** The newest camera time this tile has shown: when the camera was last seen. */
  lastSeen: number | undefined;
  now: number;
  zone: ClockZone;
}

function playingWord(facts: StateFacts): TileState {
  const { mode, cameraTime, now, zone } = facts;
  if (mode === 'LIVE') return { word: 'LIVE', stale: false };
  if (mode === 'LIVE_REPLAY') return { word: 'REPLAY', stale: false, ...(cameraTime !== undefined ? { extra: behindText(now - cameraTime) } : {}) };
  return { word: 'ARCHIVE', stale: false, ...(cameraTime !== undefined ? { extra: `${dateText(cameraTime, zone)} ${timeText(cameraTime, zone, false)}` } : {}) };
}

function offline(facts: StateFacts, since: number | undefined): TileState {
  const seen = facts.lastSeen ?? since;
  return { word: 'OFFLINE', stale: true, ...(seen !== undefined ? { extra: `last seen ${timeText(seen, facts.zone)}` } : {}) };
}

/**
 * A picture that is playing wins: the operator sees current video whatever the broker negotiates for
 * later. Otherwise the broker's waiting or error explains the tile, and failing that the player.
 */
export function tileState(facts: StateFacts): TileState {
  const { session, phase } = facts;
  const playing = phase?.kind === 'playing';
  if (session.kind === 'idle') return { word: 'EMPTY', stale: false };
  if (!playing) {
    if (session.kind === 'waiting') return { word: 'WAITING', stale: true, ...(session.until !== undefined ? { extra: `until ${timeText(session.until, facts.zone, false)}` } : {}) };
    if (session.kind === 'error') return { word: 'ERROR', stale: true };
    if (session.kind === 'backoff') return { word: 'WAITING', stale: true, ...(session.until !== undefined ? { extra: `retry ${timeText(session.until, facts.zone)}` } : {}) };
  }
  if (!phase) return { word: 'CONNECTING', stale: false };
  switch (phase.kind) {
    case 'playing':
      return playingWord(facts);
    case 'connecting':
      return { word: 'CONNECTING', stale: false };
    case 'renewing':
    case 'buffering':
      return { word: 'BUFFERING', stale: false };
    case 'camera-offline':
      return offline(facts, phase.since);
    case 'network-offline':
      return offline(facts, undefined);
    case 'failed':
    case 'unsupported':
      return { word: 'ERROR', stale: true };
    case 'paused':
      return { word: 'PAUSED', stale: false };
    case 'ended':
      return { word: 'ENDED', stale: false };
  }
}

/**
 * A name shortened in its middle to `max` characters ("Loading…Dock-2"), keeping the start (site) and
 * the end (number) that tell cameras apart; the full name goes in the tooltip.
 */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…';
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/**
 * The longest middle-ellipsis form of `text` whose width (by `measure`, in px) fits `width`: the
 * whole name when it fits, else as many characters of its start and end as the bar has room for.
 */
export function fitMiddle(text: string, width: number, measure: (text: string) => number): string {
  if (measure(text) <= width) return text;
  let lo = 1;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(middleEllipsis(text, mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return middleEllipsis(text, lo);
}
