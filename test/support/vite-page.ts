import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { contentSecurityPolicy } from '../../main/shell-policy/csp';
import { contentTypeOf, resolveStaticFile } from '../../main/web/static-files';
import { hevcWasmAlias } from '../../renderer/vite.config';

/**
 * A test page built by Vite the way the renderer is (workers and WebAssembly as separate files), on its
 * own loopback origin, served with the app's own Content-Security-Policy: what runs here runs under
 * the policy the shells send. `connect` adds origins (the emulator) to connect-src, as accounts do.
 */
export interface VitePage {
  url: string;
  stop(): Promise<void>;
}

export async function serveVitePage(root: string, connect: readonly string[] = []): Promise<VitePage> {
  const outDir = await mkdtemp(join(tmpdir(), 'kvs-vite-page-'));
  await build({ root, configFile: false, base: './', logLevel: 'warn', resolve: { alias: hevcWasmAlias }, build: { outDir, emptyOutDir: true, target: 'chrome130' } });
  const csp = contentSecurityPolicy({ connect });
  const server: Server = createServer((req, res) => {
    void resolveStaticFile(outDir, new URL(req.url ?? '/', 'http://x').pathname).then(async (file) => {
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': contentTypeOf(file), 'cache-control': 'no-store', ...(file.endsWith('.html') ? { 'content-security-policy': csp } : {}) });
      res.end(await readFile(file));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
