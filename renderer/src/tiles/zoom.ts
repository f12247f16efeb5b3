/**
 * Digital zoom of a tile's picture: a scale and an offset applied to its video host as a CSS
 * transform (the player and its sessions never know). The picture always covers the tile while
 * zoomed: pans stop at its edges. It stays through renewals, replays and back to live, because it
 * belongs to the tile, not to a session.
 */
export interface Zoom {
  scale: number;
  /** Offset of the scaled picture's top-left from the tile's, in px (≤ 0). */
  x: number;
  y: number;
}

export const NO_ZOOM: Zoom = Object.freeze({ scale: 1, x: 0, y: 0 });
export const MAX_SCALE = 8;

function clamp(zoom: Zoom, width: number, height: number): Zoom {
  const scale = Math.min(MAX_SCALE, Math.max(1, zoom.scale));
  if (scale === 1) return NO_ZOOM;
  const minX = width - width * scale;
  const minY = height - height * scale;
  return { scale, x: Math.min(0, Math.max(minX, zoom.x)), y: Math.min(0, Math.max(minY, zoom.y)) };
}

/** Zoom by `factor` keeping the point (px, py) of the tile where it is (under the pointer). */
export function zoomAt(zoom: Zoom, factor: number, px: number, py: number, width: number, height: number): Zoom {
  const scale = Math.min(MAX_SCALE, Math.max(1, zoom.scale * factor));
  const ratio = scale / zoom.scale;
  return clamp({ scale, x: px - (px - zoom.x) * ratio, y: py - (py - zoom.y) * ratio }, width, height);
}

/** A wheel notch (deltaY, px or lines) as a zoom factor: up zooms in. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-px / 400);
}

export function pan(zoom: Zoom, dx: number, dy: number, width: number, height: number): Zoom {
  return clamp({ ...zoom, x: zoom.x + dx, y: zoom.y + dy }, width, height);
}

export function isZoomed(zoom: Zoom): boolean {
  return zoom.scale > 1;
}

export function transformOf(zoom: Zoom): string {
  return isZoomed(zoom) ? `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})` : '';
}
