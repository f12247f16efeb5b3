import type { WallApi } from '../../../shared/contract';
import type { AccountSummary, Settings } from '../../../shared/model';

/** What every settings section is given: it saves its own fields and hands back what main stored. */
export interface SectionProps {
  api: WallApi;
  settings: Settings;
  accounts: AccountSummary[];
  onsaved: (settings: Settings) => void;
}
