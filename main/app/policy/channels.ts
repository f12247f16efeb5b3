/** The two Electron IPC channels: every call goes through one `invoke`, every event through one `send`. */
export const CALL_CHANNEL = 'kvs-wall:call';
export const EVENT_CHANNEL = 'kvs-wall:event';
