import { EventEmitter } from 'node:events';

/**
 * A stand-in for the few Electron objects the shell's wiring touches. Only the wiring tests use
 * it (vi.mock('electron')); the decisions themselves are tested without Electron at all.
 */

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: Array<[string, ...unknown[]]> = [];
  destroyed = false;
  reloads = 0;
  url = 'app://kvs-wall/index.html';
  windowOpenHandler?: (details: { url: string }) => { action: string };
  send(channel: string, ...args: unknown[]) {
    this.sent.push([channel, ...args]);
  }
  isDestroyed() {
    return this.destroyed;
  }
  reload() {
    this.reloads++;
  }
  getURL() {
    return this.url;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  destroy() {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

/** An Electron-style event: `preventDefault` recorded, `url` carried as Electron 45 does. */
export function navigationEvent(url: string) {
  return { url, defaultPrevented: false, preventDefault() {
    this.defaultPrevented = true;
  } };
}

export class FakeSession extends EventEmitter {
  requestHandler?: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void;
  checkHandler?: (contents: unknown, permission: string, origin: string) => boolean;
  deviceHandler?: () => boolean;
  setPermissionRequestHandler(h: FakeSession['requestHandler']) {
    this.requestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['checkHandler']) {
    this.checkHandler = h;
  }
  setDevicePermissionHandler(h: FakeSession['deviceHandler']) {
    this.deviceHandler = h;
  }
  /** Asks the installed request handler, as Chromium would, and returns its answer. */
  request(permission: string, requestingUrl: string): Promise<boolean> {
    return new Promise((resolve) => this.requestHandler!(new FakeWebContents(), permission, resolve, { requestingUrl }));
  }
}

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}
