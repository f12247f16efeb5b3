import type { WallApi } from '../../../../shared/contract';
import { DecodeBudget, type BudgetMode } from './decode-budget';
import { DEFAULT_CPU_CEILING } from './tier-decision';

let budget: DecodeBudget | undefined;
let cpuCeiling = DEFAULT_CPU_CEILING;

/**
 * `?decode=full` (every tile at full rate: the naive wall the benchmark compares against) or
 * `?decode=key-frames` (every tile that can); anything else: the adaptive budget.
 */
function modeFromPage(): BudgetMode {
  const asked = new URLSearchParams(globalThis.location?.search ?? '').get('decode');
  return asked === 'full' || asked === 'key-frames' ? asked : 'adaptive';
}

/**
 * The page's one decode budget, made on first use. It asks main for the machine's CPU (`machine.load`)
 * once a window, and publishes a snapshot on the document (`data-decode-budget`, constant size) for the
 * stats and the benchmark.
 */
export function pageBudget(api: WallApi): DecodeBudget {
  if (budget) return budget;
  const created = new DecodeBudget({
    mode: modeFromPage(),
    cores: globalThis.navigator?.hardwareConcurrency || 2,
    readCpu: () => api.call('machine.load', {}).then((load) => load.cpu),
    settings: () => ({ cpuCeiling }),
  });
  created.onChange((snapshot) => {
    if (typeof document !== 'undefined') document.documentElement.dataset['decodeBudget'] = JSON.stringify(snapshot);
  });
  budget = created;
  return created;
}

/** The settings' CPU ceiling (percent of the whole machine); applies from the next window. */
export function setCpuCeilingPercent(percent: number | undefined): void {
  cpuCeiling = percent === undefined ? DEFAULT_CPU_CEILING : Math.min(1, Math.max(0.1, percent / 100));
}
