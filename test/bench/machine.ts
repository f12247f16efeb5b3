/**
 * What the benches measure of the machine and of Chromium: CPU busy over an interval (all cores, from
 * os.cpus(): the same reading main's machine.load gives the decode budget), the load average (other
 * engineers' runs share these cores: every number is reported next to it), and the proportional set size
 * of Chromium's processes (renderers from CDP SystemInfo.getProcessInfo, PSS from /proc/<pid>/smaps_rollup).
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { readCpuTimes, type CpuTimes } from '../../main/core/machine-load';
import type { Cdp } from './page-driver';

const MiB = 1024 * 1024;

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
  constructor(private readonly browserCdp: BrowserProcesses) {}

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

/** The browser's DevTools session: Playwright's, or a bare one (raw-cdp.ts). */
export interface BrowserProcesses {
  send(method: 'SystemInfo.getProcessInfo'): Promise<{ processInfo: Array<{ id: number; type: string; cpuTime: number }> }>;
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

// ---------------------------------------------------------------------------------------------
// Chromium's memory-infra dump (per allocator), through the browser's Tracing domain
// ---------------------------------------------------------------------------------------------

/** Top-level allocator sizes (MiB) of process `pid` in one detailed memory dump. */
export async function memoryDump(browserCdp: Cdp, pid: number): Promise<Record<string, number>> {
  const complete = new Promise<string>((resolve) => {
    const off = browserCdp.on('Tracing.tracingComplete', (e) => {
      off();
      resolve(String(e['stream'] ?? ''));
    });
  });
  await browserCdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    // No periodic dumps: only the one asked for below.
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } as unknown as Record<string, string> },
  });
  const { success } = await browserCdp.send<{ success: boolean }>('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
  await browserCdp.send('Tracing.end');
  const handle = await complete;
  let json = '';
  for (;;) {
    const chunk = await browserCdp.send<{ data: string; base64Encoded?: boolean; eof: boolean }>('IO.read', { handle });
    json += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
    if (chunk.eof) break;
  }
  await browserCdp.send('IO.close', { handle });
  if (!success) throw new Error('memory dump failed');
  const parsed = JSON.parse(json) as { traceEvents?: Array<{ ph: string; pid: number; args?: { dumps?: { allocators?: Record<string, { attrs?: Record<string, { value?: string }> }> } } }> } | Array<never>;
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const out: Record<string, number> = {};
  for (const e of events) {
    if (e.ph !== 'v' || e.pid !== pid) continue;
    for (const [name, dump] of Object.entries(e.args?.dumps?.allocators ?? {})) {
      // Per-object entries (a player's, a shared memory region's id) are summed under `*`, and two levels
      // deep is enough to see which part grows (partition_alloc/partitions/buffer …).
      const parts = name.split('/').map((p) => (/^(__)?[0-9A-Fa-f]{8,}$|^\d+$|_\d+$|0x[0-9a-f]+/.test(p) ? '*' : p));
      if (parts.length > 3) continue;
      const size = dump.attrs?.['size']?.value;
      const key = parts.join('/');
      if (size !== undefined) out[key] = (out[key] ?? 0) + parseInt(size, 16) / MiB;
    }
  }
  return out;
}

/** The allocators that moved by at least `minMiB` between two dumps, largest change first, as a table. */
export function dumpChanges(a: Record<string, number>, b: Record<string, number>, minMiB = 0.5): string {
  const f1 = (n: number): string => n.toFixed(1);
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .map((n) => [n, (b[n] ?? 0) - (a[n] ?? 0)] as const)
    .filter(([, d]) => Math.abs(d) >= minMiB)
    .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
  return table(['allocator', 'first MiB', 'last MiB', 'change'], names.map(([n, d]) => [n, f1(a[n] ?? 0), f1(b[n] ?? 0), `${d > 0 ? '+' : ''}${f1(d)}`]));
}
