import * as nodeFs from 'node:fs';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLogFile, type LogFile } from '../../../main/core/log-files';
import { createLogger } from '../../../main/core/logger';

let dir: string;
const opened: LogFile[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvs-wall-logs-'));
});
afterEach(async () => {
  for (const f of opened.splice(0)) f.close();
  await rm(dir, { recursive: true, force: true });
});

function open(options: Partial<Parameters<typeof openLogFile>[0]> = {}, deps: Parameters<typeof openLogFile>[1] = {}): LogFile {
  const file = openLogFile({ dir: join(dir, 'logs'), name: 'kvs-wall', ...options }, deps);
  opened.push(file);
  return file;
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
const linesOf = (path: string) => (read(path) ?? '').split('\n').filter(Boolean);
/** A 25-byte line (with its newline) numbered n. */
const line = (n: number) => `line ${String(n).padStart(19, '0')}`;

describe('log files', () => {
  it('appends lines to <name>.log in a folder it creates, each ending in a newline', () => {
    const file = open();
    file.write('first');
    file.write('second\n');
    expect(file.path).toBe(join(dir, 'logs', 'kvs-wall.log'));
    expect(read(file.path)).toBe('first\nsecond\n');
    file.close();
    // A new run appends to what is there.
    const again = open();
    again.write('third');
    expect(linesOf(again.path)).toEqual(['first', 'second', 'third']);
  });

  it('redacts every line, whoever wrote it', () => {
    const file = open();
    file.write('GET /dash/v1/getDASHManifest.mpd?SessionToken=CiAbcdef123&x=1 secretAccessKey="wJalrXUtnFEMIK7MDENG"');
    const out = read(file.path)!;
    expect(out).not.toContain('CiAbcdef123');
    expect(out).not.toContain('wJalrXUtnFEMIK7MDENG');
    expect(out).toContain('SessionToken=[redacted]');
  });

  it('rotates at the byte cap: a line that exactly fills the file stays, the next one starts a new file', () => {
    const file = open({ maxBytes: 1024, maxFiles: 3 });
    expect(Buffer.byteLength(`${line(0)}\n`)).toBe(25);
    // 40 lines of 25 bytes fill 1000 bytes; a 24-byte line brings the file to exactly 1024.
    for (let n = 0; n < 40; n++) file.write(line(n));
    file.write('x'.repeat(23));
    expect(statSync(file.path).size).toBe(1024);
    expect(existsSync(file.paths[1]!)).toBe(false);
    file.write(line(40));
    expect(statSync(file.paths[1]!).size).toBe(1024);
    expect(linesOf(file.path)).toEqual([line(40)]);
  });

  it('keeps maxFiles files of at most maxBytes, newest lines last, oldest files deleted', () => {
    const file = open({ maxBytes: 1024, maxFiles: 3 });
    // 40 lines per file: 200 lines make 5 files' worth; only the newest 3 files may remain.
    for (let n = 0; n < 200; n++) file.write(line(n));
    const names = readdirSync(join(dir, 'logs')).sort();
    expect(names).toEqual(['kvs-wall.1.log', 'kvs-wall.2.log', 'kvs-wall.log']);
    for (const path of file.paths) expect(statSync(path).size).toBeLessThanOrEqual(1024);
    const kept = [...file.paths].reverse().flatMap(linesOf);
    expect(kept).toEqual(Array.from({ length: 120 }, (_, i) => line(80 + i)));
  });

  it('with maxFiles 1 starts the one file afresh instead of renaming', () => {
    const file = open({ maxBytes: 1024, maxFiles: 1 });
    for (let n = 0; n < 50; n++) file.write(line(n));
    expect(readdirSync(join(dir, 'logs'))).toEqual(['kvs-wall.log']);
    expect(linesOf(file.path)).toEqual(Array.from({ length: 10 }, (_, i) => line(40 + i)));
  });

  it('rotates a file left over the cap by an earlier run before writing to it', () => {
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'kvs-wall.log'), 'old\n'.repeat(1000));
    const file = open({ maxBytes: 1024 });
    file.write('new');
    expect(read(file.path)).toBe('new\n');
    expect(statSync(file.paths[1]!).size).toBe(4000);
  });

  it('cuts a line longer than the cap to fit, on a character boundary', () => {
    const file = open({ maxBytes: 1024 });
    file.write('é'.repeat(2000));
    const out = read(file.path)!;
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1024);
    expect(out.endsWith('…[truncated]\n')).toBe(true);
    expect(out).not.toContain('\uFFFD');
  });

  it('refuses options that make no sense, saying which', () => {
    expect(() => open({ maxBytes: 10 })).toThrow(/maxBytes must be at least 1024 bytes/);
    expect(() => open({ maxFiles: 0 })).toThrow(/maxFiles must be at least one file/);
    expect(() => open({ name: '../escape' })).toThrow(/name must be a file name/);
  });
});

describe('log files when the disk says no', () => {
  it('a directory standing where the file should be: lines are dropped and counted, nothing throws, and the first line written again says how many were lost', () => {
    let now = 1_000_000;
    const trouble: string[] = [];
    mkdirSync(join(dir, 'logs', 'kvs-wall.log'), { recursive: true });
    const file = open({ retryAfterMs: 5_000 }, { now: () => now, onTrouble: (m) => trouble.push(m) });
    for (let n = 0; n < 3; n++) expect(() => file.write(line(n))).not.toThrow();
    expect(file.stats()).toEqual({ dropped: 3, droppedTotal: 3, failing: 'EISDIR' });
    expect(trouble).toHaveLength(1);
    expect(trouble[0]).toMatch(/kvs-wall\.log could not be written \(EISDIR\)/);

    // The obstacle goes, but the writer waits for its retry time instead of trying on every line.
    rmSync(join(dir, 'logs', 'kvs-wall.log'), { recursive: true });
    file.write(line(3));
    expect(existsSync(file.path)).toBe(false);
    expect(file.stats().dropped).toBe(4);

    now += 5_000;
    file.write(line(4));
    const [noticeLine, written] = linesOf(file.path);
    expect(JSON.parse(noticeLine!)).toMatchObject({ level: 'warn', scope: 'log', msg: '4 log lines were dropped: the log file could not be written (EISDIR)' });
    expect(written).toBe(line(4));
    expect(file.stats()).toEqual({ dropped: 0, droppedTotal: 4 });
    // Said once: the next lines carry no notice.
    file.write(line(5));
    expect(linesOf(file.path)).toHaveLength(3);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk (the kernel’s ENOSPC from /dev/full) never throws, and writing resumes when space is back', () => {
    let now = 0;
    mkdirSync(join(dir, 'logs'));
    symlinkSync('/dev/full', join(dir, 'logs', 'kvs-wall.log'));
    const file = open({ retryAfterMs: 1_000 }, { now: () => now });
    file.write('lost 1');
    file.write('lost 2');
    expect(file.stats()).toMatchObject({ dropped: 2, failing: 'ENOSPC' });
    rmSync(join(dir, 'logs', 'kvs-wall.log'));
    now = 1_000;
    file.write('kept');
    const lines = linesOf(file.path);
    expect(lines[0]).toContain('2 log lines were dropped: the log file could not be written (ENOSPC)');
    expect(lines[1]).toBe('kept');
  });

  it('a rotation that cannot happen (a folder in the way of the oldest file) drops lines rather than letting the file outgrow its cap', () => {
    let now = 0;
    const file = open({ maxBytes: 1024, maxFiles: 2, retryAfterMs: 1_000 }, { now: () => now });
    mkdirSync(join(file.paths[1]!, 'blocker'), { recursive: true });
    for (let n = 0; n < 60; n++) file.write(line(n));
    expect(statSync(file.path).size).toBeLessThanOrEqual(1024);
    expect(file.stats().dropped).toBe(20);
    rmSync(file.paths[1]!, { recursive: true });
    now = 1_000;
    file.write(line(60));
    expect(linesOf(file.paths[1]!)).toHaveLength(40);
    expect(linesOf(file.path)).toEqual([expect.stringContaining('20 log lines were dropped'), line(60)]);
  });

  it('a logs folder that cannot be created (a file in its place) is survived too', () => {
    writeFileSync(join(dir, 'logs'), 'not a folder');
    const file = open();
    expect(() => createLogger(file, 'main').error('boom', { err: new Error('x') })).not.toThrow();
    expect(file.stats()).toMatchObject({ dropped: 1 });
    expect(['EEXIST', 'ENOTDIR']).toContain(file.stats().failing);
  });

  it('a write that fails halfway leaves the next line on a line of its own', () => {
    let now = 0;
    let room = Infinity;
    // A short write followed by an error is what a disk filling up mid-line does; a real disk can't be made to do it on cue.
    const real = nodeFs;
    const fs = {
      ...real,
      writeSync: ((fd: number, buffer: Buffer, offset: number, length: number) => {
        if (room === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        const written = real.writeSync(fd, buffer, offset, Math.min(length, room));
        room -= written;
        return written;
      }) as typeof real.writeSync,
    };
    const file = open({ retryAfterMs: 1 }, { now: () => now, fs });
    file.write('whole');
    room = 4;
    file.write('partial line');
    room = Infinity;
    now = 10;
    file.write('after');
    const lines = linesOf(file.path);
    expect(lines[0]).toBe('whole');
    expect(lines[1]).toBe('part');
    expect(lines[2]).toContain('1 log line was dropped');
    expect(lines[3]).toBe('after');
  });
});

/** Root in a private mount namespace can mount a tiny tmpfs: a real full disk and a real read-only one, gone when the child ends. */
const canMount = process.platform === 'linux' && spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs /mnt'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!canMount)('log files on a real full disk and a real read-only one', () => {
  it('fills a 64 KiB disk without throwing, counts the lost lines, and says so once when space is back; a read-only folder drops lines too', () => {
    mkdirSync(join(dir, 'full'));
    mkdirSync(join(dir, 'ro'));
    const script = 'set -e; mount -t tmpfs -o size=64k tmpfs "$1/full"; mount -t tmpfs -o size=64k,ro tmpfs "$1/ro"; exec "$2" --import tsx "$3" "$1"';
    const child = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, process.execPath, join(import.meta.dirname, 'fixtures', 'log-disk-child.ts')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
    expect(report.written).toBeGreaterThan(10);
    expect(report.whenFull).toMatchObject({ dropped: 1, failing: 'ENOSPC' });
    expect(report.afterMore).toMatchObject({ dropped: 10, failing: 'ENOSPC' });
    expect(report.trouble).toHaveLength(1);
    // The line the disk filled up on may be half written: the notice still starts a line of its own.
    expect(report.tail.at(-2)).toMatch(/^\{.*"10 log lines were dropped: the log file could not be written \(ENOSPC\)"\}$/);
    expect(report.tail.at(-1)).toBe('after the disk was freed');
    expect(report.afterFreed).toEqual({ dropped: 0, droppedTotal: 10 });
    expect(report.readOnly).toMatchObject({ dropped: 1, failing: 'EROFS' });
  });
});
