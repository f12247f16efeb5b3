#!/usr/bin/env node
// Builds the Electron app: main and preload bundles (esbuild, CommonJS) and the tray icon into dist/app, and the
// renderer (Vite) into renderer/dist.
//   node scripts/build.mjs [--out <dir>] [--no-renderer]
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Native modules and Electron itself are loaded at run time, never bundled.
const EXTERNAL = ['electron', '@napi-rs/keyring', '@napi-rs/keyring-*', 'bufferutil', 'utf-8-validate'];

/**
 * Bundling to CommonJS leaves `import.meta` empty. Our sources use `import.meta.dirname` to find
 * files shipped next to them (clips, the renderer); each use becomes that folder's path relative
 * to the bundle, so the lookup still lands on the same file in the packaged app.
 */
function importMetaPaths(outDir) {
  return {
    name: 'import-meta-paths',
    setup(b) {
      b.onLoad({ filter: /\.(ts|mts)$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        let contents = await readFile(args.path, 'utf8');
        if (contents.includes('import.meta')) {
          const relDir = relative(outDir, dirname(args.path)).split(sep).join('/');
          const relFile = relative(outDir, args.path).split(sep).join('/');
          const dirExpr = `require("node:path").join(__dirname, ${JSON.stringify(relDir)})`;
          const fileExpr = `require("node:path").join(__dirname, ${JSON.stringify(relFile)})`;
          contents = contents
            .replaceAll('import.meta.dirname', `(${dirExpr})`)
            .replaceAll('import.meta.filename', `(${fileExpr})`)
            .replaceAll('import.meta.url', `require("node:url").pathToFileURL(${fileExpr}).href`);
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

export async function buildElectronBundles({ outDir = join(root, 'dist', 'app') } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Electron 45 runs Node 22.
    target: 'node22',
    external: EXTERNAL,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [importMetaPaths(outDir)],
    absWorkingDir: root,
  };
  await Promise.all([
    build({ ...common, entryPoints: [join(root, 'main/app/main.ts')], outfile: join(outDir, 'main.cjs') }),
    // Sandboxed preloads can't load ES modules or most of Node: one self-contained CommonJS file.
    build({ ...common, entryPoints: [join(root, 'main/app/preload.ts')], outfile: join(outDir, 'preload.cjs'), sourcemap: false }),
  ]);
  // The tray icon, beside the bundle that loads it (build/ itself doesn't ship).
  await mkdir(outDir, { recursive: true });
  await copyFile(join(root, 'build/icons/16x16.png'), join(outDir, 'tray.png'));
  await copyFile(join(root, 'build/icons/32x32.png'), join(outDir, 'tray@2x.png'));
  return { main: join(outDir, 'main.cjs'), preload: join(outDir, 'preload.cjs') };
}

export function buildRenderer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts'], {
      cwd: root,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`))));
  });
}

async function main(argv) {
  let outDir;
  let renderer = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) outDir = argv[++i];
    else if (argv[i] === '--no-renderer') renderer = false;
    else throw new Error(`unknown option ${argv[i]} (use --out <dir>, --no-renderer)`);
  }
  const bundles = await buildElectronBundles(outDir ? { outDir } : {});
  console.error(`built ${relative(root, bundles.main)} and ${relative(root, bundles.preload)}`);
  if (renderer) await buildRenderer();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`build failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
