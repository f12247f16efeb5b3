import WebSocket from 'ws';

export interface OpenSocket {
  ws: WebSocket;
  /** Resolves with the next frame matching `match`, parsed. */
  next(match?: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  received: Array<Record<string, unknown>>;
}

export function socketUrl(shellUrl: string): string {
  const page = new URL(shellUrl);
  return `ws://${page.host}/ipc?token=${page.searchParams.get('token')}`;
}

/** Opens a socket and resolves when open; rejects with the HTTP status when the upgrade is refused. */
export function openSocket(url: string, origin: string | undefined): Promise<OpenSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    const received: Array<Record<string, unknown>> = [];
    const waiting: Array<{ match: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }> = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const i = waiting.findIndex((w) => w.match(frame));
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve(frame);
      else received.push(frame);
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        received,
        next(match = () => true) {
          const i = received.findIndex(match);
          if (i >= 0) return Promise.resolve(received.splice(i, 1)[0]!);
          return new Promise((r) => waiting.push({ match, resolve: r }));
        },
      }),
    );
  });
}
