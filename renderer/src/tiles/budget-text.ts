import type { EventPayload } from '../../../shared/contract';
import { clockMinutes } from './tile-badge';

export type Budget = EventPayload<'session.budget'>;

/** A stream's quota use in words: a short label for the tile's footer and a sentence for its tooltip. */
export interface BudgetText {
  label: string;
  title: string;
  /** Nothing more can start on this camera now. */
  full: boolean;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const plural = (n: number, one: string, many: string): string => `${count(n)} ${n === 1 ? one : many}`;

function pooledText(pooled: number): string {
  if (pooled === 0) return 'none of them is free for the next tile';
  return `${pooled === 1 ? '1 of them is' : `${count(pooled)} of them are`} free in the pool, ready for the next tile`;
}

/** Never a bare "9/10": what is counted, against what, and what is ready for reuse. */
export function budgetText(budget: Budget): BudgetText {
  if (budget.model === 'points') return pointsText(budget);
  const { used, limit, pooled, nextFreeAt } = budget;
  if (limit === undefined) {
    return { label: plural(used, 'session', 'sessions'), title: `This app counts ${plural(used, 'session', 'sessions')} on this camera; ${pooledText(pooled)}.`, full: false };
  }
  const full = used >= limit;
  const frees = full && nextFreeAt !== undefined ? ` The next one stops counting at ${clockMinutes(nextFreeAt)}.` : '';
  return {
    label: `${count(used)} of ${plural(limit, 'session', 'sessions')}`,
    title: `This app counts ${count(used)} of the ${plural(limit, 'session', 'sessions')} it may use on this camera (the camera's limit less the reserve for other viewers); ${pooledText(pooled)}.${frees}`,
    full,
  };
}

function pointsText(budget: Budget): BudgetText {
  const open = `${plural(budget.used, 'session', 'sessions')} open, ${count(budget.pooled)} free in the pool`;
  const points = budget.points;
  if (!points) return { label: `${plural(budget.used, 'session', 'sessions')} open`, title: `This camera has no session cap (points quota): ${open}.`, full: false };
  const mediaRatio = points.mediaShare > 0 ? points.mediaPerSecond / points.mediaShare : 0;
  const metadataRatio = points.metadataShare > 0 ? points.metadataPerSecond / points.metadataShare : 0;
  // The label shows whichever budget is closer to its share: that one limits new tiles.
  const label =
    metadataRatio > mediaRatio
      ? `${count(points.metadataPerSecond)} of ${count(points.metadataShare)} metadata points/s`
      : `${count(points.mediaPerSecond)} of ${count(points.mediaShare)} media points/s`;
  return {
    label,
    title:
      `This app's share of this camera's playback points, per second: ${count(points.mediaPerSecond)} of ${count(points.mediaShare)} media points ` +
      `and ${count(points.metadataPerSecond)} of ${count(points.metadataShare)} metadata points; ${open}.`,
    full: mediaRatio >= 1 || metadataRatio >= 1,
  };
}
