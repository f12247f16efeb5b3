export { createSessionService } from './session-service';
export { DEFAULT_POINTS_SHARE, DEFAULT_SESSION_LIMIT } from './session-policy';
export { quotaOf } from './budget';
export { LEDGER_VERSION, LedgerEntrySchema, LedgerSnapshotSchema, migrateLedger, type LedgerEntry, type LedgerSnapshot } from './ledger-snapshot';
export { POOL_VERSION, PoolSnapshotSchema, type PoolSnapshot } from './pool-snapshot';
export { pointsOf, STREAM_POINTS_PER_SECOND, type PricedCall, type Points } from './points-price';
export { tileKey, type TileAddress } from './tile-key';
export { defaultLeadSeconds, resolveTimings, type SessionTimings } from './timings';
export type {
  AcquireOptions,
  AcquireResult,
  BudgetView,
  FailureReport,
  IssuedSession,
  PoolCounters,
  SessionConfig,
  SessionEventMap,
  SessionEventName,
  SessionIssuer,
  SessionService,
  SessionServiceDeps,
  SnapshotStore,
} from './types';
