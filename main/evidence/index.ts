import { join } from 'node:path';
import type { ExportProgress, StreamRef } from '../../shared/model';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { DataEndpointCall } from '../kvs/data-endpoint-call';
import type { FragmentLister } from '../kvs/session-issuer';
import type { PricedCall } from '../sessions/points-price';
import { createArchiveCalls } from './archive-calls';
import { createClipExports, type ClipExports, type ExportDestination } from './clip-export';
import { createCoverageService, type CoverageService } from './coverage';
import { DownloadOffers } from './downloads';
import { downloadDestination } from './export-destinations';
import { createThumbnailService, type ThumbnailService } from './thumbnails';

export type { ClipExports, ExportDestination } from './clip-export';
export { DOWNLOAD_PATH, type DownloadTicket } from './downloads';
export { savedFileDestination } from './export-destinations';

export interface EvidenceDeps {
  onDataEndpoint: DataEndpointCall;
  fragments: Pick<FragmentLister, 'fragmentsIn'>;
  sessions: {
    beforeSpending(stream: StreamRef, call: PricedCall): Promise<void>;
    noteThrottled(stream: StreamRef, retryAt?: number): void;
  };
  clock: Clock;
  logger: Logger;
  userDataDir: string;
  /** Where exports go; absent: the browser shell's one-time downloads. */
  destination?: ExportDestination;
  emitProgress: (progress: ExportProgress) => void;
  /** Test-only: smaller GetClip parts. */
  partLimits?: { maxFragments: number; maxBytes: number };
}

/** The evidence features' main side: timeline coverage, thumbnails, clip export (and its downloads in the browser shell). */
export interface EvidenceService {
  readonly coverage: CoverageService;
  readonly thumbnails: ThumbnailService;
  readonly exports: ClipExports;
  /** Files offered as one-time downloads (browser shell only). */
  readonly downloads: DownloadOffers | undefined;
  dispose(): Promise<void>;
}

export function createEvidenceService(deps: EvidenceDeps): EvidenceService {
  const calls = createArchiveCalls({
    onDataEndpoint: deps.onDataEndpoint,
    beforeSpending: (stream, call) => deps.sessions.beforeSpending(stream, call),
    onThrottled: (stream, retryAt) => deps.sessions.noteThrottled(stream, retryAt),
  });
  const downloads = deps.destination ? undefined : new DownloadOffers({ clock: deps.clock, logger: deps.logger });
  const destination = deps.destination ?? downloadDestination(join(deps.userDataDir, 'exports'), downloads as DownloadOffers);
  const exports = createClipExports({
    fragments: deps.fragments,
    calls,
    destination,
    workDir: join(deps.userDataDir, 'export-parts'),
    clock: deps.clock,
    logger: deps.logger,
    emit: deps.emitProgress,
    ...(deps.partLimits ? { partLimits: deps.partLimits } : {}),
  });
  return {
    coverage: createCoverageService({ fragments: deps.fragments, clock: deps.clock }),
    thumbnails: createThumbnailService({ calls, clock: deps.clock, logger: deps.logger }),
    exports,
    downloads,
    async dispose() {
      await exports.dispose();
      await downloads?.dispose();
    },
  };
}
