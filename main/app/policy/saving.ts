import { join } from 'node:path';
import { safeFileStem } from '../../evidence/export-names';
import { APP_ORIGIN } from './app-origin';

/**
 * What the desktop app saves and how it asks where: clip exports through a save dialog main opens,
 * and snapshots (PNGs the page makes) through Chromium's download of a blob URL, which Electron turns
 * into `will-download`. Nothing else may be downloaded: a page can't make the app save a file from
 * the network or from anywhere but itself.
 */

export interface SaveDialogChoice {
  title: string;
  defaultPath: string;
  buttonLabel: string;
  filters: Array<{ name: string; extensions: string[] }>;
  properties: Array<'createDirectory' | 'showOverwriteConfirmation'>;
}

export function exportSaveDialog(suggestedName: string, downloadsDir: string): SaveDialogChoice {
  return {
    title: 'Export clip',
    defaultPath: join(downloadsDir, suggestedName),
    buttonLabel: 'Export',
    filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

export type DownloadDecision = { allow: false; reason: string } | { allow: true; dialog: SaveDialogChoice };

/** A download the page started: only a PNG snapshot the page made itself (a blob of the app's origin). */
export function decideDownload(download: { url: string; filename: string; mimeType: string }, downloadsDir: string): DownloadDecision {
  if (!download.url.startsWith(`blob:${APP_ORIGIN}/`)) return { allow: false, reason: 'only files the app made itself are saved' };
  if (download.mimeType !== 'image/png') return { allow: false, reason: `only PNG snapshots are saved this way, not ${download.mimeType.slice(0, 60)}` };
  const stem = safeFileStem(download.filename.replace(/\.png$/i, ''));
  return {
    allow: true,
    dialog: {
      title: 'Save snapshot',
      defaultPath: join(downloadsDir, `${stem}.png`),
      buttonLabel: 'Save',
      filters: [{ name: 'PNG image', extensions: ['png'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    },
  };
}
