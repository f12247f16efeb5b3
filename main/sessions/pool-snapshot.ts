import { z } from 'zod';
import { EpochMsSchema, IdSchema, PlaybackSchema, StreamRefSchema } from '../../shared/model';
import { TileKeySchema } from './tile-key';

export const POOL_VERSION = 1;

/** A session URL: http(s), as KVS (or the emulator) hands it out. */
const SessionUrlSchema = z
  .string()
  .max(8192)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'an http(s) session URL');

export const PooledSessionRecordSchema = z
  .object({
    sessionId: IdSchema,
    url: SessionUrlSchema,
    stream: StreamRefSchema,
    playback: PlaybackSchema,
    maxManifestFragmentResults: z.number().int().min(1).max(5000),
    issuedAt: EpochMsSchema,
    expiresAt: EpochMsSchema,
    lastLessee: TileKeySchema.optional(),
  })
  .strict();

/**
 * The pool's live sessions, for the next start. It holds bearer tokens, so it is only ever written
 * encrypted (main/store/sealed-file.ts), never as plain JSON.
 */
export const PoolSnapshotSchema = z
  .object({ version: z.literal(POOL_VERSION), sessions: z.array(PooledSessionRecordSchema).max(10_000) })
  .strict();
export type PoolSnapshot = z.infer<typeof PoolSnapshotSchema>;
