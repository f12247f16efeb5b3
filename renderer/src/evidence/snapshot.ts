import { safeName } from './file-names';

/**
 * A snapshot of a tile: its current frame at the video's own resolution (not the wall's scaled or
 * zoomed view), with the camera's name and camera time stamped in the bottom-right corner, as a PNG.
 * Saved through the page's own download (the desktop app turns it into a save dialog) and copied to
 * the clipboard.
 */

export interface SnapshotSource {
  /** What to draw: the playing `<video>` (or a canvas a player draws to). */
  image: CanvasImageSource;
  width: number;
  height: number;
}

export interface Stamp {
  cameraName: string;
  /** "29 Nov 2025 14:03:07 CET", in the wall's clock zone. */
  timeText: string;
}

/** Where the stamp goes and how big, for a frame of this size (pure, for tests). */
export function stampLayout(width: number, height: number, lines: readonly string[], measure: (text: string, px: number) => number): { px: number; box: { x: number; y: number; w: number; h: number }; lines: Array<{ text: string; x: number; y: number }> } {
  const px = Math.max(12, Math.round(height / 30));
  const pad = Math.round(px * 0.5);
  const lineHeight = Math.round(px * 1.25);
  const textWidth = Math.max(...lines.map((l) => measure(l, px)));
  const w = Math.min(width, Math.ceil(textWidth + 2 * pad));
  const h = lineHeight * lines.length + pad;
  const x = width - w;
  const y = height - h;
  return { px, box: { x, y, w, h }, lines: lines.map((text, i) => ({ text, x: x + pad, y: y + pad / 2 + lineHeight * (i + 1) - Math.round(px * 0.3) })) };
}

export async function snapshotPng(source: SnapshotSource, stamp: Stamp): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw a snapshot.');
  ctx.drawImage(source.image, 0, 0, source.width, source.height);
  const lines = [stamp.cameraName, stamp.timeText];
  const font = (px: number) => `600 ${px}px system-ui, sans-serif`;
  const layout = stampLayout(source.width, source.height, lines, (text, px) => {
    ctx.font = font(px);
    return ctx.measureText(text).width;
  });
  ctx.fillStyle = 'rgba(0, 0, 0, 0.72)';
  ctx.fillRect(layout.box.x, layout.box.y, layout.box.w, layout.box.h);
  ctx.font = font(layout.px);
  ctx.fillStyle = '#ffffff';
  ctx.textBaseline = 'alphabetic';
  for (const line of layout.lines) ctx.fillText(line.text, line.x, line.y);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The snapshot could not be encoded.'))), 'image/png'));
}

/** `Lobby 2025-11-29 14.03.07.png` */
export function snapshotName(cameraName: string, stampForFile: string): string {
  return `${safeName(cameraName)} ${stampForFile}.png`;
}

/** Starts the page's own download of `blob` (the desktop app asks where to save it). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference by now; the URL can go once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Puts the PNG on the clipboard (async Clipboard API); false when the browser or the app refuses. */
export async function copyPng(blob: Blob): Promise<boolean> {
  try {
    if (typeof ClipboardItem === 'undefined' || !navigator.clipboard?.write) return false;
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
    return true;
  } catch {
    return false;
  }
}
