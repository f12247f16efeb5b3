import type { Page } from 'playwright-core';

/** One look at one tile's visible picture. */
export interface PictureSample {
  /** performance.now() in the page. */
  at: number;
  currentTime: number;
  frames: number;
  /** Mean luma (0–255) of the visible video drawn onto a small canvas; black is below 10. */
  luma: number;
  /** A checksum of that small picture: equal checksums over time mean a frozen picture. */
  checksum: number;
  /** Which <video> element was visible (changes at a session swap). */
  element: number;
}

declare global {
  interface Window {
    kvsSampler?: { samples: Record<string, PictureSample[]>; stop: () => void };
  }
}

/**
 * Starts sampling every tile's visible video every `intervalMs` inside the page: what the operator
 * sees (the front layer), drawn to a 32×18 canvas for luma and a checksum.
 */
export async function startPictureSampler(page: Page, intervalMs = 50): Promise<void> {
  await page.evaluate((interval) => {
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 18;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const ids = new WeakMap<HTMLElement, number>();
    let nextId = 1;
    const samples: Record<string, PictureSample[]> = {};
    const timer = setInterval(() => {
      for (const tile of document.querySelectorAll<HTMLElement>('section.tile')) {
        // The front layer: a <video> (Shaka) or a <canvas> (the canvas player).
        const front = tile.querySelector<HTMLVideoElement | HTMLCanvasElement>('video[data-front="true"], canvas[data-front="true"]');
        if (!front) continue;
        const video = front instanceof HTMLVideoElement ? front : null;
        if (!ids.has(front)) ids.set(front, nextId++);
        ctx.fillStyle = '#000';
        ctx.fillRect(0, 0, 32, 18);
        if (!video || video.readyState >= 2) ctx.drawImage(front, 0, 0, 32, 18);
        const data = ctx.getImageData(0, 0, 32, 18).data;
        let luma = 0;
        let checksum = 0;
        for (let i = 0; i < data.length; i += 4) {
          luma += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
          checksum = (checksum * 31 + data[i]! + data[i + 1]! * 7 + data[i + 2]! * 13) >>> 0;
        }
        const key = tile.dataset['position'] ?? '?';
        (samples[key] ??= []).push({
          at: performance.now(),
          // A canvas has no media clock: its camera time (s) stands in, moving with each picture.
          currentTime: video ? video.currentTime : Number(tile.dataset['cameraMs'] ?? 0) / 1000,
          frames: video ? video.getVideoPlaybackQuality().totalVideoFrames : 0,
          luma: luma / (data.length / 4),
          checksum,
          element: ids.get(front)!,
        });
      }
    }, interval);
    window.kvsSampler = { samples, stop: () => clearInterval(timer) };
  }, intervalMs);
}

export async function stopPictureSampler(page: Page): Promise<Record<string, PictureSample[]>> {
  return page.evaluate(() => {
    window.kvsSampler?.stop();
    return window.kvsSampler?.samples ?? {};
  });
}

export interface PictureVerdict {
  /** Longest time the visible video's currentTime stood still, in ms (reported, not judged: it depends on the machine's load). */
  longestStallMs: number;
  blackSamples: number;
  /** Longest time the visible picture's checksum stood still, in ms (reported, not judged). */
  longestFrozenMs: number;
  /** How many times the visible element changed (session swaps). */
  swaps: number;
  /** Swaps whose new front video had shown no frame yet when it became visible (make-before-break broken). */
  swapsToUnreadyVideo: number;
  /** Swaps back to an element that had already been replaced (an old player shown again). */
  swapsBack: number;
  /**
   * Longest frozen run, in samples, that touches a swap (ends within two samples after it or spans it), and the
   * longest frozen run elsewhere. Counting samples rather than ms keeps the verdict independent of how busy the
   * machine is: a swap that freezes the picture longer than ordinary playback does on the same machine is a hitch.
   */
  longestFrozenAtSwapSamples: number;
  longestFrozenElsewhereSamples: number;
}

/** Samples after a swap in which a frozen run still counts as the swap's. */
const SWAP_REACH_SAMPLES = 2;

export function judgePictures(samples: readonly PictureSample[]): PictureVerdict {
  let longestStallMs = 0;
  let longestFrozenMs = 0;
  let blackSamples = 0;
  let swaps = 0;
  let swapsToUnreadyVideo = 0;
  let swapsBack = 0;
  let stallFrom = samples[0];
  let frozenFrom = 0;
  let lastSwapIndex = -Infinity;
  let longestFrozenAtSwapSamples = 0;
  let longestFrozenElsewhereSamples = 0;
  const retired = new Set<number>();
  const closeRun = (end: number): void => {
    const length = end - frozenFrom;
    if (length <= 0) return;
    const touchesSwap = lastSwapIndex >= frozenFrom && lastSwapIndex <= end + SWAP_REACH_SAMPLES;
    if (touchesSwap) longestFrozenAtSwapSamples = Math.max(longestFrozenAtSwapSamples, length);
    else longestFrozenElsewhereSamples = Math.max(longestFrozenElsewhereSamples, length);
  };
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1]!;
    const s = samples[i]!;
    if (s.element !== prev.element) {
      swaps += 1;
      lastSwapIndex = i;
      if (retired.has(s.element)) swapsBack += 1;
      retired.add(prev.element);
      if (s.frames === 0) swapsToUnreadyVideo += 1;
    }
    if (s.luma < 10) blackSamples += 1;
    if (s.currentTime === prev.currentTime && s.element === prev.element) {
      longestStallMs = Math.max(longestStallMs, s.at - stallFrom!.at);
    } else stallFrom = s;
    if (s.checksum === prev.checksum) longestFrozenMs = Math.max(longestFrozenMs, s.at - samples[frozenFrom]!.at);
    else {
      closeRun(i - 1);
      frozenFrom = i;
    }
  }
  closeRun(samples.length - 1);
  return {
    longestStallMs,
    blackSamples,
    longestFrozenMs,
    swaps,
    swapsToUnreadyVideo,
    swapsBack,
    longestFrozenAtSwapSamples,
    longestFrozenElsewhereSamples,
  };
}
