import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExportFile } from '../../shared/model';
import type { ExportDestination } from './clip-export';
import type { DownloadOffers } from './downloads';

/**
 * The browser shell's exports: written to a folder of their own under the user-data folder's
 * `exports/`, then offered to the page as one-time downloads (the page starts the download; the
 * browser asks where to save it). Leftovers of an earlier run are unreachable (their tokens died with
 * it) and are deleted at start.
 */
export function downloadDestination(dir: string, offers: DownloadOffers): ExportDestination & { ready: Promise<void> } {
  const ready = rm(dir, { recursive: true, force: true }).then(() => mkdir(dir, { recursive: true })).then(() => undefined);
  return {
    ready,
    async choose(suggestedName) {
      await ready;
      const folder = join(dir, randomBytes(9).toString('base64url'));
      await mkdir(folder);
      return join(folder, suggestedName);
    },
    async deliver(paths) {
      return Promise.all(
        paths.map(async (path): Promise<ExportFile> => ({ name: basename(path), bytes: (await stat(path)).size, downloadUrl: `/downloads/${offers.offer(path)}` })),
      );
    },
  };
}

/** The desktop app's exports: the file is where the person chose in the save dialog. */
export function savedFileDestination(choose: ExportDestination['choose']): ExportDestination {
  return {
    choose,
    async deliver(paths) {
      return Promise.all(paths.map(async (path): Promise<ExportFile> => ({ name: basename(path), bytes: (await stat(path)).size })));
    },
  };
}
