/**
 * A page for the memory benchmarks, opened one of two ways:
 * - `raw` (default): over a bare DevTools pipe (test/support/raw-cdp.ts), with nothing recording the
 *   page's network — what an operator's app is like;
 * - `playwright`: as every suite opens it. Playwright enables DevTools' Network domain on its pages,
 *   and the renderer then keeps response bodies (up to 200 MB) and a record of every request for
 *   DevTools: a wall's renderer grows by what the instrument keeps. Here to show that share.
 */
import type { Browser, BrowserContext, CDPSession } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { RawBrowser } from '../support/raw-cdp';

export type DriverName = 'raw' | 'playwright';

export function driverName(value: string | undefined): DriverName {
  if (value === undefined || value === 'raw') return 'raw';
  if (value === 'playwright') return 'playwright';
  throw new Error(`--driver raw or playwright, not ${value}`);
}

/** A DevTools session (a page's or the browser's). */
export interface Cdp {
  send<T = Record<string, unknown>>(method: string, params?: object): Promise<T>;
  /** Returns a function that removes the handler. */
  on(method: string, handler: (params: Record<string, unknown>) => void): () => void;
}

export interface DrivenPage {
  /** `fn` runs in the page, sent as its source text: it may use nothing from outside but `arg` (JSON). */
  evaluate<R, A = undefined>(fn: string | ((arg: A) => R | Promise<R>), arg?: A): Promise<R>;
  waitForTimeout(ms: number): Promise<void>;
  readonly cdp: Cdp;
  readonly browserCdp: Cdp;
  /** Uncaught exceptions in the page so far. */
  pageErrors(): number;
  /** Closes the page (and the browser when this driver launched it). */
  close(): Promise<void>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  initScripts?: readonly string[];
  /** Playwright only: the browser and context to open the page in (default: a new browser). */
  playwright?: { browser: Browser; context: BrowserContext };
}

export async function openPage(driver: DriverName, url: string, options: OpenOptions = {}): Promise<DrivenPage> {
  const viewport = options.viewport ?? { width: 1280, height: 720 };
  return driver === 'raw' ? openRaw(url, viewport, options.initScripts ?? []) : openPlaywright(url, viewport, options);
}

async function openRaw(url: string, viewport: { width: number; height: number }, initScripts: readonly string[]): Promise<DrivenPage> {
  const browser = await RawBrowser.launch();
  try {
    const page = await browser.newPage(url, { viewport, initScripts });
    let errors = 0;
    page.on('Runtime.exceptionThrown', () => void (errors += 1));
    await page.send('Runtime.enable');
    return {
      evaluate: (fn, arg) => page.evaluate(fn, arg),
      waitForTimeout: (ms) => page.waitForTimeout(ms),
      cdp: page,
      browserCdp: { send: (m, p) => browser.send(m, p), on: (m, h) => browser.on(m, (params) => h(params)) },
      pageErrors: () => errors,
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

async function openPlaywright(url: string, viewport: { width: number; height: number }, options: OpenOptions): Promise<DrivenPage> {
  const own = options.playwright ? undefined : await launchChromium();
  const browser = options.playwright?.browser ?? own!;
  const context = options.playwright?.context ?? (await browser.newContext({ viewport }));
  const page = await context.newPage();
  let errors = 0;
  page.on('pageerror', () => void (errors += 1));
  for (const source of options.initScripts ?? []) await page.addInitScript(source);
  await page.goto(url);
  const wrap = (session: CDPSession): Cdp => ({
    send: <T,>(method: string, params?: object) => session.send(method as never, params as never) as Promise<T>,
    on: (method, handler) => {
      session.on(method as never, handler as never);
      return () => session.off(method as never, handler as never);
    },
  });
  const cdp = wrap(await context.newCDPSession(page));
  const browserCdp = wrap(await browser.newBrowserCDPSession());
  return {
    // Playwright types `arg` through its own Unboxed<A>; the value is the same JSON either way.
    evaluate: <R, A>(fn: string | ((arg: A) => R | Promise<R>), arg?: A) => page.evaluate(fn as never, arg) as Promise<R>,
    waitForTimeout: (ms) => page.waitForTimeout(ms),
    cdp,
    browserCdp,
    pageErrors: () => errors,
    close: async () => {
      await page.close();
      await own?.close();
    },
  };
}
