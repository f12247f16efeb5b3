import { describe, expect, it, vi } from 'vitest';

const created: Array<{ options: Record<string, unknown>; loaded: string[] }> = [];

vi.mock('electron', () => {
  class BrowserWindow {
    readonly loaded: string[] = [];
    constructor(readonly options: Record<string, unknown>) {
      created.push(this);
    }
    once() {}
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
  }
  return { BrowserWindow };
});

const { createWallWindow } = await import('../../../main/app/window');

describe('wall window', () => {
  it('is created isolated, sandboxed, without Node, with web security and our preload', () => {
    createWallWindow({ preloadPath: '/app/dist/app/preload.cjs', fullscreen: false });
    const { options, loaded } = created.at(-1)!;
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    expect(loaded).toEqual(['app://kvs-wall/index.html']);
    expect(options.fullscreen).toBe(false);
  });

  it('opens fullscreen on the requested display bounds in kiosk mode', () => {
    createWallWindow({ preloadPath: '/p.cjs', fullscreen: true, bounds: { x: 1920, y: 0, width: 1920, height: 1080 } });
    const { options } = created.at(-1)!;
    expect(options).toMatchObject({ fullscreen: true, x: 1920, y: 0, width: 1920, height: 1080 });
    expect(options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });
});
