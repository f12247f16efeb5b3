import type { IncomingMessage } from 'node:http';
import { WIRE_TOKEN_PARAM } from '../../shared/wire';
import { tokenMatches } from './token';

/** The verdict on one request to the browser shell, before anything is served or upgraded. */
export type Verdict = { ok: true; url: URL } | { ok: false; status: 400 | 401 | 403 | 421; reason: string };

export interface GuardOptions {
  port: number;
  token: string;
  cookieName: string;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The Host header must name the loopback address we listen on: a page from another site that
 * rebinds its DNS name to 127.0.0.1 arrives with its own name and is refused.
 */
function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Page and asset requests: the token in the query (first visit) or the cookie set on that visit. */
export function checkPageRequest(req: IncomingMessage, opts: GuardOptions): Verdict {
  if (!hostAllowed(req.headers.host, opts.port)) return { ok: false, status: 421, reason: 'This address is not served here.' };
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  } catch {
    return { ok: false, status: 400, reason: 'Bad request.' };
  }
  const given = url.searchParams.get(WIRE_TOKEN_PARAM) ?? cookieValue(req.headers.cookie, opts.cookieName);
  if (!tokenMatches(opts.token, given)) {
    return { ok: false, status: 401, reason: 'Open KVS Wall with the address it printed at start-up; it carries the access token.' };
  }
  return { ok: true, url };
}

/**
 * WebSocket upgrades: the token must be on the socket URL itself (cookies ride along on
 * cross-site sockets, so they prove nothing here) and the Origin must be this shell's own page.
 */
export function checkSocketRequest(req: IncomingMessage, opts: GuardOptions): Verdict {
  const host = req.headers.host;
  if (!hostAllowed(host, opts.port)) return { ok: false, status: 421, reason: 'This address is not served here.' };
  if (req.headers.origin !== `http://${host}`) return { ok: false, status: 403, reason: 'Connections are accepted from KVS Wall’s own page only.' };
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://${host}`);
  } catch {
    return { ok: false, status: 400, reason: 'Bad request.' };
  }
  if (!tokenMatches(opts.token, url.searchParams.get(WIRE_TOKEN_PARAM))) {
    return { ok: false, status: 401, reason: 'Missing or wrong access token.' };
  }
  return { ok: true, url };
}
