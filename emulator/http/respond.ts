import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KvsError } from '../errors';

/**
 * Players load manifests and fragments from a page served by another origin (the app, a test page),
 * so every response carries permissive CORS headers; the session token in the URL is the authorisation.
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Range, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256, X-Amz-User-Agent, Amz-Sdk-Invocation-Id, Amz-Sdk-Request',
  'Access-Control-Expose-Headers': 'x-amzn-RequestId, x-amz-RequestId, x-amzn-ErrorType, x-amz-ErrorType, Content-Length, Content-Type, Date',
  'Access-Control-Max-Age': '600',
};

export function newRequestId(): string {
  return randomUUID();
}

function baseHeaders(requestId: string): Record<string, string> {
  return { ...CORS_HEADERS, 'x-amzn-RequestId': requestId, 'x-amz-RequestId': requestId };
}

export function sendJson(req: IncomingMessage, res: ServerResponse, requestId: string, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...baseHeaders(requestId),
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

export function sendBytes(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  contentType: string,
  body: Uint8Array | string,
): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  res.writeHead(200, {
    ...baseHeaders(requestId),
    'Content-Type': contentType,
    'Content-Length': length,
    // Live manifests change every second and fragments are addressed per session: nothing may be cached.
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendError(req: IncomingMessage, res: ServerResponse, requestId: string, error: KvsError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ __type: error.errorName, message: error.message });
  res.writeHead(error.status, {
    ...baseHeaders(requestId),
    // The SDK reads x-amzn-ErrorType; the KVS docs name x-amz-ErrorType. Both, so every client agrees.
    'x-amzn-ErrorType': error.errorName,
    'x-amz-ErrorType': error.errorName,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache',
    ...extraHeaders,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** An STS answer or error: the query protocol's XML. */
export function sendXml(req: IncomingMessage, res: ServerResponse, requestId: string, xml: string, status = 200, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...baseHeaders(requestId),
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(xml),
    'Cache-Control': 'no-cache',
    ...extraHeaders,
  });
  res.end(req.method === 'HEAD' ? undefined : xml);
}

/**
 * Headers for an error answered before the body was read to the end: the connection closes, so the
 * unread rest is never parsed as the next request. Call `req.resume()` after sending.
 */
export function closingHeaders(req: IncomingMessage): Record<string, string> {
  return req.complete ? {} : { Connection: 'close' };
}

export function sendPreflight(res: ServerResponse, requestId: string): void {
  res.writeHead(204, { ...baseHeaders(requestId), 'Content-Length': 0 });
  res.end();
}
