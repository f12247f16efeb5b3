import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../main/core/logger';
import { createFaultPolicy, formatRestartHistory, installProcessGuard, parseRestartHistory, type FaultContext, type FaultSource } from '../../../main/core/process-guard';

const errno = (code: string, message = code) => Object.assign(new Error(message), { code });
const at = (now: number, extra: Partial<FaultContext> = {}): FaultContext => ({ running: true, now, restarts: [], ...extra });

describe('fault policy', () => {
  it.each([
    ['an uncaught error while starting', 'uncaughtException', new Error('x'), { running: false }, 'exit'],
    ['an uncaught error in a running app', 'uncaughtException', new TypeError('x'), {}, 'restart'],
    ['an unhandled rejection', 'unhandledRejection', new Error('x'), {}, 'survive'],
    ['a rejection with a non-Error reason', 'unhandledRejection', { status: 500 }, {}, 'survive'],
    ['an error from a handler we own', 'handler', new Error('x'), {}, 'survive'],
    ['a broken pipe, even uncaught', 'uncaughtException', errno('EPIPE'), {}, 'survive'],
    ['a write to a destroyed stream', 'uncaughtException', errno('ERR_STREAM_DESTROYED'), {}, 'survive'],
    ['running out of file descriptors, even in a handler', 'handler', errno('EMFILE'), {}, 'restart'],
    ['running out of memory, even as a rejection', 'unhandledRejection', new RangeError('Array buffer allocation failed'), {}, 'restart'],
    ['a Node internal assertion', 'unhandledRejection', errno('ERR_INTERNAL_ASSERTION'), {}, 'restart'],
  ] as const)('%s → %s', (_name, kind, thrown, ctx, action) => {
    expect(createFaultPolicy().decide(kind, thrown, at(1_000, ctx)).action).toBe(action);
  });

  it('restarts when survived faults come faster than the storm limit, and forgets old ones', () => {
    const policy = createFaultPolicy({ stormLimit: 3, stormWindowMs: 1_000 });
    expect([0, 100, 200].map((t) => policy.decide('unhandledRejection', new Error('x'), at(t)).action)).toEqual(['survive', 'survive', 'survive']);
    expect(policy.decide('handler', new Error('x'), at(300))).toEqual({ action: 'restart', reason: '4 errors in 1 s' });
    // A second later the window holds only the recent ones again.
    expect(policy.decide('unhandledRejection', new Error('x'), at(1_250)).action).toBe('survive');
  });

  it('gives up restarting after maxRestarts within the window, and restarts again once they are old', () => {
    const policy = createFaultPolicy({ maxRestarts: 3, restartWindowMs: 600_000 });
    const recent = [1_000, 2_000, 3_000];
    const given = policy.decide('uncaughtException', new Error('x'), at(4_000, { restarts: recent }));
    expect(given.action).toBe('exit');
    expect(given.reason).toMatch(/not restarting again: 3 restarts in the last 10 minutes/);
    expect(policy.decide('uncaughtException', new Error('x'), at(700_000, { restarts: recent })).action).toBe('restart');
  });

  it('reads a restart history from the environment leniently and keeps it short', () => {
    expect(parseRestartHistory(undefined)).toEqual([]);
    expect(parseRestartHistory('1,2,junk,,3')).toEqual([1, 2, 3]);
    const long = Array.from({ length: 30 }, (_, i) => i);
    expect(parseRestartHistory(formatRestartHistory(long))).toEqual(long.slice(-20));
  });
});

function harness(opts: { restartThrows?: boolean } = {}) {
  const source = new EventEmitter();
  const lines: string[] = [];
  const said: string[] = [];
  const restart = vi.fn((_history: number[], _reason: string) => {
    if (opts.restartThrows) throw new Error('relaunch failed');
  });
  const exit = vi.fn();
  const hardExit = vi.fn();
  let now = 5_000;
  const guard = installProcessGuard({
    logger: createLogger({ write: (l) => lines.push(l) }, 'main'),
    source: source as unknown as FaultSource,
    restart,
    exit,
    hardExit,
    now: () => now,
    restartHistory: [1_000],
    say: (l) => said.push(l),
  });
  return { source, lines, said, restart, exit, hardExit, guard, tick: (ms: number) => (now += ms) };
}

describe('process guard', () => {
  it('listens on the source it is given and stops when uninstalled', () => {
    const h = harness();
    expect(h.source.listenerCount('uncaughtException')).toBe(1);
    expect(h.source.listenerCount('unhandledRejection')).toBe(1);
    h.guard.uninstall();
    expect(h.source.listenerCount('uncaughtException')).toBe(0);
    expect(h.source.listenerCount('unhandledRejection')).toBe(0);
  });

  it('exits with 1 on an uncaught error while starting, logging it redacted with its stack', () => {
    const h = harness();
    h.source.emit('uncaughtException', new Error('boom at https://h/a.mpd?SessionToken=CiLeak42'), 'uncaughtException');
    expect(h.exit).toHaveBeenCalledWith(1, 'an error was thrown while the app was starting');
    const record = JSON.parse(h.lines[0]!);
    expect(record).toMatchObject({ level: 'error', msg: 'uncaughtException: exiting', action: 'exit', name: 'Error', where: 'uncaughtException' });
    expect(record.stack).toMatch(/process-guard\.test\.ts/);
    expect(h.lines.join('')).not.toContain('CiLeak42');
    expect(h.said).toHaveLength(1);
    expect(h.said[0]).not.toContain('CiLeak42');
  });

  it('restarts a running app on an unknown uncaught error, passing the restart history on, and ignores what follows', () => {
    const h = harness();
    h.guard.markRunning();
    h.source.emit('uncaughtException', new TypeError('x is not a function'));
    expect(h.restart).toHaveBeenCalledWith([1_000, 5_000], expect.stringMatching(/state of the process is unknown/));
    h.source.emit('uncaughtException', new TypeError('again'));
    expect(h.restart).toHaveBeenCalledTimes(1);
    expect(h.guard.counts()).toEqual({ survive: 0, restart: 1, exit: 0 });
  });

  it('survives rejections and errors of owned handlers, sync or async, logging where they came from', async () => {
    const h = harness();
    h.guard.markRunning();
    h.source.emit('unhandledRejection', new Error('lost promise'));
    const sync = h.guard.owned('powerMonitor.resume', () => {
      throw new Error('sync bug');
    });
    const async = h.guard.owned('accounts.changed', async () => {
      throw new Error('async bug');
    });
    expect(() => sync()).not.toThrow();
    expect(async()).toBeUndefined();
    await vi.waitFor(() => expect(h.lines).toHaveLength(3));
    const records = h.lines.map((l) => JSON.parse(l));
    expect(records.map((r) => [r.msg, r.where, r.message])).toEqual([
      ['unhandledRejection: survived', undefined, 'lost promise'],
      ['a handler failed: survived', 'powerMonitor.resume', 'sync bug'],
      ['a handler failed: survived', 'accounts.changed', 'async bug'],
    ]);
    expect(h.restart).not.toHaveBeenCalled();
    expect(h.said).toEqual([]);
  });

  it('ends the process itself if the shell’s restart fails', () => {
    const h = harness({ restartThrows: true });
    h.guard.markRunning();
    h.source.emit('uncaughtException', new Error('x'));
    expect(h.hardExit).toHaveBeenCalledWith(70);
  });
});

describe('process guard on a real process', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const runChild = async (mode: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'kvs-wall-guard-'));
    dirs.push(dir);
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'guard-child.ts'), dir, mode], { encoding: 'utf8', timeout: 30_000 });
    const log = await readFile(join(dir, 'guard.log'), 'utf8').catch(() => '');
    return { status: child.status, stdout: child.stdout, stderr: child.stderr, log };
  };

  it('an unhandled rejection is logged and the process keeps running', async () => {
    const r = await runChild('rejection');
    expect(r.stdout).toBe('alive\n');
    expect(r.status).toBe(0);
    expect(r.log).toContain('"msg":"unhandledRejection: survived"');
    expect(r.log).not.toContain('CiSecretToken123');
  });

  it('an error from an owned handler is logged and survived', async () => {
    const r = await runChild('owned');
    expect(r.stdout).toBe('alive\n');
    expect(r.log).toContain('"where":"tick"');
  });

  it('an uncaught error in a running process restarts it (exit 70 here), with one line on stderr and the stack in the log', async () => {
    const r = await runChild('uncaught');
    expect(r.stdout).toBe('restart 1\n');
    expect(r.status).toBe(70);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^KVS Wall: restarting after an unexpected error \(TypeError: state unknown\)/)]);
    expect(r.log).toMatch(/"stack":"TypeError: state unknown\\n\s+at /);
  });

  it('an uncaught error while starting exits with 1', async () => {
    const r = await runChild('starting');
    expect(r.stdout).toBe('exit 1\n');
    expect(r.status).toBe(1);
  });
});
