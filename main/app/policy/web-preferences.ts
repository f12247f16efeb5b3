/**
 * The renderer's webPreferences, stated explicitly rather than trusting Electron's defaults: an
 * isolated, sandboxed page with no Node, talking to main only through the preload's bridge.
 */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // Muted tiles may autoplay anyway; a kiosk wall with a soloed camera must start without a click.
    autoplayPolicy: 'no-user-gesture-required' as const,
    // A wall keeps playing when covered or minimised.
    backgroundThrottling: false,
  };
}
