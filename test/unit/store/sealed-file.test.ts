import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppFailure } from '../../../main/core/app-failure';
import { createLogger } from '../../../main/core/logger';
import { createSealedFile, type SealingKeySource } from '../../../main/store/sealed-file';
import { appError } from '../../../shared/errors';

const TOKEN = 'CiQ3ZmM2YmUtsessiontokenthatmustneverbeondisk';
const Doc = z.object({ url: z.string(), n: z.number() }).strict();
const doc = { url: `https://b-1.kinesisvideo.eu-west-1.amazonaws.com/dash/v1/getDASHManifest.mpd?SessionToken=${TOKEN}`, n: 7 };

/** A keychain entry in memory; `down` makes it unreachable, as with no Secret Service. */
function memoryKey() {
  const state: { value?: string; down: boolean; reads: number; writes: number } = { down: false, reads: 0, writes: 0 };
  const unavailable = () => new AppFailure(appError('KeychainUnavailable', 'The system keychain is not available (test).'));
  const keys: SealingKeySource = {
    read: async () => {
      state.reads++;
      if (state.down) throw unavailable();
      return state.value;
    },
    write: async (value) => {
      state.writes++;
      if (state.down) throw unavailable();
      state.value = value;
    },
  };
  return { keys, state };
}

describe('sealed file', () => {
  let dir: string;
  let lines: string[];
  const logger = () => createLogger({ write: (l) => lines.push(l) });
  const open = (keys: SealingKeySource) => createSealedFile({ dir, name: 'pool.sealed', schema: Doc, keys, logger: logger(), what: 'test pool' });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-wall-sealed-'));
    lines = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a value that never appears on disk, under a key made on first save', async () => {
    const { keys, state } = memoryKey();
    await open(keys).save(doc);
    expect(state.value && Buffer.from(state.value, 'base64')).toHaveLength(32);
    const bytes = await readFile(join(dir, 'pool.sealed'), 'utf8');
    expect(bytes).not.toContain(TOKEN);
    expect(bytes).not.toContain('kinesisvideo');
    expect(JSON.parse(bytes)).toMatchObject({ format: 'kvs-wall-sealed', alg: 'AES-256-GCM' });
    expect((await stat(join(dir, 'pool.sealed'))).mode & 0o077).toBe(0);
    // A new process: reads the key from the keychain.
    expect(await open(keys).load()).toEqual(doc);
    expect(state.writes).toBe(1);
  });

  it('discards the file when its key is gone from the keychain, saying why and nothing more', async () => {
    const { keys, state } = memoryKey();
    await open(keys).save(doc);
    state.value = undefined;
    expect(await open(keys).load()).toBeUndefined();
    await expect(stat(join(dir, 'pool.sealed'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(lines.join('')).toMatch(/its key is no longer in the keychain/);
    expect(lines.join('')).not.toContain(TOKEN);
  });

  it('discards a file sealed with another key, and one that was altered', async () => {
    const a = memoryKey();
    await open(a.keys).save(doc);
    const b = memoryKey();
    await open(b.keys).save({ ...doc, n: 1 });
    b.state.value = a.state.value;
    expect(await open(b.keys).load()).toBeUndefined();
    expect(lines.join('')).toMatch(/sealed with a key the keychain no longer holds/);

    await open(a.keys).save(doc);
    const envelope = JSON.parse(await readFile(join(dir, 'pool.sealed'), 'utf8')) as { data: string };
    const data = Buffer.from(envelope.data, 'base64');
    data[3] = data[3]! ^ 0x01;
    await writeFile(join(dir, 'pool.sealed'), JSON.stringify({ ...envelope, data: data.toString('base64') }));
    expect(await open(a.keys).load()).toBeUndefined();
    expect(lines.join('')).toMatch(/could not be decrypted/);

    await writeFile(join(dir, 'pool.sealed'), 'not json at all');
    expect(await open(a.keys).load()).toBeUndefined();
    await expect(stat(join(dir, 'pool.sealed'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('without a keychain writes nothing, says so once, and leaves an existing file for a later run', async () => {
    const { keys, state } = memoryKey();
    await open(keys).save(doc);
    const before = await readFile(join(dir, 'pool.sealed'), 'utf8');
    state.down = true;
    const file = open(keys);
    expect(await file.load()).toBeUndefined();
    await file.save({ ...doc, n: 2 });
    await file.save({ ...doc, n: 3 });
    expect(await readFile(join(dir, 'pool.sealed'), 'utf8')).toBe(before);
    expect(lines.filter((l) => l.includes('no keychain'))).toHaveLength(1);
    state.down = false;
    expect(await open(keys).load()).toEqual(doc);

    const empty = await mkdtemp(join(tmpdir(), 'kvs-wall-sealed-none-'));
    try {
      const { keys: noKeys, state: noState } = memoryKey();
      noState.down = true;
      await createSealedFile({ dir: empty, name: 'pool.sealed', schema: Doc, keys: noKeys, logger: logger(), what: 'test pool' }).save(doc);
      await expect(stat(join(empty, 'pool.sealed'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('discards content that decrypts but is not what the schema expects', async () => {
    const { keys } = memoryKey();
    const loose = createSealedFile({ dir, name: 'pool.sealed', schema: z.unknown(), keys, logger: logger(), what: 'test pool' });
    await loose.save({ url: 42 });
    expect(await open(keys).load()).toBeUndefined();
    expect(lines.join('')).toMatch(/content is not valid/);
  });
});
