import { writable } from 'svelte/store';
import type { ClockZoneChoice } from './clock-zone';

/**
 * The clock every time on the wall is shown in (tile clocks, badges, the timeline), as chosen in
 * Settings. Read once from main's settings at start and set again when the operator saves another.
 */
export const clockChoice = writable<ClockZoneChoice>('operator');
