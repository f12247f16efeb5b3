import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

async function outputOf(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: root, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('type checks', () => {
  it('tsc --noEmit passes on the whole project', async () => {
    const { code, out } = await outputOf(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
    expect(out.trim(), out).toBe('');
    expect(code).toBe(0);
  }, 240_000);

  it('svelte-check passes on the renderer', async () => {
    if (!existsSync(join(root, 'renderer', 'tsconfig.json'))) return expect.fail('renderer/tsconfig.json missing');
    const { code, out } = await outputOf(bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings', '--output', 'machine']);
    expect(code, out).toBe(0);
  }, 240_000);
});
