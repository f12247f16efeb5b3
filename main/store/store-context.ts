import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { NoticeSink } from './notices';

/** What every typed store needs: where the user-data folder is, plus the injected clock, notices and log. */
export interface StoreContext {
  dir: string;
  clock?: Clock;
  notices?: NoticeSink;
  logger?: Logger;
}
