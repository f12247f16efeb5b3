import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';

/**
 * The two questions a connection test asks the network before it asks AWS anything: does this name
 * resolve, and does anything accept a TCP connection there. Injectable so the answers' wording can
 * be tested for networks this machine does not have.
 */
export interface NetworkProbe {
  /** Resolves when the host name resolves; rejects with the resolver's error (code ENOTFOUND, EAI_AGAIN, …). */
  resolve(host: string): Promise<void>;
  /** Resolves when a TCP connection to host:port opens; rejects with the socket's error (ECONNREFUSED, ETIMEDOUT, …). */
  reach(host: string, port: number): Promise<void>;
}

export const PROBE_TIMEOUT_MS = 5_000;

export const systemNetworkProbe: NetworkProbe = {
  async resolve(host) {
    await lookup(host);
  },
  reach(host, port) {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(Object.assign(new Error(`connect ETIMEDOUT ${host}:${port}`), { code: 'ETIMEDOUT', hostname: host }));
      });
      socket.once('error', (err) => {
        socket.destroy();
        reject(err);
      });
    });
  },
};

export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
