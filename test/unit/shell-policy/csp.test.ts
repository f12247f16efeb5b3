import { describe, expect, it } from 'vitest';
import type { AccountSummary } from '../../../shared/model';
import { contentSecurityPolicy, endpointOrigin, kvsDataOrigin, mediaOrigins, originsAdded } from '../../../main/shell-policy/csp';

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('content security policy', () => {
  it('allows scripts from the app only and media through blob: (MSE)', () => {
    const d = directives(contentSecurityPolicy({ connect: [] }));
    expect(d.get('default-src')).toEqual(["'self'"]);
    // WebAssembly (the software H.265 decoder) compiles; eval and inline scripts stay refused.
    expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(d.get('worker-src')).toEqual(["'self'"]);
    expect(d.get('media-src')).toEqual(["'self'", 'blob:']);
    expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    const whole = contentSecurityPolicy({ connect: [] });
    expect(whole).not.toMatch(/(?<!wasm-)unsafe-eval|script-src[^;]*unsafe-inline|worker-src[^;]*blob:|\*(?!\.)/);
  });

  it('adds exactly the given connect origins and drops anything that could inject a directive', () => {
    const csp = contentSecurityPolicy({
      connect: ['https://*.kinesisvideo.eu-west-1.amazonaws.com', 'http://127.0.0.1:4567', "http://x; script-src 'unsafe-inline'", 'https://a b', '*', 'data:'],
    });
    expect(directives(csp).get('connect-src')).toEqual(["'self'", 'https://*.kinesisvideo.eu-west-1.amazonaws.com', 'http://127.0.0.1:4567']);
    expect(directives(csp).get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  });

  it('names each AWS account’s KVS hosts by region, custom endpoints by origin, demo by the emulator', () => {
    expect(kvsDataOrigin('us-east-1')).toBe('https://*.kinesisvideo.us-east-1.amazonaws.com');
    expect(kvsDataOrigin('cn-north-1')).toBe('https://*.kinesisvideo.cn-north-1.amazonaws.com.cn');
    expect(kvsDataOrigin('evil.com/x')).toBeUndefined();
    expect(endpointOrigin('http://127.0.0.1:4567/some/path?q=1')).toBe('http://127.0.0.1:4567');
    expect(endpointOrigin('ftp://x')).toBeUndefined();
    expect(endpointOrigin('http://user:pw@host')).toBeUndefined();

    const accounts: AccountSummary[] = [
      { id: 'a', kind: 'keys', name: 'A', region: 'eu-west-1', accessKeyId: 'AKIA', hasSessionToken: false },
      { id: 'b', kind: 'keys', name: 'B', region: 'eu-west-1', accessKeyId: 'AKIA', hasSessionToken: false },
      { id: 'c', kind: 'keys', name: 'C', region: 'us-east-1', accessKeyId: 'AKIA', hasSessionToken: false, endpoint: 'http://10.0.0.5:4566/' },
      { id: 'demo', kind: 'demo', name: 'Demo cameras', region: 'us-west-2', hidden: false },
    ];
    // The demo account's own region is not a source: the embedded emulator's origin comes as an extra.
    const origins = mediaOrigins(accounts, ['http://127.0.0.1:40001']);
    expect(origins).toEqual(['http://10.0.0.5:4566', 'http://127.0.0.1:40001', 'https://*.kinesisvideo.eu-west-1.amazonaws.com']);
    expect(mediaOrigins([])).toEqual([]);
  });
});

describe('reload on new account origins', () => {
  it('asks for a reload only when an origin was added', () => {
    expect(originsAdded(['a', 'b'], ['a', 'b', 'c'])).toEqual(['c']);
    expect(originsAdded(['a', 'b'], ['a'])).toEqual([]);
  });
});
