import { posix } from 'node:path';

const IMPORT_RE = /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (spec) specs.push(spec);
  }
  return specs;
}

function topFolder(path: string): string {
  return path.split('/')[0] ?? '';
}

/**
 * The layering rules of the project, as one function so the test and its own self-check share them:
 * electron only under main/app/, the renderer never reaches into main/ or emulator/, shared/ stays
 * environment-free, and the emulator stays independent of the app.
 */
export function checkImport(fromFile: string, spec: string): string | null {
  const isElectron = spec === 'electron' || spec.startsWith('electron/');
  if (isElectron && !fromFile.startsWith('main/app/')) return `imports electron outside main/app/ (${spec})`;

  const target = spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(fromFile), spec)) : null;
  const from = topFolder(fromFile);
  if (from === 'renderer' && target && (target.startsWith('main/') || target.startsWith('emulator/'))) {
    return `renderer imports ${target}`;
  }
  if (from === 'shared') {
    if (target && !target.startsWith('shared/')) return `shared imports ${target}`;
    if (!target && (spec.startsWith('node:') || isElectron)) return `shared imports ${spec}`;
  }
  if (from === 'emulator' && target && !target.startsWith('emulator/')) return `emulator imports ${target}`;
  return null;
}
