import type { PlayerPhase } from '../player/tile-phase';
import type { SessionView } from './session-view';

export type BadgeTone = 'live' | 'info' | 'warn' | 'error' | 'muted';

/** The state badge of a tile: a short label, a sentence for details, and a colour. */
export interface Badge {
  tone: BadgeTone;
  label: string;
  detail?: string;
}

export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Hours and minutes, the way a guard reads a wall clock: "10:42". */
export function clockMinutes(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes()].map((n) => String(n).padStart(2, '0')).join(':');
}

function retryText(at: number | undefined): string {
  return at === undefined ? '' : ` · retry ${clockTime(at)}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "0.5 fps", "1 fps": pictures a second, to one decimal when under ten. */
function fps(rate: number): string {
  return `${rate >= 10 ? Math.round(rate) : Number(rate.toFixed(1))} fps`;
}

/**
 * Folds the session broker's view and the player's phase into one honest badge. A picture that is
 * live wins: the operator sees live video whatever the broker is negotiating for later. Otherwise
 * the broker's waiting/backoff/error explains the tile, and failing that the player's phase.
 */
export function tileBadge(session: SessionView, phase: PlayerPhase | null, playbackMode: 'LIVE' | 'LIVE_REPLAY' | 'ON_DEMAND' = 'LIVE'): Badge {
  switch (session.kind) {
    case 'idle':
      return { tone: 'muted', label: 'No camera' };
    case 'waiting':
      if (phase?.kind === 'playing') break;
      // Main's sentence says why ("10 of 10 sessions on this camera are in use: 6 on this wall, 4
      // elsewhere"); the time is the page's own clock.
      return {
        tone: 'warn',
        label: session.until ? `Waiting · next one frees ${clockMinutes(session.until)}` : 'Waiting for a session',
        detail: session.reason ?? 'Every session this app may use on this camera is taken.',
      };
    case 'error':
      if (phase?.kind !== 'playing') {
        return { tone: 'error', label: `Error: ${session.error.message}${retryText(session.retryAt ?? session.error.retryAt)}`, detail: session.error.code };
      }
      break;
    case 'backoff':
      if (phase?.kind !== 'playing') {
        return { tone: 'warn', label: `Backing off${retryText(session.until)}`, ...(session.detail ? { detail: session.detail } : {}) };
      }
      break;
    case 'acquiring':
      if (!phase) return { tone: 'info', label: 'Connecting…' };
      break;
    default:
      break;
  }
  if (!phase) return { tone: 'info', label: session.kind === 'renewing' ? 'Renewing session…' : 'Connecting…' };
  switch (phase.kind) {
    case 'connecting':
      return { tone: 'info', label: 'Connecting…' };
    case 'playing': {
      const base = playbackMode === 'LIVE' ? 'LIVE' : playbackMode === 'LIVE_REPLAY' ? 'REPLAY' : 'ARCHIVE';
      const latency = playbackMode === 'LIVE' && phase.latencyMs !== undefined ? ` ${seconds(phase.latencyMs)}` : '';
      // The decode budget's tier, in the terms an operator reads: how often the picture changes.
      const rate = phase.reduced ? ` · ${fps(phase.reduced.fps)}` : '';
      const notes = phase.notes?.length ? ` · ${phase.notes.join(' · ')}` : '';
      return {
        tone: 'live',
        label: `${base}${latency}${rate}${phase.renewing ? ' · renewing' : ''}${notes}`,
        ...(phase.reduced ? { detail: 'Key frames only: this machine decodes one picture per fragment on this tile so the whole wall keeps up. Selected, maximised and pinned tiles play every frame.' } : {}),
      };
    }
    case 'buffering':
      return { tone: 'info', label: 'Buffering…' };
    case 'renewing':
      return { tone: 'info', label: 'Renewing session…', detail: 'Showing the last picture until the new session starts' };
    case 'camera-offline':
      return { tone: 'warn', label: `Camera offline · no video since ${clockTime(phase.since)}${retryText(phase.retryAt)}` };
    case 'network-offline':
      return { tone: 'error', label: `Offline · network unreachable${retryText(phase.retryAt)}` };
    case 'failed':
      return { tone: 'error', label: `Error: ${phase.message}${retryText(phase.retryAt)}` };
    case 'unsupported':
      return { tone: 'error', label: `Unsupported codec on this machine (${phase.codec})` };
    case 'paused':
      return { tone: 'muted', label: 'Paused (hidden)' };
    case 'ended':
      return { tone: 'muted', label: 'End of clip' };
  }
}

/**
 * Short words after the tile's state word, from what the player reports: the decode budget's picture rate
 * ("0.5 fps") when the tile shows key frames only, then the player's own notes ("software decode").
 */
export function tileNotes(phase: PlayerPhase | null): string[] {
  if (phase?.kind !== 'playing') return [];
  return [...(phase.reduced ? [fps(phase.reduced.fps)] : []), ...(phase.notes ?? [])];
}
