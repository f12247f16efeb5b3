import { createServer } from 'node:net';
import { startEmulator, type RunningEmulator } from '../emulator';
import type { DemoEndpoint, DemoSource } from './accounts/demo';
import type { Logger } from './core/logger';

/** The "Demo cameras" account's service: the emulator, embedded, started on first use. */
export interface EmbeddedDemo extends DemoSource {
  /**
   * Where the demo streams from, known before it starts: the page's CSP is written when the page
   * loads, usually before anyone has asked for a demo stream.
   */
  origin(): string;
  stop(): Promise<void>;
}

/** A port free right now on loopback; the emulator binds it later, when it is first needed. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function createEmbeddedDemo({ logger, onOriginChanged }: { logger: Logger; onOriginChanged: () => void }): Promise<EmbeddedDemo> {
  let port = await freeLoopbackPort();
  let running: Promise<RunningEmulator> | undefined;
  let stopped = false;

  const start = async (): Promise<RunningEmulator> => {
    const options = { testControls: false, onInternalError: (error: unknown) => logger.error('demo cameras: internal error', { error: String(error) }) };
    try {
      return await startEmulator({ ...options, port });
    } catch (err) {
      if (!/EADDRINUSE/.test(String(err))) throw err;
      // Something took the reserved port in the meantime: any port will do, but open pages must
      // reload to allow the new origin, which an accounts change triggers.
      logger.warn('demo cameras: reserved port taken, using another', { port });
      const emulator = await startEmulator({ ...options, port: 0 });
      port = Number(new URL(emulator.url).port);
      onOriginChanged();
      return emulator;
    }
  };

  return {
    origin: () => `http://127.0.0.1:${port}`,
    async ensureStarted(): Promise<DemoEndpoint> {
      if (stopped) throw new Error('the demo cameras have been stopped');
      running ??= start().catch((err: unknown) => {
        running = undefined;
        throw err;
      });
      const emulator = await running;
      return {
        endpoint: emulator.url,
        region: emulator.region,
        accessKeyId: emulator.credentials.accessKeyId,
        secretAccessKey: emulator.credentials.secretAccessKey,
      };
    },
    async stop() {
      stopped = true;
      const emulator = await running?.catch(() => undefined);
      await emulator?.stop();
    },
  };
}
