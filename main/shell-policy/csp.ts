/**
 * The Content-Security-Policy both shells send with the renderer's page. Scripts and workers only from
 * the app itself (WebAssembly compiled from them allowed, eval refused); media through MSE blobs; network only to the app, its IPC socket (browser shell) and the
 * origins the accounts actually stream from. Electron-free: both shells use it through page-policy.ts.
 */

/** What an account contributes to `connect-src`; account summaries satisfy this. */
export interface MediaSourceAccount {
  readonly kind: string;
  readonly region: string;
  readonly endpoint?: string | undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Where a KVS data endpoint for this region lives: any `b-…`/`s-…` host under kinesisvideo.<region>. */
export function kvsDataOrigin(region: string): string | undefined {
  if (!REGION.test(region)) return undefined;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://*.kinesisvideo.${region}.${suffix}`;
}

/** The origin of a custom endpoint, or undefined when it is not a plain http(s) URL. */
export function endpointOrigin(endpoint: string): string | undefined {
  try {
    const url = new URL(endpoint);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Origins the renderer must reach for media. A custom endpoint (emulator, VPC endpoint) replaces
 * the AWS hosts for its account, so only its own origin is allowed for it. The demo account's
 * summary names no endpoint: the embedded emulator's origin comes in `extra` instead.
 */
export function mediaOrigins(accounts: readonly MediaSourceAccount[], extra: readonly string[] = []): string[] {
  const demoFree = accounts.filter((a) => a.kind !== 'demo');
  const out = new Set<string>();
  for (const account of demoFree) {
    const origin = account.endpoint ? endpointOrigin(account.endpoint) : kvsDataOrigin(account.region);
    if (origin) out.add(origin);
  }
  for (const e of extra) {
    const origin = endpointOrigin(e);
    if (origin) out.add(origin);
  }
  return [...out].sort();
}

export interface CspOptions {
  /** Extra `connect-src` entries, already origins (e.g. the browser shell's `ws://127.0.0.1:port`). */
  connect: readonly string[];
}

export function contentSecurityPolicy({ connect }: CspOptions): string {
  // A CSP source list can't carry spaces, semicolons or commas; anything odd is dropped, not escaped.
  const safe = connect.filter((c) => /^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9*.:[\]-]+$/.test(c));
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    // 'wasm-unsafe-eval' lets the page and its workers compile WebAssembly (the software H.265 decoder,
    // shipped with the app) and nothing else: eval() and new Function() stay refused.
    ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
    // Workers only from the app's own files (the decoder's worker is a bundled file, not a blob:).
    ['worker-src', ["'self'"]],
    // Svelte writes style attributes and transitions insert <style>; styles can't run script.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['media-src', ["'self'", 'blob:']],
    ['connect-src', ["'self'", ...safe]],
    ['font-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/**
 * A page's CSP is fixed when it loads, so an account in a new region (or with a new endpoint) can
 * only be streamed from after a reload. This says when one is needed: only when an origin was
 * added; removing one leaves the old, wider policy harmlessly in place until the next load.
 */
export function originsAdded(before: Iterable<string>, after: readonly string[]): string[] {
  const known = new Set(before);
  return after.filter((o) => !known.has(o));
}
