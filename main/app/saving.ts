import type { BrowserWindow, Dialog, Session } from 'electron';
import type { Logger } from '../core/logger';
import { savedFileDestination, type ExportDestination } from '../evidence';
import { decideDownload, exportSaveDialog } from './policy/saving';

/** Clip exports: main asks where to save with a dialog on the window that asked (decisions in policy/saving.ts). */
export function dialogExportDestination(dialog: Pick<Dialog, 'showSaveDialog'>, windowOf: (senderId: string) => BrowserWindow | undefined, downloadsDir: () => string): ExportDestination {
  return savedFileDestination(async (suggestedName, ctx) => {
    const options = exportSaveDialog(suggestedName, downloadsDir());
    const win = windowOf(ctx.senderId);
    const answer = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return answer.canceled || !answer.filePath ? undefined : answer.filePath;
  });
}

/** Snapshots the page downloads (a PNG blob it made) get a save dialog; any other download is cancelled. */
export function wireDownloads(session: Pick<Session, 'on'>, downloadsDir: () => string, logger: Logger): void {
  session.on('will-download', (_event, item) => {
    const decision = decideDownload({ url: item.getURL(), filename: item.getFilename(), mimeType: item.getMimeType() }, downloadsDir());
    if (!decision.allow) {
      logger.warn('refused a download', { reason: decision.reason });
      item.cancel();
      return;
    }
    item.setSaveDialogOptions(decision.dialog);
  });
}
