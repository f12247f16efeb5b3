import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImport, importsOf } from '../support/boundaries';

const root = join(import.meta.dirname, '..', '..');
const SOURCE_DIRS = ['main', 'renderer/src', 'shared', 'emulator'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|svelte|mts|cts)$/.test(name)) out.push(full);
  }
  return out;
}

describe('architecture boundaries', () => {
  it('every source file respects the import rules', () => {
    const violations: string[] = [];
    for (const dir of SOURCE_DIRS) {
      for (const file of sourceFiles(join(root, dir))) {
        const rel = relative(root, file).split(sep).join('/');
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          const problem = checkImport(rel, spec);
          if (problem) violations.push(`${rel}: ${problem}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('the rule catches each kind of violation', () => {
    expect(checkImport('main/kvs/clients.ts', 'electron')).toMatch(/electron/);
    expect(checkImport('main/app/window.ts', 'electron')).toBeNull();
    expect(checkImport('renderer/src/App.svelte', '../../main/kvs/clients')).toMatch(/renderer/);
    expect(checkImport('renderer/src/tile.ts', '../../emulator/server')).toMatch(/renderer/);
    expect(checkImport('shared/contract.ts', '../main/ipc/handlers')).toMatch(/shared/);
    expect(checkImport('shared/contract.ts', '../emulator/server')).toMatch(/shared/);
    expect(checkImport('shared/contract.ts', 'node:fs')).toMatch(/shared/);
    expect(checkImport('emulator/server.ts', '../main/kvs/clients')).toMatch(/emulator/);
    expect(checkImport('main/kvs/clients.ts', '../../shared/contract')).toBeNull();
  });

  it('finds static, dynamic, re-export and require imports', () => {
    const src = `import a from 'x';\nimport type { B } from "y";\nexport * from './z';\nconst c = await import('w');\nconst d = require('v');\nimport './side';`;
    expect(importsOf(src).sort()).toEqual(['./side', './z', 'v', 'w', 'x', 'y']);
  });
});
