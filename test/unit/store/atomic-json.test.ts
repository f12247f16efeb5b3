import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openJsonFile } from '../../../main/store/atomic-json';
import { createNoticeBoard } from '../../../main/store/notices';
import { createJsonStore } from '../../../main/store/json-store';

const ItemsSchema = z.array(z.object({ id: z.string(), n: z.number().int() }));
type Items = z.infer<typeof ItemsSchema>;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvs-wall-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixedClock = (ms: number) => ({ now: () => ms, setTimeout: () => ({ id: 0 }), clearTimeout: () => {} });

function open(extra: Partial<Parameters<typeof openJsonFile<Items>>[0]> = {}) {
  const notices = createNoticeBoard();
  const file = openJsonFile<Items>({ dir, name: 'items.json', version: 2, schema: ItemsSchema, defaults: () => [], notices, clock: fixedClock(Date.UTC(2025, 0, 2, 3, 4, 5, 6)), ...extra });
  return { file, notices };
}

describe('atomic JSON file', () => {
  it('returns defaults without a notice when the file is missing', async () => {
    const { file, notices } = open();
    expect(await file.read()).toEqual({ value: [], source: 'defaults' });
    expect(notices.list()).toEqual([]);
  });

  it('round-trips a value inside a versioned envelope', async () => {
    const { file } = open();
    await file.write([{ id: 'a', n: 1 }]);
    const onDisk = JSON.parse(await readFile(join(dir, 'items.json'), 'utf8'));
    expect(onDisk).toEqual({ version: 2, data: [{ id: 'a', n: 1 }] });
    expect(await file.read()).toEqual({ value: [{ id: 'a', n: 1 }], source: 'file' });
  });

  it.each([
    ['bad JSON', '{"version": 2, "data": [', /not valid JSON/],
    ['no envelope', '[{"id":"a","n":1}]', /no valid "version"/],
    ['schema failure', '{"version": 2, "data": [{"id": "a", "n": "one"}]}', /contents are invalid \(0\.n: /],
  ])('moves a corrupt file aside with a notice (%s) and never overwrites it', async (_label, text, why) => {
    await writeFile(join(dir, 'items.json'), text);
    const { file, notices } = open();
    const result = await file.read();
    expect(result.value).toEqual([]);
    expect(result.source).toBe('defaults');
    expect(result.notice?.reason).toBe('corrupt');
    expect(result.notice?.message).toMatch(why);
    expect(result.notice?.movedTo).toBe('items.json.corrupt-20250102T030405006Z');
    expect(result.notice?.message).toContain('items.json.corrupt-20250102T030405006Z');
    expect(notices.list()).toEqual([result.notice]);
    // The original bytes are kept, byte for byte, under the new name.
    expect(await readFile(join(dir, 'items.json.corrupt-20250102T030405006Z'), 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['items.json.corrupt-20250102T030405006Z']);
    // The next write creates a fresh file and leaves the set-aside copy alone.
    await file.write([{ id: 'b', n: 2 }]);
    expect((await readdir(dir)).sort()).toEqual(['items.json', 'items.json.corrupt-20250102T030405006Z']);
    expect(await readFile(join(dir, 'items.json.corrupt-20250102T030405006Z'), 'utf8')).toBe(text);
  });

  it('moves a file from a newer format aside as future-version', async () => {
    const text = JSON.stringify({ version: 3, data: [{ id: 'x', n: 1, extra: true }] });
    await writeFile(join(dir, 'items.json'), text);
    const { file, notices } = open();
    const result = await file.read();
    expect(result.notice).toMatchObject({ reason: 'future-version', file: 'items.json', movedTo: 'items.json.future-20250102T030405006Z' });
    expect(result.notice?.message).toMatch(/newer KVS Wall \(format 3; this version reads up to 2\)/);
    expect(notices.list()).toHaveLength(1);
    expect(await readFile(join(dir, 'items.json.future-20250102T030405006Z'), 'utf8')).toBe(text);
  });

  it('does not clobber an earlier set-aside copy with the same timestamp', async () => {
    const { file } = open();
    await writeFile(join(dir, 'items.json'), 'first');
    await file.read();
    await writeFile(join(dir, 'items.json'), 'second');
    await file.read();
    expect((await readdir(dir)).sort()).toEqual(['items.json.corrupt-20250102T030405006Z', 'items.json.corrupt-20250102T030405006Z-1']);
    expect(await readFile(join(dir, 'items.json.corrupt-20250102T030405006Z-1'), 'utf8')).toBe('second');
  });

  it('migrates an older format when told how, and treats it as corrupt otherwise', async () => {
    await writeFile(join(dir, 'items.json'), JSON.stringify({ version: 1, data: { list: [{ id: 'a' }] } }));
    const { file } = open({
      migrate: (from, data) => (from === 1 ? (data as { list: Array<{ id: string }> }).list.map((x) => ({ ...x, n: 0 })) : data),
    });
    expect((await file.read()).value).toEqual([{ id: 'a', n: 0 }]);

    await writeFile(join(dir, 'items.json'), JSON.stringify({ version: 1, data: [] }));
    const plain = open();
    expect((await plain.file.read()).notice?.message).toMatch(/format 1 is older/);
  });

  it('treats an oversized file as corrupt without parsing it', async () => {
    await writeFile(join(dir, 'items.json'), JSON.stringify({ version: 2, data: [] }) + ' '.repeat(200));
    const { file } = open({ maxBytes: 100 });
    expect((await file.read()).notice?.message).toMatch(/more than the 100 bytes/);
  });

  it('serialises concurrent updates so none is lost', async () => {
    const { file } = open();
    const second = openJsonFile<Items>({ dir, name: 'items.json', version: 2, schema: ItemsSchema, defaults: () => [] });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? file : second).update(async (items) => {
          // Yield inside the critical section: an unserialised implementation would interleave here.
          await new Promise((r) => setImmediate(r));
          return [...items, { id: `i${i}`, n: i }];
        }),
      ),
    );
    const { value } = await file.read();
    expect(value.map((x) => x.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await readdir(dir)).toEqual(['items.json']);
  });

  it('concurrent plain writes end with the last one and leave no temp files', async () => {
    const { file } = open();
    await Promise.all(Array.from({ length: 25 }, (_, i) => file.write([{ id: 'w', n: i }])));
    expect((await file.read()).value).toEqual([{ id: 'w', n: 24 }]);
    expect(await readdir(dir)).toEqual(['items.json']);
  });

  it('a failed update leaves the file unchanged and the queue usable', async () => {
    const { file } = open();
    await file.write([{ id: 'a', n: 1 }]);
    await expect(file.update(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(file.write([{ id: 'bad', n: 1.5 }])).rejects.toMatchObject({ appError: { code: 'Internal' } });
    expect((await file.read()).value).toEqual([{ id: 'a', n: 1 }]);
    await file.update((items) => [...items, { id: 'b', n: 2 }]);
    expect((await file.read()).value).toHaveLength(2);
    expect(await readdir(dir)).toEqual(['items.json']);
  });

  it('removes temp files left by a crashed process on first read, but keeps its own', async () => {
    await writeFile(join(dir, 'items.json'), JSON.stringify({ version: 2, data: [] }));
    await writeFile(join(dir, 'items.json.tmp-999999-1-abcdef'), 'half written');
    const { file } = open();
    await file.read();
    expect(await readdir(dir)).toEqual(['items.json']);
  });

  it('creates nested folders and refuses names that leave the data folder', async () => {
    const nested = openJsonFile<Items>({ dir, name: 'cache/deep/items.json', version: 1, schema: ItemsSchema, defaults: () => [] });
    await nested.write([]);
    expect(await readdir(join(dir, 'cache', 'deep'))).toEqual(['items.json']);
    for (const name of ['../x.json', '/etc/passwd', 'a/../../b.json', '.hidden']) {
      expect(() => openJsonFile<Items>({ dir, name, version: 1, schema: ItemsSchema, defaults: () => [] })).toThrow(/inside the user-data folder/);
    }
  });

  it('reports an unreadable file as StoreCorrupt without moving it', async () => {
    await mkdir(join(dir, 'items.json'));
    const { file } = open();
    await expect(file.read()).rejects.toMatchObject({ appError: { code: 'StoreCorrupt' } });
  });
});

describe('createJsonStore (the ledger adapter)', () => {
  it('loads undefined when nothing is stored, then what was saved', async () => {
    const store = createJsonStore({ dir, name: 'ledger.json', version: 1, schema: z.object({ sessions: z.array(z.string()) }) });
    expect(await store.load()).toBeUndefined();
    await store.save({ sessions: ['a'] });
    expect(await store.load()).toEqual({ sessions: ['a'] });
  });

  it('loads undefined and reports when the file is corrupt', async () => {
    const notices = createNoticeBoard();
    await writeFile(join(dir, 'ledger.json'), '{');
    const store = createJsonStore({ dir, name: 'ledger.json', version: 1, schema: z.object({ sessions: z.array(z.string()) }), notices });
    expect(await store.load()).toBeUndefined();
    expect(notices.list()[0]?.file).toBe('ledger.json');
  });
});
