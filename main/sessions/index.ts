export { createSessionBroker } from './broker';
export { DEFAULT_SESSION_LIMIT } from './broker-policy';
export { LEDGER_VERSION, LedgerEntrySchema, LedgerSnapshotSchema, type LedgerEntry, type LedgerSnapshot } from './ledger-snapshot';
export { defaultLeadSeconds, resolveTimings, type SessionTimings } from './timings';
export type {
  AcquireResult,
  BrokerConfig,
  BrokerDeps,
  BrokerEventMap,
  BrokerEventName,
  BudgetView,
  LedgerStore,
  SessionBroker,
  SessionIssuer,
} from './types';
