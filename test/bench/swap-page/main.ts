/**
 * The swap benchmark's page: N tiles, each the app's own TilePlayer, handed a new live session whenever
 * the benchmark says (a renewal swap, make-before-break, exactly as a wall does it). The benchmark counts
 * what the swaps leave alive with test/support/media-lifetimes.ts, installed before this page runs.
 */
import type { Grant } from '../../../shared/model';
import { TilePlayer } from '../../../renderer/src/player/tile-player';

interface Tile {
  host: HTMLElement;
  player: TilePlayer;
  busy: boolean;
  phase: string;
}
const tiles: Tile[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const lab = {
  open(count: number): void {
    const root = document.getElementById('tiles')!;
    for (let i = 0; i < count; i++) {
      const host = document.createElement('div');
      host.className = 'tile';
      root.append(host);
      const tile: Tile = { host, busy: false, phase: 'connecting', player: undefined as unknown as TilePlayer };
      tile.player = new TilePlayer(
        host,
        {
          onPhase: (p) => void (tile.phase = p.kind),
          onSessionRefused: () => undefined,
          onThrottled: () => undefined,
        },
        { muted: true, tileId: `lab:${i}`, tier: 'full' },
      );
      tiles.push(tile);
    }
  },
  /**
   * Hands tile `i` a new live session and resolves when the swap is over (one `<video>` left, the new
   * one in front) with its duration, or false after `timeoutMs`.
   */
  async play(i: number, sessionId: string, url: string, timeoutMs = 30_000): Promise<number | false> {
    const tile = tiles[i]!;
    tile.busy = true;
    const before = tile.host.querySelector('video');
    const grant: Grant = { sessionId, url, issuedAt: Date.now(), expiresAt: Date.now() + 600_000, playback: { mode: 'LIVE' } };
    const start = performance.now();
    tile.player.play(grant);
    try {
      while (performance.now() - start < timeoutMs) {
        await sleep(100);
        const videos = tile.host.querySelectorAll('video');
        if (videos.length === 1 && videos[0] !== before && videos[0]!.dataset['front'] === 'true' && tile.phase === 'playing') return performance.now() - start;
      }
      return false;
    } finally {
      tile.busy = false;
    }
  },
  busy(i: number): boolean {
    return tiles[i]!.busy;
  },
  phases(): string[] {
    return tiles.map((t) => t.phase);
  },
};

declare global {
  interface Window {
    lab: typeof lab;
  }
}
window.lab = lab;
document.title = 'ready';
