export { startBrowserShell, DEFAULT_RENDERER_DIR, type BrowserShell, type BrowserShellOptions } from './browser-shell';
export type { ShellCore } from './shell-core';
