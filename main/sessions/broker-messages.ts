import type { LanePause } from './broker-records';
import { timeOfDay } from './time-of-day';

/** Sentences the operator reads on a tile's badge. */

export function pauseDetail(pause: LanePause): string {
  return pause.cause === 'evicted'
    ? `Another viewer is using this stream's sessions; retrying at ${timeOfDay(pause.until)}`
    : `KVS is limiting session requests on this stream; retrying at ${timeOfDay(pause.until)}`;
}

export function budgetFullDetail(budget: number, streamName: string, until: number): string {
  return `All ${budget} session slots this app may use on ${streamName} are taken; one frees at ${timeOfDay(until)}`;
}
