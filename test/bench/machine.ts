/**
 * What the benches measure of the machine and of Chromium: CPU busy over an interval (all cores, from
 * os.cpus(): the same reading main's machine.load gives the decode budget), the load average (other
 * engineers' runs share these cores: every number is reported next to it), and the proportional set size
 * of Chromium's processes (renderers from CDP SystemInfo.getProcessInfo, PSS from /proc/<pid>/smaps_rollup).
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
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

/** The browser's DevTools session: Playwright's, or a bare one (raw-cdp.ts). */
export interface BrowserProcesses {
  send(method: 'SystemInfo.getProcessInfo'): Promise<{ processInfo: Array<{ id: number; type: string }> }>;
}

export async function chromiumMemory(browserCdp: BrowserProcesses): Promise<ChromiumMemory> {
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
