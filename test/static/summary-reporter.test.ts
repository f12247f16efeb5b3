import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'support', 'fixtures', 'summary');

describe('the summary line CI reads', () => {
  it('counts failed hooks, file-level errors and unhandled errors as failures', async () => {
    // A vitest of its own on a fixture suite: failing beforeAll (2 tests skipped), failing file-level
    // afterAll, an unhandled rejection inside a passing test, and one plain failing test.
    const outcome = await run(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(fixtures, 'vitest.fixture.config.ts')], {
      cwd: root,
      env: { ...process.env, CI: 'true', FORCE_COLOR: '0' },
      maxBuffer: 8 * 1024 * 1024,
    }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (err: { code?: number; stdout?: string }) => ({ code: err.code ?? 1, out: err.stdout ?? '' }),
    );
    const lines = outcome.out.split('\n').filter((l) => /^\d+ passed, \d+ failed/.test(l));
    expect(lines, outcome.out).toEqual(['4 passed, 4 failed, 2 skipped']);
    expect(outcome.code).not.toBe(0);
  }, 120_000);
});
