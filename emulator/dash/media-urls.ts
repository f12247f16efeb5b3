import { INIT_FRAGMENT_FILE, MEDIA_FRAGMENT_FILE } from '../media/mpd-builder';

export { SEQUENCE_NUMBER_PARAM, TRACK_NUMBER_PARAM } from '../media/mpd-builder';

/**
 * The GET paths of a DASH session. The init and media file names come from the MPD builder, which
 * writes them into the SegmentTemplate, so the routes can't drift from the manifests.
 */
export const DASH_BASE_PATH = '/dash/v1/';
export const DASH_ACTION_FILES = {
  getDASHManifest: 'getDASHManifest.mpd',
  getMP4InitFragment: INIT_FRAGMENT_FILE,
  getMP4MediaFragment: MEDIA_FRAGMENT_FILE,
} as const;
/** KVS's dynamic manifests ask players to refresh about once a second. */
export const MINIMUM_UPDATE_PERIOD_SECONDS = 1;
