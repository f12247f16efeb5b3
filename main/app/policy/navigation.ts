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

/** `will-navigate` and `will-redirect`: the app is a single page; every navigation is refused. */
export function allowNavigation(_url: string): boolean {
  return false;
}
