import { z } from 'zod';
import { ReplySchema } from './contract';

/**
 * The browser shell's WebSocket framing around the contract in `contract.ts`: the same calls,
 * replies and events as Electron IPC, as JSON text frames. Both ends parse every frame with these.
 */

/** Query parameter carrying the per-launch token, on the page URL and on the WebSocket URL. */
export const WIRE_TOKEN_PARAM = 'token';
/** Path of the WebSocket endpoint on the browser shell's origin. */
export const WIRE_SOCKET_PATH = '/ipc';

/** Client → server: one call. `id` pairs the reply with the call; the client picks it. */
export const CallFrameSchema = z.object({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** Checked by the dispatcher, which answers a missing or unknown name with a typed error. */
  call: z.unknown().optional(),
  payload: z.unknown().optional(),
});

/** Client → server: the complete set of events this socket wants (replaces the previous set). */
export const SubscribeFrameSchema = z.object({ subscribe: z.array(z.string().max(100)).max(100) });

export const ClientFrameSchema = z.union([CallFrameSchema, SubscribeFrameSchema]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/**
 * Server → client. A reply with `id: null` answers a frame the server could not attribute to a
 * call (not JSON, no id); the socket stays open after it.
 */
export const ReplyFrameSchema = z.object({ id: z.number().int().nonnegative().nullable(), reply: ReplySchema });
export const EventFrameSchema = z.object({ event: z.string(), payload: z.unknown() });
export const ServerFrameSchema = z.union([ReplyFrameSchema, EventFrameSchema]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/**
 * What the Electron preload exposes as `window.kvsWall`: the raw transport. `call` resolves with a
 * `Reply` (never rejects for a refused call), because errors thrown across `contextBridge` lose
 * their typed fields; the renderer's bridge turns replies into values or `WallApiError`s.
 */
export interface PreloadApi {
  call(name: string, payload: unknown): Promise<unknown>;
  on(name: string, listener: (payload: unknown) => void): () => void;
}
