import { createWriteStream } from 'node:fs';
import { lstat, open, readdir, rename, rm } from 'node:fs/promises';
import { arch, cpus, platform, release, totalmem, type, version as osVersion } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import { redact } from '../core/logger';
import { scrubbedJson, scrubValue } from './scrub';

/**
 * "Export diagnostics": one zip a user can send to support, with what support needs and nothing
 * secret. Electron-free: the shell passes in what only it knows (versions, GPU, the session pool).
 *
 * | file | what |
 * |---|---|
 * | `README.txt` | what this is, what was left out, each section's status |
 * | `manifest.json` | when, which sections, which files (with sizes) |
 * | `versions.json` | app, shell, Electron / Chromium / Node / V8 where known, OS, CPUs, memory |
 * | `settings.json` | the settings, and accounts as summaries (name, kind, region, masked key id, flags) |
 * | `gpu.json` | GPU and decoder capabilities, as the shell or renderer reported them |
 * | `session-pool.json` | the session pool's counters |
 * | `logs/*.log` | the log files (the newest `maxLogBytes` of each) |
 *
 * Nothing is read from the keychain, ever. Every text goes through `redact` again (old log files may
 * predate a redaction rule), JSON is scrubbed by field name as well (scrub.ts), accounts are copied
 * field by field from an allow-list, and only regular files are taken from the logs folder (a
 * symlink there could point anywhere). A section whose source fails or is missing is listed as
 * "not available" with the reason; only a destination that can't be written fails the export.
 */

export const GpuReportSchema = z
  .object({
    /** Who measured: the Electron main process (`app.getGPUInfo`), or a renderer page (browser shell). */
    source: z.enum(['electron', 'browser']),
    /** Electron's `app.getGPUFeatureStatus()`: feature → status word. */
    featureStatus: z.record(z.string().max(100), z.string().max(100)).optional(),
    /** Electron's `app.getGPUInfo('basic')` as it came (devices, driver versions); kept to 64 KiB. */
    gpuInfo: z.record(z.string().max(100), z.unknown()).optional(),
    /** The renderer's `MediaCapabilities.decodingInfo` answer per content type tried. */
    decoders: z
      .array(
        z
          .object({
            contentType: z.string().max(200),
            supported: z.boolean(),
            smooth: z.boolean().optional(),
            powerEfficient: z.boolean().optional(),
          })
          .strict(),
      )
      .max(64)
      .optional(),
    /** WebGL's unmasked renderer string, when the page could read it. */
    webglRenderer: z.string().max(500).optional(),
    hardwareConcurrency: z.number().int().min(0).max(65_536).optional(),
    userAgent: z.string().max(1000).optional(),
  })
  .strict()
  .refine((r) => r.gpuInfo === undefined || JSON.stringify(r.gpuInfo).length <= 65_536, { message: 'gpuInfo is larger than 64 KiB', path: ['gpuInfo'] });
export type GpuReport = z.infer<typeof GpuReportSchema>;

export interface VersionInfo {
  app: string;
  shell: 'electron' | 'browser';
  /** `process.versions.electron` / `.chrome` in the Electron shell; absent in the browser shell. */
  electron?: string;
  chrome?: string;
}

type Source<T> = () => T | Promise<T>;

export interface DiagnosticsSources {
  /** The user-data `logs/` folder. */
  logsDir: string;
  versions: VersionInfo;
  /** The settings as the app holds them. */
  settings: Source<unknown>;
  /** The accounts as the app lists them; only the allow-listed summary fields are kept. */
  accounts: Source<readonly unknown[]>;
  /** GPU and decoder capabilities, when the shell has them (validated: it may come from a renderer). */
  gpu?: Source<unknown>;
  /** The session pool's counters (any JSON); absent until the pool reports them. */
  sessionPool?: Source<unknown>;
  now?: () => number;
  /** Each log file contributes at most its newest this many bytes (default 16 MiB). */
  maxLogBytes?: number;
}

export type SectionStatus = { included: true } | { included: false; reason: string };

export interface DiagnosticsResult {
  path: string;
  bytes: number;
  sections: Record<SectionName, SectionStatus>;
  files: string[];
}

type SectionName = 'versions' | 'settings' | 'gpu' | 'session-pool' | 'logs';

const DEFAULT_MAX_LOG_BYTES = 16 * 1024 * 1024;

/** `kvs-wall-diagnostics-2026-03-01T10-20-30Z.zip`: sorts by time, valid on every OS. */
export function diagnosticsFileName(now: number): string {
  return `kvs-wall-diagnostics-${new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-')}.zip`;
}

const ACCOUNT_FIELDS = ['id', 'kind', 'name', 'region', 'accessKeyId', 'hasSessionToken', 'roleArn', 'profile', 'hidden', 'endpoint', 'quota'] as const;

/** An account as support may see it: allow-listed fields only, each scrubbed. */
export function accountSummaryForSupport(account: unknown): Record<string, unknown> {
  if (typeof account !== 'object' || account === null) return { invalid: typeof account };
  const source = account as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of ACCOUNT_FIELDS) if (source[field] !== undefined) out[field] = scrubValue(source[field]);
  if (typeof out.endpoint === 'string') out.endpoint = withoutUrlCredentials(out.endpoint);
  return out;
}

function withoutUrlCredentials(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.href;
  } catch {
    return '[not a URL]';
  }
}

function reasonOf(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err)).slice(0, 500);
}

async function section<T>(source: Source<T> | undefined, missing: string): Promise<{ value?: T; status: SectionStatus }> {
  if (!source) return { status: { included: false, reason: missing } };
  try {
    return { value: await source(), status: { included: true } };
  } catch (err) {
    return { status: { included: false, reason: `its source failed: ${reasonOf(err)}` } };
  }
}

/** The newest `max` bytes of a file, from the first whole line. */
async function tailOf(path: string, max: number): Promise<{ text: string; cut: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, max);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    let text = buffer.toString('utf8');
    if (size > max) text = text.slice(text.indexOf('\n') + 1);
    return { text, cut: size > max };
  } finally {
    await handle.close();
  }
}

async function logFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: string[] = [];
  for (const name of names.sort()) {
    if (!/^[\w.-]+\.log$/.test(name)) continue;
    // lstat: a symlink is never followed, whatever it points at.
    const info = await lstat(join(dir, name));
    if (info.isFile()) files.push(name);
  }
  return files;
}

function readme(createdAt: string, sections: Record<SectionName, SectionStatus>): string {
  const lines = [
    'KVS Wall diagnostics',
    `Created ${createdAt}.`,
    '',
    'What is here: versions.json (app, runtime, OS), settings.json (settings and account summaries),',
    'gpu.json (GPU and video decoder capabilities), session-pool.json (session counters) and logs/.',
    '',
    'What is not: no secret access key, session token, password or keychain entry is ever read or written;',
    'session URLs, signatures and tokens in the logs are replaced by [redacted]; access key ids are',
    'shortened to their kind and last four characters (AKIA…WXYZ).',
    '',
    'Sections:',
    ...Object.entries(sections).map(([name, s]) => `  ${name}: ${s.included ? 'included' : `not available (${s.reason})`}`),
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes the diagnostics zip to `destination` (an absolute path; replaced if it exists). The zip is
 * written beside it under a temporary name and renamed when complete, so a failed export leaves
 * nothing half-written behind.
 */
export async function exportDiagnostics(sources: DiagnosticsSources, destination: string): Promise<DiagnosticsResult> {
  if (!isAbsolute(destination)) throw new Error(`Diagnostics need an absolute destination path, not "${destination}".`);
  const now = sources.now ?? Date.now;
  const createdAt = new Date(now()).toISOString();
  const maxLogBytes = sources.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
  const entries: Array<{ name: string; text: string }> = [];

  const versions = {
    ...sources.versions,
    node: process.versions.node,
    v8: process.versions.v8,
    os: { platform: platform(), type: type(), release: release(), version: osVersion(), arch: arch() },
    cpus: cpus().length,
    memoryBytes: totalmem(),
  };
  entries.push({ name: 'versions.json', text: scrubbedJson(versions) });

  const settings = await section(sources.settings, 'no settings source');
  const accounts = await section(sources.accounts, 'no accounts source');
  const settingsStatus: SectionStatus = settings.status.included && accounts.status.included ? { included: true } : !settings.status.included ? settings.status : accounts.status;
  entries.push({
    name: 'settings.json',
    text: scrubbedJson({
      settings: settings.status.included ? settings.value : { notAvailable: (settings.status as { reason: string }).reason },
      accounts: accounts.status.included ? (Array.isArray(accounts.value) ? accounts.value.map(accountSummaryForSupport) : { invalid: 'not a list' }) : { notAvailable: (accounts.status as { reason: string }).reason },
    }),
  });

  const gpuRaw = await section(sources.gpu, 'this shell did not report GPU capabilities');
  let gpuStatus = gpuRaw.status;
  if (gpuRaw.status.included) {
    const parsed = GpuReportSchema.safeParse(gpuRaw.value);
    if (parsed.success) entries.push({ name: 'gpu.json', text: scrubbedJson(parsed.data) });
    else {
      const issue = parsed.error.issues[0];
      gpuStatus = { included: false, reason: `the report was not valid: ${issue?.path.join('.') || 'report'}: ${issue?.message ?? 'invalid'}` };
    }
  }

  const pool = await section(sources.sessionPool, 'the session pool does not report counters in this version');
  if (pool.status.included) entries.push({ name: 'session-pool.json', text: scrubbedJson(pool.value) });

  let logsStatus: SectionStatus = { included: true };
  const logNotes: Record<string, string> = {};
  try {
    const names = await logFiles(sources.logsDir);
    if (names.length === 0) logsStatus = { included: false, reason: 'the logs folder has no log files yet' };
    for (const name of names) {
      const { text, cut } = await tailOf(join(sources.logsDir, name), maxLogBytes);
      if (cut) logNotes[`logs/${name}`] = `only the newest ${maxLogBytes} bytes of the file`;
      entries.push({ name: `logs/${name}`, text: redact(text) });
    }
  } catch (err) {
    logsStatus = { included: false, reason: `the logs folder could not be read: ${reasonOf(err)}` };
  }

  const sections: Record<SectionName, SectionStatus> = { versions: { included: true }, settings: settingsStatus, gpu: gpuStatus, 'session-pool': pool.status, logs: logsStatus };
  const files = ['README.txt', 'manifest.json', ...entries.map((e) => e.name)];
  const manifest = {
    createdAt,
    sections,
    files: entries.map((e) => ({ name: e.name, bytes: Buffer.byteLength(e.text), ...(logNotes[e.name] ? { note: logNotes[e.name] } : {}) })),
  };
  entries.unshift({ name: 'README.txt', text: readme(createdAt, sections) }, { name: 'manifest.json', text: scrubbedJson(manifest) });

  const zip = new ZipFile();
  const mtime = new Date(now());
  // One last pass over every byte that goes in: redaction is idempotent, so this only ever removes.
  for (const entry of entries) zip.addBuffer(Buffer.from(redact(entry.text), 'utf8'), entry.name, { mtime, mode: 0o644 });
  zip.end();

  const partial = join(dirname(destination), `.${basename(destination)}.partial`);
  try {
    await pipeline(zip.outputStream, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, destination);
  } catch (err) {
    await rm(partial, { force: true }).catch(() => {});
    throw new Error(`Diagnostics could not be written to ${destination}: ${reasonOf(err)}`, { cause: err });
  }
  const { size } = await lstat(destination);
  return { path: destination, bytes: size, sections, files };
}
