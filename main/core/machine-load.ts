import { cpus } from 'node:os';

/** Cumulative CPU times of every core, as `os.cpus()` reports them (ms since boot). */
export interface CpuTimes {
  idle: number;
  total: number;
}

export function readCpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const core of cpus()) {
    const t = core.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Snapshots older than this are forgotten; the answer spans about `WINDOW_MS`. */
const KEEP_MS = 10_000;
const WINDOW_MS = 2000;
/** Two snapshots closer than this say nothing reliable (the counters tick every 10 ms per core). */
const MIN_SPAN_MS = 500;

/**
 * How busy the whole machine is: the share of all cores' time not idle over about the last two
 * seconds (Linux /proc/stat, macOS host statistics and Windows processor times, through Node's
 * `os.cpus()`). Each question adds a snapshot and is answered against the one closest to two seconds
 * earlier, so several windows asking at their own pace don't disturb each other.
 */
export class MachineLoad {
  private snapshots: Array<{ at: number; times: CpuTimes }> = [];

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly read: () => CpuTimes = readCpuTimes,
    readonly cores: number = Math.max(1, cpus().length),
  ) {}

  /** Busy share 0–1 and the span it covers, or undefined for the span when there is no earlier snapshot yet. */
  sample(): { cpu: number | undefined; spanMs: number | undefined; cores: number } {
    const at = this.now();
    const times = this.read();
    this.snapshots = this.snapshots.filter((s) => at - s.at <= KEEP_MS);
    let base: { at: number; times: CpuTimes } | undefined;
    for (const s of this.snapshots) {
      if (at - s.at < MIN_SPAN_MS) continue;
      if (!base || Math.abs(at - s.at - WINDOW_MS) < Math.abs(at - base.at - WINDOW_MS)) base = s;
    }
    this.snapshots.push({ at, times });
    if (!base) return { cpu: undefined, spanMs: undefined, cores: this.cores };
    const total = times.total - base.times.total;
    const idle = times.idle - base.times.idle;
    if (!(total > 0)) return { cpu: undefined, spanMs: undefined, cores: this.cores };
    return { cpu: Math.min(1, Math.max(0, 1 - idle / total)), spanMs: Math.round(at - base.at), cores: this.cores };
  }
}
