/**
 * Chromium driven over its DevTools pipe with nothing enabled but what the caller asks for: for
 * measuring a page's memory over long runs.
 *
 * Playwright enables the DevTools `Network` domain on every page it drives, and while it is enabled the
 * renderer keeps the bodies of the page's responses for DevTools (up to 200 MB, Chromium's default for
 * `Network.enable`) and a record of every request (until the page navigates). A wall fetches a fragment
 * and a manifest per tile every 2 s, so a page driven by Playwright grows by what the instrument keeps,
 * not by what the app does. Here a page is opened and attached to by this client alone, and nothing
 * records its network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

type Handler = (params: Record<string, unknown>, sessionId: string | undefined) => void;

export class RawBrowser {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    output: Readable,
    private readonly profile: string,
  ) {
    let buffer = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
        const message = JSON.parse(buffer.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
        buffer = buffer.slice(end + 1);
        if (message.id !== undefined) {
          const waiter = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) waiter?.reject(new Error(`${waiter.method}: ${message.error.message}`));
          else waiter?.resolve(message.result);
        } else if (message.method) {
          for (const handler of this.handlers.get(message.method) ?? []) handler(message.params ?? {}, message.sessionId);
        }
      }
    });
    child.once('exit', () => {
      this.closed = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${waiter.method}: the browser exited`));
      this.pending.clear();
    });
  }

  /** Debian's Chromium with the suites' flags, headless, a fresh profile, DevTools on a pipe (fds 3 and 4). */
  static async launch(): Promise<RawBrowser> {
    const profile = await mkdtemp(join(tmpdir(), 'kvs-wall-raw-chromium-'));
    const child = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, '--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const input = child.stdio[3] as Writable;
    const output = child.stdio[4] as Readable;
    const browser = new RawBrowser(child, input, output, profile);
    await browser.send('Browser.getVersion');
    return browser;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${method}: the browser is closed`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  on(method: string, handler: Handler): () => void {
    const set = this.handlers.get(method) ?? new Set<Handler>();
    set.add(handler);
    this.handlers.set(method, set);
    return () => set.delete(handler);
  }

  /**
   * A new page in its own browser context, with `initScripts` run before any of its own, loaded from `url`. Only
   * Page (for the init scripts) is enabled on it; Network and the rest stay off unless the caller enables them.
   */
  async newPage(url: string, { viewport = { width: 1280, height: 720 }, initScripts = [] }: { viewport?: { width: number; height: number }; initScripts?: readonly string[] } = {}): Promise<RawPage> {
    const { browserContextId } = await this.send<{ browserContextId: string }>('Target.createBrowserContext');
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank', browserContextId, width: viewport.width, height: viewport.height });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new RawPage(this, sessionId, targetId);
    await page.send('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false });
    // Init scripts are registered with the Page domain (its events are frame lifecycle only).
    await page.send('Page.enable');
    for (const source of initScripts) await page.send('Page.addScriptToEvaluateOnNewDocument', { source });
    // Returns once the page has loaded, as Playwright's goto does: callers evaluate what its scripts define.
    let timer: NodeJS.Timeout | undefined;
    let off = (): void => undefined;
    const loaded = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${url} did not load within 60 s`)), 60_000);
      off = page.on('Page.loadEventFired', () => resolve());
    });
    try {
      // A navigation that fails (no server, a refused connection) says so at once instead of waiting out the timer.
      const navigated = page.send<{ errorText?: string }>('Page.navigate', { url }).then(({ errorText }) => {
        if (errorText) throw new Error(`${url} did not load: ${errorText}`);
      });
      await Promise.all([loaded, navigated]);
    } finally {
      clearTimeout(timer);
      off();
    }
    return page;
  }

  async close(): Promise<void> {
    if (!this.closed) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      await this.send('Browser.close').catch(() => undefined);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (!this.closed) this.child.kill('SIGKILL');
    }
    await rm(this.profile, { recursive: true, force: true });
  }
}

export class RawPage {
  constructor(
    readonly browser: RawBrowser,
    readonly sessionId: string,
    readonly targetId: string,
  ) {}

  send<T = Record<string, unknown>>(method: string, params: object = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  on(method: string, handler: (params: Record<string, unknown>) => void): () => void {
    return this.browser.on(method, (params, sessionId) => {
      if (sessionId === this.sessionId) handler(params);
    });
  }

  /**
   * Evaluates `fn(arg)` (or an expression) in the page and returns its JSON value, as Playwright's
   * `page.evaluate` does: the function is sent as its source text, so it may use nothing from outside.
   */
  async evaluate<R, A = undefined>(fn: string | ((arg: A) => R | Promise<R>), arg?: A): Promise<R> {
    // tsx names inner functions with `__name(…)`, which the page doesn't have: a no-op stands in for it.
    const expression = typeof fn === 'string' ? fn : `(() => { const __name = (f) => f; return (${fn.toString()})(${arg === undefined ? '' : JSON.stringify(arg)}); })()`;
    const reply = await this.send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (reply.exceptionDetails) throw new Error(`evaluate: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
    return reply.result.value as R;
  }

  waitForTimeout(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Polls `fn` until it returns true, or throws after `timeoutMs`. */
  async waitFor(fn: string | (() => boolean), timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(fn).catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`waitFor: not true within ${timeoutMs} ms: ${fn.toString()}`);
      await this.waitForTimeout(100);
    }
  }

  async close(): Promise<void> {
    await this.browser.send('Target.closeTarget', { targetId: this.targetId }).catch(() => undefined);
  }
}
