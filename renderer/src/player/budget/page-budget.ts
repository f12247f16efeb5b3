import type { WallApi } from '../../../../shared/contract';
import type { DecodeSettings, StreamRef } from '../../../../shared/model';
import { DecodeBudget, type BudgetMode } from './decode-budget';
import { DEFAULT_CPU_CEILING } from './tier-decision';

let budget: DecodeBudget | undefined;
let cpuCeiling = DEFAULT_CPU_CEILING;
/** `accountId/streamName` of every camera pinned to full rate. */
let pinned = new Set<string>();

/**
 * `?decode=full` (every tile at full rate: the naive wall the benchmark compares against) or
 * `?decode=key-frames` (every tile that can); anything else: the adaptive budget.
 */
function modeFromPage(): BudgetMode {
  const asked = new URLSearchParams(globalThis.location?.search ?? '').get('decode');
  return asked === 'full' || asked === 'key-frames' ? asked : 'adaptive';
}

function keyOf(ref: StreamRef): string {
  return `${ref.accountId}/${ref.streamName}`;
}

/**
 * The page's one decode budget, made on first use. It reads the decode settings once (the settings
 * screen applies later changes with `applyDecodeSettings`), asks main for the machine's CPU
 * (`machine.load`) once a window, and publishes a snapshot on the document (`data-decode-budget`,
 * constant size) for the stats and the benchmark.
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
  // Until they arrive the defaults apply: no pins, the 80% ceiling.
  api.call('settings.get', {}).then(
    (settings) => applyDecodeSettings(settings.decode),
    () => undefined,
  );
  return created;
}

/** The decode settings as stored (`settings.decode`): the CPU ceiling from the next window, pins at once. */
export function applyDecodeSettings(settings: DecodeSettings | undefined): void {
  const percent = settings?.cpuCeilingPercent;
  cpuCeiling = percent === undefined ? DEFAULT_CPU_CEILING : Math.min(1, Math.max(0.1, percent / 100));
  pinned = new Set((settings?.fullRateCameras ?? []).map(keyOf));
  budget?.refresh();
}

/** The operator pinned this camera to full rate (settings → Decoding). */
export function isPinnedCamera(ref: StreamRef): boolean {
  return pinned.has(keyOf(ref));
}
