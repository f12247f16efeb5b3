import { createServer } from 'node:net';
import { startEmulator, type RunningEmulator } from '../emulator';
import { DEMO_GRID_WALL_NAME, demoGridCameraNames } from '../shared/demo';
import type { DemoEndpoint, DemoSource } from './accounts/demo';
import type { Logger } from './core/logger';

/** The "Demo cameras" account's service: the emulator, embedded, started on first use. */
export interface EmbeddedDemo extends DemoSource {
  /**
   * Where the demo streams from, known before it starts: the page's CSP is written when the page
   * loads, usually before anyone has asked for a demo stream.
   */
  origin(): string;
  /** The walls it offers beside the first (app.info `demoWalls`): a large wall of distinct cameras. */
  walls(): Array<{ name: string; grid: number; cameras: string[] }>;
  stop(): Promise<void>;
}

export interface EmbeddedDemoOptions {
  logger: Logger;
  onOriginChanged: () => void;
  /**
   * Distinct cameras for the large demo wall (0: none). They are encoded once (about a second each,
   * two at a time) into `cacheDir` and added after the demo starts, so the first wall plays at once.
   */
  gridCameras?: number;
  /** Where the distinct cameras' encodes are kept (default: the emulator's, in the user's cache folder). */
  cacheDir?: string;
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

/**
 * Beside the six H.264 cameras, the demo serves an H.265 camera (played by the platform's decoder, or
 * by the software decoder where there is none) and one with AAC sound (Unmute). The G.711 camera stays
 * with `npm run emulator`: its sound is for checking that path, not for showing the app.
 */
export const DEMO_CODEC_CAMERAS = ['rooftop', 'reception'] as const;

const GRID_BUILD_DELAY_MS = 15_000;

export async function createEmbeddedDemo({ logger, onOriginChanged, gridCameras = 0, cacheDir }: EmbeddedDemoOptions): Promise<EmbeddedDemo> {
  let port = await freeLoopbackPort();
  const gridNames = gridCameras > 0 ? demoGridCameraNames(gridCameras) : [];
  const grid = Math.ceil(Math.sqrt(gridNames.length));
  let running: Promise<RunningEmulator> | undefined;
  let stopped = false;

  /**
   * The large wall's cameras, added in the background a little after the first cameras start: the
   * first wall comes up without ffmpeg competing for the CPU, and a run shorter than that pays nothing.
   */
  const addGrid = (emulator: RunningEmulator): void => {
    if (gridNames.length === 0) return;
    setTimeout(() => buildGrid(emulator), GRID_BUILD_DELAY_MS).unref();
  };
  const buildGrid = (emulator: RunningEmulator): void => {
    if (stopped) return;
    const started = performance.now();
    emulator.addCameras(gridNames.length, cacheDir ? { cacheDir } : {}).then(
      ({ names, build }) => {
        const same = names.length === gridNames.length && names.every((n, i) => n === gridNames[i]);
        if (!same) logger.warn('demo cameras: the large wall\'s cameras are named differently than expected', { expected: gridNames.length, got: names.length });
        logger.info('demo cameras: large wall ready', { cameras: names.length, seconds: Math.round((performance.now() - started) / 100) / 10, ...build });
      },
      (error: unknown) => logger.warn('demo cameras: the large wall\'s cameras could not be prepared', { error: String(error) }),
    );
  };

  const start = async (): Promise<RunningEmulator> => {
    const options = {
      testControls: false,
      codecCameras: DEMO_CODEC_CAMERAS,
      // Three cameras name a 320×180 sub-stream by tag: their grid tiles show it, the selected or maximised one the camera.
      subStreams: true,
      onInternalError: (error: unknown) => logger.error('demo cameras: internal error', { error: String(error) }),
      onNotice: (message: string) => logger.warn('demo cameras', { message }),
    };
    try {
      const emulator = await startEmulator({ ...options, port });
      addGrid(emulator);
      return emulator;
    } catch (err) {
      if (!/EADDRINUSE/.test(String(err))) throw err;
      // Something took the reserved port in the meantime: any port will do, but open pages must
      // reload to allow the new origin, which an accounts change triggers.
      logger.warn('demo cameras: reserved port taken, using another', { port });
      const emulator = await startEmulator({ ...options, port: 0 });
      port = Number(new URL(emulator.url).port);
      onOriginChanged();
      addGrid(emulator);
      return emulator;
    }
  };

  return {
    origin: () => `http://127.0.0.1:${port}`,
    walls: () => (gridNames.length > 0 ? [{ name: DEMO_GRID_WALL_NAME, grid, cameras: [...gridNames] }] : []),
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
