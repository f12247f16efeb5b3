import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { WIRE_SOCKET_PATH, WIRE_TOKEN_PARAM } from '../../shared/wire';
import { silentLogger, type Logger } from '../core/logger';
import { DOWNLOAD_PATH } from '../evidence/downloads';
import type { ShellCore } from './shell-core';
import { checkPageRequest, checkSocketRequest, type GuardOptions } from './request-guard';
import { MAX_FRAME_BYTES, runSocketSession } from './socket-session';
import { contentTypeOf, resolveStaticFile } from './static-files';
import { createAccessToken } from './token';

export const DEFAULT_RENDERER_DIR = join(import.meta.dirname, '..', '..', 'renderer', 'dist');

export interface BrowserShellOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: the shell has no TLS and its token travels in the URL. */
  host?: '127.0.0.1';
  userDataDir: string;
  /** An existing core to serve; when absent, one is composed for `userDataDir` and owned by the shell. */
  core?: ShellCore;
  rendererDir?: string;
  logger?: Logger;
  /**
   * The access token to accept instead of a fresh one: a shell started again in the same process on
   * the same port (tests of a stopped shell) lets the pages it served back in. Never from user input.
   */
  token?: string;
}

export interface BrowserShell {
  /** The page URL, token included: the only way in. */
  readonly url: string;
  readonly port: number;
  readonly core: ShellCore;
  stop(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function refuseUpgrade(socket: Duplex, status: number, reason: string) {
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${reason}\n`);
}

/**
 * The browser shell: serves the built renderer on loopback and speaks the IPC contract over a
 * WebSocket, so the same UI runs in any Chromium against the same main-process services.
 */
export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  if ((options.host ?? '127.0.0.1') !== '127.0.0.1') throw new Error('The browser shell listens on 127.0.0.1 only.');
  const logger = options.logger ?? silentLogger;
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const ownsCore = options.core === undefined;
  const core = options.core ?? (await composeCore(options.userDataDir, logger));

  const token = options.token ?? createAccessToken();
  const guard: GuardOptions = { port: 0, token, cookieName: '' };
  let nextSocket = 0;

  const serveFile = async (req: IncomingMessage, res: ServerResponse, pathname: string, setCookie: boolean) => {
    const file = await resolveStaticFile(rendererDir, pathname);
    if (!file) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      return;
    }
    const isPage = file.endsWith('.html');
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Content-Type': contentTypeOf(file), 'Cache-Control': isPage ? 'no-store' : 'no-cache' };
    if (isPage) headers['Content-Security-Policy'] = await core.contentSecurityPolicy([`ws://${req.headers.host}`]);
    if (setCookie) headers['Set-Cookie'] = `${guard.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  /**
   * `/downloads/<token>`: a file main offered once (an exported clip). The token is the only key —
   * no path comes from the URL — and it is spent by the first GET; the file is deleted when that
   * response ends, finished or not. HEAD spends nothing.
   */
  const serveDownload = async (req: IncomingMessage, res: ServerResponse, token: string) => {
    const notFound = () => res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('This download is not available (it was used, has expired, or never existed).\n');
    if (req.method === 'HEAD') return notFound();
    const ticket = core.takeDownload?.(token);
    if (!ticket) return notFound();
    let size: number;
    try {
      size = (await stat(ticket.path)).size;
    } catch {
      await ticket.finished();
      return notFound();
    }
    const ascii = ticket.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': ticket.name.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(ticket.name)}`,
      'Cache-Control': 'no-store',
    });
    const body = createReadStream(ticket.path);
    res.on('close', () => {
      body.destroy();
      void ticket.finished();
    });
    body.on('error', () => res.destroy()).pipe(res);
  };

  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    const verdict = checkPageRequest(req, guard);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end(`${verdict.reason}\n`);
      return;
    }
    const download = DOWNLOAD_PATH.exec(verdict.url.pathname);
    if (download) {
      serveDownload(req, res, download[1] as string).catch((err: unknown) => {
        logger.error('serving a download failed', { error: String(err) });
        if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS).end();
        else res.destroy();
      });
      return;
    }
    serveFile(req, res, verdict.url.pathname, verdict.url.searchParams.has(WIRE_TOKEN_PARAM)).catch((err: unknown) => {
      logger.error('serving a renderer file failed', { error: String(err) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES * 4 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = checkSocketRequest(req, guard);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
    if (verdict.url.pathname !== WIRE_SOCKET_PATH) return refuseUpgrade(socket, 404, 'No socket here.');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sender = { id: `socket-${++nextSocket}`, url: `http://${req.headers.host}` };
      const stopEvents = runSocketSession(ws, { dispatch: core.dispatch, events: core.events, logger, sender });
      ws.on('error', (err) => logger.warn('socket error', { sender: sender.id, error: String(err) }));
      ws.on('close', () => {
        stopEvents();
        core.senderGone(sender.id);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  guard.port = port;
  // Cookies ignore ports; a name per port keeps two shells on one machine from clobbering each other.
  guard.cookieName = `kvs_wall_${port}`;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/?${WIRE_TOKEN_PARAM}=${token}`,
    port,
    core,
    stop() {
      stopped ??= (async () => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (ownsCore) await core.dispose();
      })();
      return stopped;
    },
  };
}

async function composeCore(userDataDir: string, logger: Logger): Promise<ShellCore> {
  const { createAppCore } = await import('../compose');
  return createAppCore({ userDataDir, logger, shell: 'browser' });
}
