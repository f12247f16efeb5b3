import type { IncomingMessage } from 'node:http';
import { KvsError } from '../errors';

/** KVS request bodies are a few hundred bytes; anything near this is abuse, not a request. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const bodyTooLarge = (): KvsError =>
  new KvsError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);

/** Reads the whole body, refusing early (by Content-Length) or as soon as the limit is crossed. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(bodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

/** Parses a JSON object body; an empty body is `{}` as rest-json allows. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KvsError('SerializationException', 'The request body is not valid JSON.', 400);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KvsError('SerializationException', 'The request body must be a JSON object.', 400);
  }
  return value as Record<string, unknown>;
}
