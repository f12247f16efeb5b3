/**
 * The stills benchmark's page: a grid of canvases the size of the wall's tiles, drawn one of two ways
 * with nothing else on the page, so the two tiers' own costs compare:
 * - `key-frames`: the renderer's own canvas player (CanvasLayer) on a live DASH session URL per tile,
 *   as the app's key-frames tier runs it (manifest polls, one fragment GET and one decode per fragment);
 * - `stills`: JPEG stills pushed by Node over a WebSocket as the browser shell's wire carries events
 *   (a JSON text frame, checked with the wire's schema), decoded with createImageBitmap and drawn.
 * Each tile keeps the camera time of its picture; `kvsBench.freshness()` reads now − that time.
 */
import { z } from 'zod';
import { EventFrameSchema } from '../../../shared/wire';
import { CanvasLayer } from '../../../renderer/src/player/canvas/canvas-layer';
import type { RequestCounter } from '../../../renderer/src/player/canvas/kvs-fetch';

/** One still as main would send it: the tile, the sample time GetImages named it by, the JPEG (base64). */
const StillSchema = z.object({ position: z.number().int().min(0).max(255), time: z.number().finite(), jpeg: z.string().max(390_000) });

interface Tile {
  canvas: HTMLCanvasElement;
  context: CanvasRenderingContext2D;
  cameraMs: number | undefined;
  drawn: number;
}

const host = document.getElementById('tiles')!;
const tiles: Tile[] = [];
const layers: CanvasLayer[] = [];
const failures: Record<string, number> = {};
let requests = 0;

function grid(count: number): HTMLElement[] {
  const side = Math.ceil(Math.sqrt(count));
  host.style.gridTemplateColumns = `repeat(${side}, 1fr)`;
  host.style.gridTemplateRows = `repeat(${side}, 1fr)`;
  return Array.from({ length: count }, () => host.appendChild(document.createElement('div')));
}

const counter: RequestCounter = {
  request: () => void (requests += 1),
  answered: () => undefined,
  throttled: () => false,
};

function bytesOf(base64: string): Uint8Array {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

async function showStill(data: string): Promise<void> {
  const frame = EventFrameSchema.parse(JSON.parse(data));
  const still = StillSchema.parse(frame.payload);
  const tile = tiles[still.position];
  if (!tile) return;
  const bitmap = await createImageBitmap(new Blob([bytesOf(still.jpeg) as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
  // A late answer must not replace a newer picture.
  if (tile.cameraMs !== undefined && still.time <= tile.cameraMs) {
    bitmap.close();
    return;
  }
  if (tile.canvas.width !== bitmap.width || tile.canvas.height !== bitmap.height) {
    tile.canvas.width = bitmap.width;
    tile.canvas.height = bitmap.height;
  }
  tile.context.drawImage(bitmap, 0, 0);
  bitmap.close();
  tile.cameraMs = still.time;
  tile.drawn += 1;
}

const bench = {
  /** `urls[i]`: tile i's live DASH session URL. */
  keyFrames(urls: string[]): void {
    grid(urls.length).forEach((cell, i) => {
      const layer = new CanvasLayer(cell, `bench-${i}`, { onFailure: (_l, f) => void (failures[f.kind] = (failures[f.kind] ?? 0) + 1) }, { mode: 'key-frames', counter });
      layer.setFront(true);
      layer.start(urls[i]!);
      layers.push(layer);
    });
  },
  /** `count` tiles drawn from the stills arriving on `socketUrl`. */
  stills(count: number, socketUrl: string): Promise<void> {
    for (const cell of grid(count)) {
      const canvas = cell.appendChild(document.createElement('canvas'));
      const context = canvas.getContext('2d', { alpha: false, desynchronized: true })!;
      tiles.push({ canvas, context, cameraMs: undefined, drawn: 0 });
    }
    const socket = new WebSocket(socketUrl);
    socket.onmessage = (event) => {
      showStill(String(event.data)).catch((error: unknown) => {
        const kind = error instanceof Error ? error.name : 'other';
        failures[kind] = (failures[kind] ?? 0) + 1;
      });
    };
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error('the stills socket did not open'));
    });
  },
  /** Per tile: now − camera time of its picture (ms), or null before its first picture. */
  freshness(): Array<number | null> {
    const now = Date.now();
    const times = layers.length > 0 ? layers.map((l) => l.shownCameraMs) : tiles.map((t) => t.cameraMs);
    return times.map((t) => (t === undefined ? null : now - t));
  },
  pictures(): number {
    return layers.length > 0 ? layers.reduce((n, l) => n + l.framesDrawn, 0) : tiles.reduce((n, t) => n + t.drawn, 0);
  },
  failures: () => ({ ...failures }),
  requests: () => requests,
};

declare global {
  interface Window {
    kvsBench: typeof bench;
  }
}
window.kvsBench = bench;
