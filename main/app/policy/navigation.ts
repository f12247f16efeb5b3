import { APP_ENTRY_URL } from './app-origin';

/**
 * The renderer never navigates and never opens windows. Links to documentation may open in the
 * user's browser, and only these, over https.
 */
const EXTERNAL_ALLOW = ['docs.aws.amazon.com', 'console.aws.amazon.com'];

export type WindowOpenDecision = { action: 'deny'; openExternally?: string };

export function decideWindowOpen(url: string): WindowOpenDecision {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:' && !parsed.username && !parsed.password && EXTERNAL_ALLOW.includes(parsed.hostname)) {
      return { action: 'deny', openExternally: parsed.href };
    }
  } catch {
    // Not a URL: denied like everything else.
  }
  return { action: 'deny' };
}

/**
 * `will-navigate`: the app is a single page. The one navigation allowed is the page loading itself
 * again — it reloads when told to (`page.reload`, when accounts need an origin its CSP lacks).
 */
export function allowNavigation(url: string): boolean {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href === APP_ENTRY_URL;
  } catch {
    return false;
  }
}

/** `will-redirect`: never; the app's own pages don't redirect. */
export function allowRedirect(_url: string): boolean {
  return false;
}
