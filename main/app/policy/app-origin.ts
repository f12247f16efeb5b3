/**
 * The renderer is served from a privileged custom scheme rather than file://, so it has a real
 * origin: CSP `'self'` means the app's own files only, and sender checks have one origin to match.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kvs-wall';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True when `url` is a page of the app itself (any path under its origin). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}
