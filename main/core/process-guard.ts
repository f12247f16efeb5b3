import { redact, type Logger } from './logger';

/**
 * What the main process does with an error nobody caught. Node's advice is that after an
 * `uncaughtException` the process is in an unknown state and must not carry on; a wall left running
 * for weeks must not die on a hiccup either. The rules, in order:
 *
 * | fault | action |
 * |---|---|
 * | out of memory, out of file descriptors, a Node internal assertion — any kind | restart: nothing works until resources come back |
 * | `uncaughtException` before the app finished starting | exit 1: nothing runs yet, and a half-started app is worse than a clear "could not start" |
 * | a broken pipe or destroyed stream (`EPIPE`, `ECONNRESET`, `ERR_STREAM_DESTROYED`, `ERR_STREAM_WRITE_AFTER_END`) | survive: one stream failed, no other state depends on it (typically stdout after the terminal closed) |
 * | an error thrown by a handler we own (wrapped with `guard.owned`) | survive: each event is handled on its own, so a failed one leaves the others intact |
 * | `unhandledRejection` | survive: the promise chain that failed had already given back control; nothing was left half-done synchronously |
 * | any other `uncaughtException` | restart: something outside our handlers threw, state unknown |
 * | more than `stormLimit` survived faults within `stormWindowMs` | restart: a fault that repeats that often is a broken state, not a hiccup |
 * | a restart when `maxRestarts` already happened within `restartWindowMs` | exit 70: restarting again would only loop; the log says why |
 *
 * "Restart" is the shell's to carry out: the Electron shell relaunches itself (kiosk flags and walls
 * come back); the browser shell has nothing to relaunch it and exits with 70.
 */

export type FaultKind = 'uncaughtException' | 'unhandledRejection' | 'handler';
export type FaultAction = 'survive' | 'restart' | 'exit';
export interface FaultDecision {
  action: FaultAction;
  reason: string;
}

export interface FaultPolicyOptions {
  stormLimit?: number;
  stormWindowMs?: number;
  maxRestarts?: number;
  restartWindowMs?: number;
}

export interface FaultContext {
  /** The app finished starting. */
  running: boolean;
  now: number;
  /** When earlier restarts happened (epoch ms), newest last: carried across restarts by the shell. */
  restarts: readonly number[];
}

const EXHAUSTED_CODES = new Set(['ENOMEM', 'EMFILE', 'ENFILE', 'ERR_INTERNAL_ASSERTION', 'ERR_WORKER_OUT_OF_MEMORY']);
const ONE_STREAM_CODES = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export interface FaultInfo {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** A fault as plain, loggable fields, whatever was thrown (rejections carry anything). */
export function describeFault(thrown: unknown): FaultInfo {
  if (thrown instanceof Error) {
    const code = (thrown as NodeJS.ErrnoException).code;
    return { name: thrown.name, message: thrown.message, ...(typeof code === 'string' ? { code } : {}), ...(thrown.stack ? { stack: thrown.stack } : {}) };
  }
  let message: string;
  try {
    message = typeof thrown === 'string' ? thrown : JSON.stringify(thrown) ?? String(thrown);
  } catch {
    message = String(thrown);
  }
  return { name: typeof thrown, message: message.slice(0, 2000) };
}

export function createFaultPolicy(options: FaultPolicyOptions = {}) {
  const stormLimit = options.stormLimit ?? 20;
  const stormWindowMs = options.stormWindowMs ?? 60_000;
  const maxRestarts = options.maxRestarts ?? 3;
  const restartWindowMs = options.restartWindowMs ?? 10 * 60_000;
  const survived: number[] = [];

  const restartOrGiveUp = (reason: string, ctx: FaultContext): FaultDecision => {
    const recent = ctx.restarts.filter((t) => ctx.now - t < restartWindowMs).length;
    if (recent >= maxRestarts) {
      return { action: 'exit', reason: `${reason}; not restarting again: ${recent} restarts in the last ${Math.round(restartWindowMs / 60_000)} minutes` };
    }
    return { action: 'restart', reason };
  };

  return {
    decide(kind: FaultKind, thrown: unknown, ctx: FaultContext): FaultDecision {
      const fault = describeFault(thrown);
      if ((fault.code && EXHAUSTED_CODES.has(fault.code)) || /allocation failed|out of memory/i.test(fault.message)) {
        return restartOrGiveUp(`the process ran out of a resource (${fault.code ?? fault.message})`, ctx);
      }
      if (kind === 'uncaughtException' && !ctx.running) return { action: 'exit', reason: 'an error was thrown while the app was starting' };

      let survive: string | undefined;
      if (fault.code && ONE_STREAM_CODES.has(fault.code)) survive = `one stream failed (${fault.code})`;
      else if (kind === 'handler') survive = 'a handler failed; the next event is handled afresh';
      else if (kind === 'unhandledRejection') survive = 'a promise was rejected and nobody handled it';
      if (survive === undefined) return restartOrGiveUp('an error was thrown outside any handler: the state of the process is unknown', ctx);

      while (survived.length > 0 && ctx.now - survived[0]! >= stormWindowMs) survived.shift();
      survived.push(ctx.now);
      if (survived.length > stormLimit) {
        return restartOrGiveUp(`${survived.length} errors in ${Math.round(stormWindowMs / 1000)} s`, ctx);
      }
      return { action: 'survive', reason: survive };
    },
  };
}
export type FaultPolicy = ReturnType<typeof createFaultPolicy>;

/** Restart times travel to the relaunched process in an environment variable. */
export const RESTARTS_ENV = 'KVS_WALL_RESTARTS';

export function parseRestartHistory(raw: string | undefined): number[] {
  if (!raw) return [];
  return raw
    .split(',')
    .filter((t) => /^\d{1,16}$/.test(t))
    .map(Number)
    .slice(-20);
}

export function formatRestartHistory(history: readonly number[]): string {
  return history.slice(-20).join(',');
}

/** The parts of `process` the guard listens on: injectable so tests never touch the real handlers. */
export interface FaultSource {
  on(event: 'uncaughtException', listener: (err: unknown, origin?: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (err: unknown, origin?: string) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

export interface ProcessGuardOptions {
  logger: Logger;
  /** Carries out a restart: `history` includes this one. Must not return normally (it ends the process). */
  restart(history: number[], reason: string): void;
  exit(code: number, reason: string): void;
  source?: FaultSource;
  policy?: FaultPolicy;
  now?: () => number;
  restartHistory?: readonly number[];
  /** One short line for a person watching the terminal. */
  say?: (line: string) => void;
  /** The last resort when `restart` or `exit` itself throws. */
  hardExit?: (code: number) => void;
}

export interface ProcessGuard {
  /** Startup finished: from now on faults are judged as a running app's. */
  markRunning(): void;
  /** Wraps an event handler we own: its errors (thrown or rejected) are logged and survived per the policy. */
  owned<A extends unknown[]>(name: string, handler: (...args: A) => unknown): (...args: A) => void;
  /** Faults seen so far, by action. */
  counts(): Record<FaultAction, number>;
  uninstall(): void;
}

export function installProcessGuard(options: ProcessGuardOptions): ProcessGuard {
  const source: FaultSource = options.source ?? process;
  const policy = options.policy ?? createFaultPolicy();
  const now = options.now ?? Date.now;
  const say = options.say ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const hardExit = options.hardExit ?? ((code: number) => process.exit(code));
  const history = [...(options.restartHistory ?? [])];
  const counts: Record<FaultAction, number> = { survive: 0, restart: 0, exit: 0 };
  let running = false;
  let ending = false;

  const handle = (kind: FaultKind, thrown: unknown, where?: string) => {
    if (ending) return;
    try {
      const at = now();
      const decision = policy.decide(kind, thrown, { running, now: at, restarts: history });
      counts[decision.action]++;
      const fault = describeFault(thrown);
      const verb = { survive: 'survived', restart: 'restarting', exit: 'exiting' }[decision.action];
      options.logger.error(`${kind === 'handler' ? 'a handler failed' : kind}: ${verb}`, { kind, ...(where ? { where } : {}), ...fault, action: decision.action, reason: decision.reason });
      if (decision.action === 'survive') return;
      ending = true;
      say(redact(`KVS Wall: ${verb} after an unexpected error (${fault.name}: ${fault.message.split('\n')[0]!.slice(0, 200)}) — ${decision.reason}.`));
      if (decision.action === 'restart') {
        history.push(at);
        options.restart([...history], decision.reason);
      } else {
        options.exit(running ? 70 : 1, decision.reason);
      }
    } catch {
      // The guard itself failed (the logger, the shell's exit): end without another word.
      hardExit(70);
    }
  };

  const onException = (err: unknown, origin?: string) => handle('uncaughtException', err, origin);
  const onRejection = (reason: unknown) => handle('unhandledRejection', reason);
  source.on('uncaughtException', onException);
  source.on('unhandledRejection', onRejection);

  return {
    markRunning: () => {
      running = true;
    },
    owned(name, handler) {
      return (...args) => {
        try {
          const result = handler(...args);
          if (result instanceof Promise) result.catch((err: unknown) => handle('handler', err, name));
        } catch (err) {
          handle('handler', err, name);
        }
      };
    },
    counts: () => ({ ...counts }),
    uninstall() {
      source.off('uncaughtException', onException);
      source.off('unhandledRejection', onRejection);
    },
  };
}
