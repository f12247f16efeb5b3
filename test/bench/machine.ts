/**
 * What the benches measure of the machine and of Chromium: CPU busy over an interval (all cores, from
 * os.cpus(): the same reading main's machine.load gives the decode budget), the load average (other
 * engineers' runs share these cores: every number is reported next to it), and the proportional set size
 * of Chromium's processes (renderers from CDP SystemInfo.getProcessInfo, PSS from /proc/<pid>/smaps_rollup).
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import type { CDPSession } from 'playwright-core';
import { readCpuTimes, type CpuTimes } from '../../main/core/machine-load';

export class CpuMeter {
  private start: CpuTimes = readCpuTimes();
  reset(): void {
    this.start = readCpuTimes();
  }
  /** Busy share of all cores since the last reset (0–1). */
  busy(): number {
    const now = readCpuTimes();
    const total = now.total - this.start.total;
    return total > 0 ? 1 - (now.idle - this.start.idle) / total : NaN;
  }
}

/**
 * CPU of the processes a bench runs, as shares of the whole machine (all cores) over an interval: every
 * Chromium process (CDP SystemInfo.getProcessInfo's cpuTime) and this Node process (the app core, the
 * browser shell and the emulator standing in for KVS, plus the bench's own sampling). The rest of the
 * machine's busy time is other work on the shared cores.
 */
export class ProcessCpuMeter {
  private chromium0 = 0;
  private node0 = process.cpuUsage();
  private at0 = performance.now();
  constructor(private readonly browserCdp: CDPSession) {}

  async reset(): Promise<void> {
    this.chromium0 = await this.chromiumSeconds();
    this.node0 = process.cpuUsage();
    this.at0 = performance.now();
  }

  async read(): Promise<{ chromium: number; node: number }> {
    const chromium = (await this.chromiumSeconds()) - this.chromium0;
    const node = process.cpuUsage(this.node0);
    const capacity = ((performance.now() - this.at0) / 1000) * cpus().length;
    return { chromium: chromium / capacity, node: (node.user + node.system) / 1e6 / capacity };
  }

  private async chromiumSeconds(): Promise<number> {
    const { processInfo } = await this.browserCdp.send('SystemInfo.getProcessInfo');
    return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
}

async function pssKiB(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

export interface ChromiumMemory {
  /** PSS of the largest renderer (the wall's page), MiB. */
  rendererMiB: number;
  renderers: number;
  /** PSS of every other Chromium process listed (GPU, utility, other renderers), MiB. */
  othersMiB: number;
}

export async function chromiumMemory(browserCdp: CDPSession): Promise<ChromiumMemory> {
  const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
  const renderers: number[] = [];
  let others = 0;
  for (const p of processInfo) {
    const kib = await pssKiB(p.id);
    if (!Number.isFinite(kib)) continue;
    if (p.type === 'renderer') renderers.push(kib);
    else others += kib;
  }
  renderers.sort((a, b) => b - a);
  return { rendererMiB: (renderers[0] ?? NaN) / 1024, renderers: renderers.length, othersMiB: (others + renderers.slice(1).reduce((a, b) => a + b, 0)) / 1024 };
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
