import type { Session, WebContents } from 'electron';
import { allowNavigation, allowRedirect, decideWindowOpen } from './policy/navigation';
import { allowPermission } from './policy/permissions';

/** Deny-by-default permission handling for the session the windows use. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(allowPermission(permission, details.requestingUrl ?? contents.getURL()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowPermission(permission, requestingOrigin));
  // Chromium's device pickers (USB, HID, serial, Bluetooth) have no use here.
  session.setDevicePermissionHandler(() => false);
}

/**
 * Applied to every webContents the app creates: no navigation but a reload of the app's page, no new windows
 * (allow-listed documentation links open in the user's browser), no webviews.
 */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event) => {
    if (!allowNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!allowRedirect(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) openExternal(decision.openExternally);
    return { action: 'deny' };
  });
}
