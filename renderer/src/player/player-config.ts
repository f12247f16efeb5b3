import { PRESENTATION_DELAY_SEC } from './live-phase';
import type { ShakaError, ShakaPlayer } from './shaka';

/**
 * Retries sized for KVS's per-session quotas (5 manifest/s, 5 init/s, 10 fragments/s): a tile polls
 * about once every 2 s, so three attempts a second or more apart can never trip them, even on 64 tiles.
 */
const RETRY = { maxAttempts: 3, baseDelay: 1000, backoffFactor: 2, fuzzFactor: 0.5, timeout: 10_000, stallTimeout: 5_000, connectionTimeout: 5_000 };

/**
 * The measured wall settings (DESIGN §5, live-dash prototype §6): modest buffers (a KVS live window of
 * 5 fragments caps them anyway), one MPD poll per fragment timed by the layer (live-phase.ts), no
 * lowLatencyMode or liveSync (both made 2 s-fragment streams rebuffer or drift), and no fetching while a
 * tile is paused.
 */
export function wallPlayerConfig(failureCallback: (error: ShakaError) => void, { withAudio }: { withAudio: boolean } = { withAudio: true }): object {
  return {
    streaming: {
      bufferingGoal: 6,
      rebufferingGoal: 1.5,
      bufferBehind: 10,
      lowLatencyMode: false,
      stopFetchingOnPause: true,
      returnToEndOfLiveWindowWhenOutside: true,
      // With nothing left to fetch Shaka looks for a new fragment only this often (default 1 s): a
      // fragment a manifest poll just listed would wait up to a second more, eating the live margin.
      updateIntervalSeconds: 0.25,
      retryParameters: RETRY,
      failureCallback,
    },
    manifest: {
      // -1: poll at the MPD's minimumUpdatePeriod, which the layer rewrites on every response to land
      // just after the next fragment is due (live-phase.ts) — still one poll per 2 s fragment.
      updatePeriod: -1,
      // Only the bound of Shaka's seek range, whatever the MPD suggests: the layer picks every live start
      // and catch-up target itself (live-phase.ts). A whole fragment here kept tiles whose first manifest
      // came late in a fragment up to 1.3 s behind their target for the whole session, since the
      // browser clamps a catch-up jump to that range. Shaka's own start at its randomly phased edge with
      // this short delay would rebuffer (prototype §2), so the layer always sets one.
      defaultPresentationDelay: PRESENTATION_DELAY_SEC,
      dash: { ignoreSuggestedPresentationDelay: true },
      retryParameters: RETRY,
      // A muted tile fetches no audio: every audio fragment costs a media point in the points quota
      // model. Unmuting reloads the tile with audio, make-before-break (Shaka can't add a track later).
      disableAudio: !withAudio,
    },
    // One rendition per KVS stream: nothing for ABR to choose, so don't let it probe.
    abr: { enabled: false },
  };
}

/** Shaka only logs an unknown key and carries on; a typo would silently undo a measured setting. */
export function applyConfig(player: ShakaPlayer, config: object): void {
  if (!player.configure(config)) {
    throw new Error(`Shaka rejected part of the player configuration: ${JSON.stringify(config, (_k, v: unknown) => (typeof v === 'function' ? '[function]' : v))}`);
  }
}
