/**
 * What a page's players leave alive: an init script (Playwright `addInitScript`, before any page script)
 * that counts, with a FinalizationRegistry, the `<video>` elements, MediaSources and SourceBuffers the
 * page creates and the ones the garbage collector has reclaimed, and the object URLs created
 * and not yet revoked. After a forced GC (`collectGarbage`), "created − collected" is what is still
 * reachable: a count that grows with every session swap is something each swap leaves behind.
 *
 * A string, not a function: tsx would wrap named inner functions in `__name(...)`, which doesn't exist in
 * the page.
 */
import type { Page } from 'playwright-core';

/** What these helpers need of a page: evaluation of an expression, and its DevTools session. */
export interface EvaluatesExpressions {
  evaluate<R>(expression: string): Promise<R>;
}
export interface SendsCdp {
  send(method: 'HeapProfiler.collectGarbage'): Promise<unknown>;
}

export type LifetimeKind = 'video' | 'mediaSource' | 'sourceBuffer';

export interface MediaLifetimes {
  created: Record<LifetimeKind, number>;
  collected: Record<LifetimeKind, number>;
  objectUrlsCreated: number;
  /** Object URLs created and not revoked (each keeps its Blob or MediaSource alive). */
  objectUrlsLive: number;
}

declare global {
  interface Window {
    kvsLifetimes?: () => MediaLifetimes;
  }
}

export const MEDIA_LIFETIMES_SCRIPT = `(() => {
  const kinds = ['video', 'mediaSource', 'sourceBuffer'];
  const created = Object.fromEntries(kinds.map((k) => [k, 0]));
  const collected = Object.fromEntries(kinds.map((k) => [k, 0]));
  const registry = new FinalizationRegistry((kind) => { collected[kind] += 1; });
  const seen = new WeakSet();
  const track = (kind, target) => {
    if (seen.has(target)) return;
    seen.add(target);
    created[kind] += 1;
    registry.register(target, kind);
  };
  const NativeMediaSource = window.MediaSource;
  if (NativeMediaSource) {
    class CountedMediaSource extends NativeMediaSource {
      constructor() { super(); track('mediaSource', this); }
      addSourceBuffer(type) { const b = super.addSourceBuffer(type); track('sourceBuffer', b); return b; }
    }
    window.MediaSource = CountedMediaSource;
  }
  const liveUrls = new Set();
  let urlsCreated = 0;
  const createObjectURL = URL.createObjectURL.bind(URL);
  const revokeObjectURL = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (obj) => { const url = createObjectURL(obj); urlsCreated += 1; liveUrls.add(url); return url; };
  URL.revokeObjectURL = (url) => { liveUrls.delete(url); revokeObjectURL(url); };
  // Every <video>, wherever it is created (the players make theirs with document.createElement).
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (name, options) {
    const el = createElement.call(this, name, options);
    if (el instanceof HTMLVideoElement) track('video', el);
    return el;
  };
  window.kvsLifetimes = () => ({ created: { ...created }, collected: { ...collected }, objectUrlsCreated: urlsCreated, objectUrlsLive: liveUrls.size });
})()`;

/** Installs the counters in every page of `page`'s context opened from now on (call before `goto`). */
export async function countMediaLifetimes(page: Page): Promise<void> {
  await page.addInitScript(MEDIA_LIFETIMES_SCRIPT);
}

/** A full garbage collection, then a moment for the FinalizationRegistry's callbacks to run. */
export async function collectGarbage(cdp: SendsCdp): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

export async function readLifetimes(page: EvaluatesExpressions): Promise<MediaLifetimes> {
  const counts = await page.evaluate<MediaLifetimes | undefined>('window.kvsLifetimes?.()');
  if (!counts) throw new Error('the media lifetime counters are not installed in this page');
  return counts;
}

export function liveCount(counts: MediaLifetimes, kind: LifetimeKind): number {
  return counts.created[kind] - counts.collected[kind];
}
