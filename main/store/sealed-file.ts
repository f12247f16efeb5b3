import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isAppFailure } from '../core/app-failure';
import type { Logger } from '../core/logger';
import { errnoOf, writeAtomically } from './atomic-json';

/**
 * Where the file's key lives: the OS keychain, and nowhere else. `read` and `write` throw
 * KeychainUnavailable when the keychain can't be reached.
 */
export interface SealingKeySource {
  read(): Promise<string | undefined>;
  write(value: string): Promise<void>;
}

export interface SealedFileOptions<T> {
  /** The user-data folder. */
  dir: string;
  /** File name inside it. */
  name: string;
  schema: z.ZodType<T>;
  keys: SealingKeySource;
  logger: Logger;
  /** What the file holds, for log lines ("the session pool"). */
  what: string;
  /** Bytes larger than this are not read. */
  maxBytes?: number;
}

/** A document that must never be readable on disk: missing, or a sealed value. */
export interface SealedFile<T> {
  /** The stored value; undefined when there is none, or it can't be opened (then the file is discarded). */
  load(): Promise<T | undefined>;
  /** Seals and writes the value; without a keychain, writes nothing. */
  save(value: T): Promise<void>;
}

const FORMAT = 'kvs-wall-sealed';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const EnvelopeSchema = z
  .object({
    format: z.literal(FORMAT),
    version: z.literal(1),
    alg: z.literal('AES-256-GCM'),
    /** Which key sealed it (a hash prefix, not the key): tells "the key changed" from "the file is damaged". */
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    iv: z.string().max(64),
    tag: z.string().max(64),
    data: z.string(),
  })
  .strict();

const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * A JSON document sealed with AES-256-GCM under a random 256-bit key that lives only in the OS
 * keychain; the file itself is written atomically. Used for what may hold bearer tokens (the session
 * pool). Without a keychain nothing is written (logged once). A file whose key is gone, sealed with
 * another key, damaged or invalid is discarded, with the reason — never its contents — in the log.
 */
export function createSealedFile<T>(options: SealedFileOptions<T>): SealedFile<T> {
  const path = join(options.dir, options.name);
  const aad = Buffer.from(`${FORMAT}:${options.name}:1`);
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  let key: Buffer | undefined;
  let keychainMissing = false;

  const noKeychain = (err: unknown): undefined => {
    if (!keychainMissing) {
      const reason = isAppFailure(err) ? err.appError.code : 'unknown error';
      options.logger.warn(`no keychain: ${options.what} is not saved between runs`, { reason });
    }
    keychainMissing = true;
    return undefined;
  };

  const discard = async (why: string): Promise<undefined> => {
    options.logger.warn(`discarding the saved ${options.what}: ${why}`, { file: options.name });
    await rm(path, { force: true }).catch(() => undefined);
    return undefined;
  };

  const parseKey = (stored: string | undefined): Buffer | undefined => {
    if (stored === undefined) return undefined;
    const bytes = Buffer.from(stored, 'base64');
    return bytes.length === KEY_BYTES ? bytes : undefined;
  };

  async function keyForWriting(): Promise<Buffer | undefined> {
    if (key) return key;
    if (keychainMissing) return undefined;
    try {
      key = parseKey(await options.keys.read());
      if (!key) {
        await options.keys.write(randomBytes(KEY_BYTES).toString('base64'));
        // Read back what the keychain holds, in case another instance wrote one at the same moment.
        key = parseKey(await options.keys.read());
      }
      return key;
    } catch (err) {
      return noKeychain(err);
    }
  }

  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') return undefined;
        options.logger.warn(`could not read the saved ${options.what}`, { code: errnoOf(err) ?? 'unknown' });
        return undefined;
      }
      if (text.length > maxBytes) return discard('it is larger than it can be');
      let envelope: z.infer<typeof EnvelopeSchema>;
      try {
        const parsed = EnvelopeSchema.safeParse(JSON.parse(text));
        if (!parsed.success) return discard('it is not a sealed file this version can read');
        envelope = parsed.data;
      } catch {
        return discard('it is not a sealed file');
      }
      let stored: Buffer | undefined;
      try {
        stored = parseKey(await options.keys.read());
      } catch (err) {
        // The file stays: a later run with a keychain may still open it.
        return noKeychain(err);
      }
      if (!stored) return discard('its key is no longer in the keychain');
      if (keyIdOf(stored) !== envelope.keyId) return discard('it was sealed with a key the keychain no longer holds');
      key = stored;
      let plain: string;
      try {
        const iv = Buffer.from(envelope.iv, 'base64');
        const tag = Buffer.from(envelope.tag, 'base64');
        if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return discard('it is damaged');
        const decipher = createDecipheriv('aes-256-gcm', stored, iv);
        decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        plain = Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        return discard('it could not be decrypted (damaged or altered)');
      }
      let value: unknown;
      try {
        value = JSON.parse(plain);
      } catch {
        return discard('its content is not valid');
      }
      const checked = options.schema.safeParse(value);
      if (!checked.success) return discard('its content is not valid');
      return checked.data;
    },

    async save(value) {
      const sealingKey = await keyForWriting();
      if (!sealingKey) return;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealingKey, iv);
      cipher.setAAD(aad);
      const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      const envelope: z.infer<typeof EnvelopeSchema> = {
        format: FORMAT,
        version: 1,
        alg: 'AES-256-GCM',
        keyId: keyIdOf(sealingKey),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
      await writeAtomically(path, `${JSON.stringify(envelope)}\n`);
    },
  };
}
