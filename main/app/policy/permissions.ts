import { isAppUrl } from './app-origin';

/**
 * Permissions the app's own page may use; every other permission, and every request from any
 * other page, is refused. Camera, microphone, notifications, geolocation, reading the clipboard,
 * openExternal… are all denied.
 * - fullscreen: the wall's "F" key uses the DOM Fullscreen API; it grants nothing beyond the window
 *   the app already owns.
 * - loopback / local network: the Demo cameras and LocalStack-style endpoints live on loopback or
 *   the LAN, which Chromium's Local Network Access gates behind a permission; the CSP's
 *   connect-src already limits which of those origins the page can reach.
 * - clipboard-sanitized-write: "Copy snapshot" puts a PNG on the clipboard (the async Clipboard API,
 *   which Chromium sanitizes); writing only, never reading what the operator copied elsewhere.
 */
const APP_PERMISSIONS = new Set(['fullscreen', 'loopback-network', 'local-network-access', 'local-network', 'clipboard-sanitized-write']);

export function allowPermission(permission: string, requestingUrl: string | undefined): boolean {
  return APP_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}
