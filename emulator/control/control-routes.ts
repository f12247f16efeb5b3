import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { KvsError } from '../errors';
import { parseJsonObject, readBody } from '../http/body';
import { sendJson } from '../http/respond';
import type { ControlRoutes } from '../http/server';
import { int, parseRequest, StreamNameField, text } from '../http/validation';
import { REQUEST_KINDS } from '../request-kinds';
import type { EmulatorControl } from './emulator-control';

const Kind = z.enum(REQUEST_KINDS, { error: `Member must be one of: ${REQUEST_KINDS.join(', ')}` });
const Stream = z.object({ streamName: StreamNameField });

/** Each control as a JSON POST route: a request schema and what to do with it. */
const ROUTES: Record<string, (body: Record<string, unknown>, control: EmulatorControl) => unknown> = {
  stopCamera: (b, c) => c.stopCamera(parseRequest(Stream, b).streamName),
  resumeCamera: (b, c) => c.resumeCamera(parseRequest(Stream, b).streamName),
  injectGap: (b, c) => {
    const r = parseRequest(Stream.extend({ seconds: z.number().positive().max(3600) }), b);
    c.injectGap(r.streamName, r.seconds);
  },
  failNext: (b, c) => {
    const r = parseRequest(z.object({ kind: Kind, count: int(0, 1_000_000), status: z.union([z.literal(500), z.literal(503)]).optional() }), b);
    c.failNext(r.kind, r.count, r.status);
  },
  setLatency: (b, c) => {
    const r = parseRequest(z.object({ kind: Kind, ms: int(0, 60_000) }), b);
    c.setLatency(r.kind, r.ms);
  },
  throttle: (b, c) => {
    const r = parseRequest(z.object({ kind: Kind, count: int(0, 1_000_000).optional() }), b);
    c.throttle(r.kind, r.count);
  },
  loseAnswer: (b, c) => {
    const r = parseRequest(
      z.object({ kind: Kind, count: int(0, 1_000_000), mode: z.enum(['drop', 'delay'], { error: 'Member must be drop or delay' }).optional(), delayMs: int(1, 600_000).optional() }),
      b,
    );
    if (r.mode === 'delay' && r.delayMs === undefined) throw new KvsError('InvalidArgumentException', "delayMs is required when mode is 'delay'.");
    if (r.mode !== 'delay' && r.delayMs !== undefined) throw new KvsError('InvalidArgumentException', "delayMs applies only when mode is 'delay'.");
    c.loseAnswer(r.kind, r.count, r.mode === 'delay' && r.delayMs !== undefined ? { mode: 'delay', delayMs: r.delayMs } : { mode: 'drop' });
  },
  clearFaults: (_b, c) => c.clearFaults(),
  revokeSession: (b, c) => ({ revoked: c.revokeSession(parseRequest(z.object({ session: text(1, 8192) }), b).session) }),
  revokeStreamSessions: (b, c) => ({ revoked: c.revokeStreamSessions(parseRequest(Stream, b).streamName) }),
  setMinExpiresSeconds: (b, c) => c.setMinExpiresSeconds(parseRequest(z.object({ seconds: int(1, 43_200) }), b).seconds),
  setCodec: (b, c) => {
    const r = parseRequest(Stream.extend({ kvsCodecId: text(1, 64).optional(), hasCodecPrivateData: z.boolean().optional() }), b);
    c.setCodec(r.streamName, { kvsCodecId: r.kvsCodecId, hasCodecPrivateData: r.hasCodecPrivateData });
  },
  sessions: (b, c) => ({ sessions: c.sessions(parseRequest(z.object({ streamName: StreamNameField.optional() }), b).streamName) }),
  counters: (_b, c) => c.counters(),
  resetCounters: (_b, c) => c.resetCounters(),
};

/** The reads also answer GET, so a person can look at them in a browser. */
const READS = new Set(['counters', 'sessions']);

/** `/_control/<name>`: JSON in, JSON out (`{}` when a control returns nothing). Unsigned: test use only. */
export function createControlRoutes(control: EmulatorControl): ControlRoutes {
  return {
    async handle(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): Promise<boolean> {
      const name = pathname.slice('/_control/'.length);
      const route = Object.hasOwn(ROUTES, name) ? ROUTES[name] : undefined;
      if (!route) return false;
      if (req.method !== 'POST' && !(req.method === 'GET' && READS.has(name))) {
        throw new KvsError('UnknownOperationException', `Use POST for /_control/${name}.`);
      }
      const body = req.method === 'POST' ? parseJsonObject(await readBody(req)) : {};
      const result = route(body, control);
      sendJson(req, res, requestId, result ?? {});
      return true;
    },
  };
}
