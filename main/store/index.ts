export { openJsonFile, type JsonFile, type JsonFileOptions, type ReadResult } from './atomic-json';
export { createJsonStore, type JsonStore, type JsonStoreOptions } from './json-store';
export { createNoticeBoard, type NoticeBoard, type NoticeSink, type StoreNotice } from './notices';
export { createSettingsStore, DEFAULT_SETTINGS, DEFAULT_SESSION_EXPIRES_SECONDS, type SettingsStore } from './settings-store';
export { createWallsStore, MAX_WALLS, type WallsStore } from './walls-store';
export { createAccountsStore, AccountRecordSchema, type AccountRecord, type AccountsStore } from './accounts-store';
export { createAccountCaches, type AccountCaches, type DataApiName, type StreamCache, type EndpointCacheDoc, type CachedPage } from './account-caches';
export type { StoreContext } from './store-context';
