import { z } from 'zod';
import { EpochMsSchema, IdSchema, StreamRefSchema } from '../../shared/model';

export const LEDGER_VERSION = 1;

export const LedgerEntrySchema = z
  .object({
    sessionId: IdSchema,
    tileId: IdSchema,
    playbackMode: z.enum(['LIVE', 'LIVE_REPLAY', 'ON_DEMAND']),
    /** When the slot was reserved, just before the call to KVS. */
    reservedAt: EpochMsSchema,
    /** When KVS answered; absent while the call is in flight or when its outcome is unknown. */
    issuedAt: EpochMsSchema.optional(),
    expiresSeconds: z.number().int().min(1).max(43200),
    /** The earliest moment KVS may expire the session: what the tile is told, and what renewal aims before. */
    expiresAt: EpochMsSchema,
    /** The latest moment KVS may still count the session against the stream's limit. */
    countsUntil: EpochMsSchema,
    /** No tile uses it any more; it still counts until `countsUntil` because KVS can't close a session early. */
    released: z.boolean(),
  })
  .strict();
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export const LedgerSnapshotSchema = z
  .object({
    version: z.literal(LEDGER_VERSION),
    streams: z.array(z.object({ stream: StreamRefSchema, sessions: z.array(LedgerEntrySchema) }).strict()),
  })
  .strict();
export type LedgerSnapshot = z.infer<typeof LedgerSnapshotSchema>;
