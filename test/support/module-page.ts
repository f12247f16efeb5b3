import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

/**
 * A page on its own loopback origin (a secure context, as the app's is: WebCodecs needs one) running
 * one renderer module, bundled as it is now, its exports on `window[globalName]`. For browser tests of
 * player pieces below the app (the canvas player), where the whole wall would hide what is tested.
 */
export interface ModulePage {
  url: string;
  stop(): Promise<void>;
}

export async function serveModule(entry: string, globalName: string, body = ''): Promise<ModulePage> {
  const bundle = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName, write: false, target: 'es2022', logLevel: 'silent' });
  const script = bundle.outputFiles[0]!.text;
  const html = `<!doctype html><meta charset="utf-8"><title>${globalName}</title><body style="margin:0;background:#000">${body}<script src="/module.js"></script></body>`;
  const server: Server = createServer((req, res) => {
    const isScript = req.url === '/module.js';
    res.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html', 'cache-control': 'no-store' });
    res.end(isScript ? script : html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
