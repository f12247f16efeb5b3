import { z } from 'zod';
import { EpochMsSchema, IdSchema, StreamRefSchema } from '../../shared/model';

/** 2: entries no longer name a tile (leases live in the session pool); 1 had `tileId` and `released`. */
export const LEDGER_VERSION = 2;

export const LedgerEntrySchema = z
  .object({
    sessionId: IdSchema,
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

/**
 * Reads an older ledger. Version 1 entries carried the tile that held them and whether it had let
 * go; after a restart every session belongs to no tile anyway, so both are simply dropped.
 */
export function migrateLedger(fromVersion: number, data: unknown): unknown {
  if (fromVersion !== 1 || typeof data !== 'object' || data === null) return data;
  const v1 = data as { streams?: unknown };
  if (!Array.isArray(v1.streams)) return data;
  return {
    version: LEDGER_VERSION,
    streams: v1.streams.map((s: { stream?: unknown; sessions?: unknown }) => ({
      stream: s?.stream,
      sessions: Array.isArray(s?.sessions) ? s.sessions.map(({ tileId: _tile, released: _released, ...rest }: Record<string, unknown>) => rest) : s?.sessions,
    })),
  };
}
