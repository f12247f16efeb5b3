import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_HEADERS } from '../http/respond';
import { SsoError, type SsoPortal } from './sso-portal';

/** The portal's one route the AWS SDK uses: `GET /federation/credentials?role_name=…&account_id=…`. */
export const SSO_CREDENTIALS_PATH = '/federation/credentials';

/**
 * Answers GetRoleCredentials as the SSO portal does (restJson1): the bearer token in
 * `x-amz-sso_bearer_token`, no SigV4; errors carry `x-amzn-ErrorType` and `{"message": …}`.
 */
export function handleSsoRequest(portal: SsoPortal, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): void {
  const header = req.headers['x-amz-sso_bearer_token'];
  const token = Array.isArray(header) ? header[0] : header;
  let status = 200;
  let body: unknown;
  const headers: Record<string, string> = {};
  try {
    body = portal.getRoleCredentials(token, url.searchParams.get('account_id'), url.searchParams.get('role_name'));
  } catch (err) {
    if (!(err instanceof SsoError)) throw err;
    status = err.status;
    body = { message: err.message };
    headers['x-amzn-ErrorType'] = err.errorName;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'x-amzn-RequestId': requestId,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
