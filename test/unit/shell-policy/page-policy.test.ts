import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/logger';
import { createPagePolicy } from '../../../main/shell-policy/page-policy';

function policy(initial: string[]) {
  let origins = initial;
  const reloads: string[][] = [];
  const p = createPagePolicy({ mediaOrigins: async () => origins, onReloadNeeded: (added) => reloads.push([...added]), logger: silentLogger });
  return { p, reloads, set: (next: string[]) => (origins = next) };
}

describe('the page policy both shells serve', () => {
  it('writes the CSP from the accounts\' origins plus the shell\'s own socket', async () => {
    const { p } = policy(['https://*.kinesisvideo.eu-west-1.amazonaws.com']);
    const csp = await p.contentSecurityPolicy(['ws://127.0.0.1:8080']);
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:8080 https://*.kinesisvideo.eu-west-1.amazonaws.com;");
  });

  it('asks pages to reload only when accounts add an origin a served page lacks, once', async () => {
    const { p, reloads, set } = policy(['http://127.0.0.1:4567']);
    // Nothing served yet: the first page will get the new origins anyway.
    set(['http://127.0.0.1:4567', 'https://*.kinesisvideo.us-east-1.amazonaws.com']);
    await p.accountsChanged();
    expect(reloads).toEqual([]);

    await p.contentSecurityPolicy();
    set(['http://127.0.0.1:4567', 'https://*.kinesisvideo.us-east-1.amazonaws.com', 'https://*.kinesisvideo.eu-west-1.amazonaws.com']);
    await p.accountsChanged();
    expect(reloads).toEqual([['https://*.kinesisvideo.eu-west-1.amazonaws.com']]);
    // A second change with nothing new (a rename), or a removal, reloads nothing.
    await p.accountsChanged();
    set(['http://127.0.0.1:4567']);
    await p.accountsChanged();
    expect(reloads).toHaveLength(1);
    // An origin that was served before and comes back is allowed by the pages already.
    set(['http://127.0.0.1:4567', 'https://*.kinesisvideo.us-east-1.amazonaws.com']);
    await p.accountsChanged();
    expect(reloads).toHaveLength(1);
  });
});
