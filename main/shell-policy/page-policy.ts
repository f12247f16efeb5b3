import type { Logger } from '../core/logger';
import { contentSecurityPolicy, originsAdded } from './csp';

export interface PagePolicyDeps {
  /** The media origins the accounts need now (AWS regions, custom endpoints, the demo cameras). */
  mediaOrigins(): Promise<string[]>;
  /** Served pages don't allow an origin the accounts now need: every page must reload itself. */
  onReloadNeeded(added: readonly string[]): void;
  logger: Logger;
}

export interface PagePolicy {
  /** The CSP for a page served now (`connect`: extra origins, e.g. the browser shell's socket); remembered. */
  contentSecurityPolicy(connect?: readonly string[]): Promise<string>;
  /** Accounts changed: when they added an origin no served page allows, asks every page to reload. */
  accountsChanged(): Promise<void>;
}

/**
 * The one page policy both shells serve: the CSP from the accounts' media origins, and the memory of
 * which origins pages were served with. A page's CSP can't change after it loads, so when accounts
 * add an origin the pages are asked to reload themselves (`page.reload`); their tiles come back on
 * their pooled sessions, so the reload costs no KVS call.
 */
export function createPagePolicy(deps: PagePolicyDeps): PagePolicy {
  const served = new Set<string>();
  let pageServed = false;
  return {
    async contentSecurityPolicy(connect = []) {
      const origins = await deps.mediaOrigins();
      for (const o of origins) served.add(o);
      pageServed = true;
      return contentSecurityPolicy({ connect: [...connect, ...origins] });
    },
    async accountsChanged() {
      if (!pageServed) return;
      const added = originsAdded(served, await deps.mediaOrigins());
      if (added.length === 0) return;
      // Pages reloading now are served these; asking again for the same origins would only reload them twice.
      for (const o of added) served.add(o);
      deps.logger.info('accounts added media origins; asking pages to reload', { added });
      deps.onReloadNeeded(added);
    },
  };
}
