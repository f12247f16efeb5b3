import { randomBytes } from 'node:crypto';
import { rm, rmdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';

/** A file the browser shell may hand out once, by its token. */
export interface DownloadTicket {
  path: string;
  /** The name the browser saves it under. */
  name: string;
  /** The download is over (finished or abandoned): the file and its folder go. */
  finished(): Promise<void>;
}

/** The path a download is served at: `/downloads/` and a 256-bit token, nothing derived from a file name. */
export const DOWNLOAD_PATH = /^\/downloads\/([A-Za-z0-9_-]{43})$/;

/**
 * Files offered to the browser shell's page as one-time downloads (exported clips). Each offer gets a
 * random token; the shell serves `/downloads/<token>` only for a token on offer, once, and the file
 * is deleted when that download ends or when the offer expires unused. Nothing about the URL names a
 * path, so there is nothing to traverse and nothing to list.
 */
export class DownloadOffers {
  private readonly offers = new Map<string, { path: string; name: string; expiresAt: number }>();
  private timer: ReturnType<Clock['setTimeout']> | undefined;

  constructor(
    private readonly deps: { clock: Clock; logger: Logger; ttlMs?: number },
  ) {}

  private get ttlMs(): number {
    return this.deps.ttlMs ?? 3_600_000;
  }

  offer(path: string, name = basename(path)): string {
    const token = randomBytes(32).toString('base64url');
    this.offers.set(token, { path, name, expiresAt: this.deps.clock.now() + this.ttlMs });
    this.schedule();
    return token;
  }

  /** The ticket for a token on offer, which is withdrawn by being taken. */
  take(token: string): DownloadTicket | undefined {
    const offer = this.offers.get(token);
    if (!offer) return undefined;
    this.offers.delete(token);
    if (offer.expiresAt <= this.deps.clock.now()) {
      void remove(offer.path);
      return undefined;
    }
    return { path: offer.path, name: offer.name, finished: () => remove(offer.path) };
  }

  get size(): number {
    return this.offers.size;
  }

  /** Withdraws every offer and deletes its file. */
  async dispose(): Promise<void> {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    const paths = [...this.offers.values()].map((o) => o.path);
    this.offers.clear();
    await Promise.all(paths.map(remove));
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const next = Math.min(...[...this.offers.values()].map((o) => o.expiresAt));
    if (!Number.isFinite(next)) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      const now = this.deps.clock.now();
      for (const [token, offer] of this.offers) {
        if (offer.expiresAt > now) continue;
        this.offers.delete(token);
        this.deps.logger.info('an export nobody downloaded expired', { name: offer.name });
        void remove(offer.path);
      }
      this.schedule();
    }, Math.max(1, next - this.deps.clock.now()));
  }
}

/** Deletes a file and its folder when that is now empty (each export has a folder of its own). */
async function remove(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
  await rmdir(dirname(path)).catch(() => undefined);
}
