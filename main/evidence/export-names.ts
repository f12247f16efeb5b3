import { basename, dirname, extname, join } from 'node:path';

/**
 * File names for exports and snapshots, decided without Electron: what the save dialog suggests and
 * what the files of an export are called. Times are the operator's (this machine's) clock.
 */

const pad = (n: number) => String(n).padStart(2, '0');

function localStamp(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  return { date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, time: `${pad(d.getHours())}.${pad(d.getMinutes())}.${pad(d.getSeconds())}` };
}

/** Anything but letters, digits, space, `_ . -` becomes `_`; never empty, never a dot file, at most 100 characters. */
export function safeFileStem(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9 _.-]/g, '_').replace(/^[.\s]+/, '').trim().slice(0, 100);
  return cleaned.length > 0 ? cleaned : 'camera';
}

/** `lobby 2025-11-29 14.03.00 to 14.05.00.mp4` (the end's date too when it is another day). */
export function suggestedClipName(streamName: string, start: number, end: number): string {
  const a = localStamp(start);
  const b = localStamp(end);
  const to = a.date === b.date ? b.time : `${b.date} ${b.time}`;
  return `${safeFileStem(streamName)} ${a.date} ${a.time} to ${to}.mp4`;
}

/** A chosen path with `.mp4` added when it has no extension of its own. */
export function withMp4Extension(path: string): string {
  return extname(path) === '' ? `${path}.mp4` : path;
}

/** `…/name (part 2 of 3).mp4` beside `…/name.mp4`: what an export is called when its parts can't be joined. */
export function numberedPartPath(path: string, part: number, parts: number): string {
  const ext = extname(path) || '.mp4';
  const stem = basename(path, extname(path));
  return join(dirname(path), `${stem} (part ${part} of ${parts})${ext}`);
}

/** The hidden name a file is written under until it is complete, beside where it will be. */
export function partialPathFor(path: string, id: string): string {
  return join(dirname(path), `.${basename(path)}.${id}.partial`);
}
