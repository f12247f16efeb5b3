import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamCommand, ListTagsForStreamCommand, TagStreamCommand, UntagStreamCommand } from '@aws-sdk/client-kinesis-video';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index';
import { CLIP_FILE, controlPlane, rejection, startTestEmulator, type Emulator } from './support';

let emulator: Emulator;
let advance: (ms: number) => void;
let freeze: () => void;
let unfreeze: () => void;

beforeAll(async () => {
  ({ emulator, advance, freeze, unfreeze } = await startTestEmulator({
    cameras: [
      { name: 'tagged-cam', file: CLIP_FILE, tags: { site: 'lab', zone: 'bench' } },
      { name: 'plain-cam', file: CLIP_FILE },
      { name: 'limit-cam', file: CLIP_FILE },
      { name: 'quota-cam', file: CLIP_FILE },
    ],
  }));
});
afterAll(() => emulator?.stop());

const tagsOf = async (StreamName: string) => (await controlPlane(emulator).send(new ListTagsForStreamCommand({ StreamName }))).Tags;

describe('stream tags', () => {
  it('starts cameras with the tags they were given, and none otherwise', async () => {
    expect(await tagsOf('tagged-cam')).toEqual({ site: 'lab', zone: 'bench' });
    expect(await tagsOf('plain-cam')).toEqual({});
  });

  it('adds, replaces and removes tags, by name or by ARN', async () => {
    const kv = controlPlane(emulator);
    const arn = (await kv.send(new DescribeStreamCommand({ StreamName: 'plain-cam' }))).StreamInfo?.StreamARN;
    await kv.send(new TagStreamCommand({ StreamName: 'plain-cam', Tags: { site: 'hq', zone: 'lobby', note: '' } }));
    await kv.send(new TagStreamCommand({ StreamARN: arn, Tags: { zone: 'reception' } }));
    const listed = await kv.send(new ListTagsForStreamCommand({ StreamARN: arn }));
    expect(listed.Tags).toEqual({ site: 'hq', zone: 'reception', note: '' });
    expect(listed.NextToken).toBeUndefined();
    // A key the stream does not have is ignored.
    await kv.send(new UntagStreamCommand({ StreamName: 'plain-cam', TagKeyList: ['note', 'no-such-key'] }));
    expect(await tagsOf('plain-cam')).toEqual({ site: 'hq', zone: 'reception' });
  });

  it('keeps at most 50 tags per stream: TagsPerResourceExceededLimitException, nothing applied', async () => {
    const kv = controlPlane(emulator);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${i}`, `value-${i}`]));
    await kv.send(new TagStreamCommand({ StreamName: 'limit-cam', Tags: fifty }));
    // Replacing existing keys stays within the limit.
    await kv.send(new TagStreamCommand({ StreamName: 'limit-cam', Tags: { 'key-0': 'changed' } }));
    const over = await rejection(kv.send(new TagStreamCommand({ StreamName: 'limit-cam', Tags: { 'key-0': 'again', 'one-more': 'x' } })));
    expect(over.name).toBe('TagsPerResourceExceededLimitException');
    expect(over.message).toBe('You have exceeded the limit of tags that you can associate with the resource. A Kinesis video stream can support up to 50 tags.');
    expect(over.$metadata?.httpStatusCode).toBe(400);
    const tags = await tagsOf('limit-cam');
    expect(Object.keys(tags ?? {})).toHaveLength(50);
    expect(tags?.['key-0']).toBe('changed');
    expect(tags?.['one-more']).toBeUndefined();
  });

  it('checks key and value lengths and the request shape', async () => {
    const kv = controlPlane(emulator);
    const longKey = await rejection(kv.send(new TagStreamCommand({ StreamName: 'plain-cam', Tags: { ['k'.repeat(129)]: 'v' } })));
    expect(longKey.name).toBe('InvalidArgumentException');
    expect(longKey.message).toContain('Tags.');
    await kv.send(new TagStreamCommand({ StreamName: 'plain-cam', Tags: { ['k'.repeat(128)]: 'v'.repeat(256) } }));
    const longValue = await rejection(kv.send(new TagStreamCommand({ StreamName: 'plain-cam', Tags: { k: 'v'.repeat(257) } })));
    expect(longValue.name).toBe('InvalidArgumentException');
    expect(longValue.message).toContain('less than or equal to 256');
    const none = await rejection(kv.send(new TagStreamCommand({ StreamName: 'plain-cam', Tags: {} })));
    expect(none.name).toBe('InvalidArgumentException');
    const noKeys = await rejection(kv.send(new UntagStreamCommand({ StreamName: 'plain-cam', TagKeyList: [] })));
    expect(noKeys.name).toBe('InvalidArgumentException');
    expect(noKeys.message).toContain("'TagKeyList'");
    const tooManyKeys = await rejection(kv.send(new UntagStreamCommand({ StreamName: 'plain-cam', TagKeyList: Array.from({ length: 51 }, (_, i) => `k${i}`) })));
    expect(tooManyKeys.name).toBe('InvalidArgumentException');
    const token = await rejection(kv.send(new ListTagsForStreamCommand({ StreamName: 'plain-cam', NextToken: 'bm90LWEtdG9rZW4=' })));
    expect(token.name).toBe('InvalidArgumentException');
    const neither = await rejection(kv.send(new ListTagsForStreamCommand({})));
    expect(neither.name).toBe('InvalidArgumentException');
  });

  it('answers ResourceNotFoundException for a stream that does not exist', async () => {
    const kv = controlPlane(emulator);
    for (const command of [
      new ListTagsForStreamCommand({ StreamName: 'nope' }),
      new TagStreamCommand({ StreamName: 'nope', Tags: { a: 'b' } }),
      new UntagStreamCommand({ StreamName: 'nope', TagKeyList: ['a'] }),
      new ListTagsForStreamCommand({ StreamARN: 'arn:aws:kinesisvideo:us-west-2:123456789012:stream/nope/1' }),
    ]) {
      const error = await rejection(kv.send(command as ListTagsForStreamCommand));
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.$metadata?.httpStatusCode).toBe(404);
    }
  });

  it('stores the tags CreateStream is given, and forgets them with the stream', async () => {
    const kv = controlPlane(emulator);
    const { StreamARN } = await kv.send(new CreateStreamCommand({ StreamName: 'created', DataRetentionInHours: 1, Tags: { owner: 'tests' } }));
    expect(await tagsOf('created')).toEqual({ owner: 'tests' });
    await kv.send(new DeleteStreamCommand({ StreamARN }));
    expect((await rejection(kv.send(new ListTagsForStreamCommand({ StreamName: 'created' })))).name).toBe('ResourceNotFoundException');
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect((await rejection(kv.send(new CreateStreamCommand({ StreamName: 'created', Tags: tooMany })))).name).toBe('TagsPerResourceExceededLimitException');
  });

  it('limits each tag API to 5 calls per second per stream', async () => {
    const kv = controlPlane(emulator);
    advance(2000);
    freeze();
    try {
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => kv.send(new ListTagsForStreamCommand({ StreamName: 'quota-cam' }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect(results.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'ClientLimitExceededException')).toHaveLength(1);
      // Another API has its own 5.
      await kv.send(new TagStreamCommand({ StreamName: 'quota-cam', Tags: { a: 'b' } }));
    } finally {
      unfreeze();
    }
    expect(emulator.control.counters().throttled['quota-cam']).toEqual({ listTagsForStream: 1 });
  });

  it('refuses camera tags KVS would not accept', async () => {
    await expect(startEmulator({ cameras: [{ name: 'bad', file: CLIP_FILE, tags: { ['x'.repeat(129)]: 'v' } }] })).rejects.toThrow(/camera 'bad' has a tag key of 129 characters/);
    await expect(startEmulator({ cameras: [{ name: 'bad', file: CLIP_FILE, tags: { k: 'v'.repeat(257) } }] })).rejects.toThrow(/camera 'bad' has a value of 257 characters/);
  });
});

describe('the demo cameras', () => {
  it('carry the tags listed in emulator/clips/cameras.json, codec cameras included', async () => {
    const listing = JSON.parse(await readFile(join(import.meta.dirname, '../../../emulator/clips/cameras.json'), 'utf8')) as Array<{ slug: string; subStreamOf?: string; tags: Record<string, string> }>;
    expect(listing.map((c) => c.slug)).toEqual(expect.arrayContaining(['rooftop', 'reception', 'intercom']));
    const demo = await startEmulator({ codecCameras: true });
    try {
      const kv = controlPlane(demo as Emulator);
      for (const { slug, tags } of listing.filter((c) => c.subStreamOf === undefined)) {
        const out = await kv.send(new ListTagsForStreamCommand({ StreamName: slug }));
        expect(out.Tags, slug).toEqual(tags);
        expect(Object.keys(out.Tags ?? {}).sort()).toEqual(['floor', 'site', 'zone']);
      }
    } finally {
      await demo.stop();
    }
  });
});

describe('the demo cameras with sub-streams', () => {
  it('serve each sub-stream as a stream of its own, named by its camera\'s kvs-wall:sub-stream tag', async () => {
    const demo = await startEmulator({ subStreams: true });
    try {
      const kv = controlPlane(demo as Emulator);
      expect((await kv.send(new ListTagsForStreamCommand({ StreamName: 'lobby' }))).Tags).toEqual({ site: 'hq', zone: 'reception', floor: 'ground', 'kvs-wall:sub-stream': 'lobby-sub' });
      expect((await kv.send(new ListTagsForStreamCommand({ StreamName: 'lobby-sub' }))).Tags).toEqual({ site: 'hq', zone: 'reception', floor: 'ground' });
      expect((await kv.send(new ListTagsForStreamCommand({ StreamName: 'gate-2' }))).Tags?.['kvs-wall:sub-stream']).toBeUndefined();
      for (const name of ['lobby-sub', 'loading-dock-sub', 'parking-north-sub']) {
        expect((await kv.send(new DescribeStreamCommand({ StreamName: name }))).StreamInfo).toMatchObject({ StreamName: name, MediaType: 'video/h264', Status: 'ACTIVE' });
      }
    } finally {
      await demo.stop();
    }
  });

  it('are not served unless asked, and are for the demo cameras only', async () => {
    const demo = await startEmulator({});
    try {
      await expect(controlPlane(demo as Emulator).send(new DescribeStreamCommand({ StreamName: 'lobby-sub' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      await demo.stop();
    }
    await expect(startEmulator({ cameras: 2, subStreams: true })).rejects.toThrow(/subStreams applies to the default demo cameras only/);
  });
});
