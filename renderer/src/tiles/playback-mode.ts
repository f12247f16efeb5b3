import type { Playback } from '../../../shared/model';

export type PlaybackMode = Playback['mode'];
