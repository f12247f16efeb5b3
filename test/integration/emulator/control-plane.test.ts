import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  GetDataEndpointCommand,
  ListStreamsCommand,
  type StreamInfo,
} from '@aws-sdk/client-kinesis-video';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlane, rejection, startTestEmulator, type Emulator } from './support';

let emulator: Emulator;
let freeze: () => void;
let unfreeze: () => void;

beforeAll(async () => {
  ({ emulator, freeze, unfreeze } = await startTestEmulator());
});
afterAll(() => emulator?.stop());

async function listAll(pageSize: number, prefix?: string): Promise<{ names: string[]; pages: number; tokens: string[] }> {
  const kv = controlPlane(emulator);
  const names: string[] = [];
  const tokens: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await kv.send(
      new ListStreamsCommand({
        MaxResults: pageSize,
        NextToken: token,
        ...(prefix !== undefined && { StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: prefix } }),
      }),
    );
    pages++;
    names.push(...(out.StreamInfoList ?? []).map((s) => s.StreamName ?? ''));
    token = out.NextToken;
    if (token) tokens.push(token);
  } while (token && pages < 100);
  return { names, pages, tokens };
}

describe('emulator control plane (real SDK over HTTP)', () => {
  it('lists the demo cameras as ACTIVE H.264 streams', async () => {
    const out = await controlPlane(emulator).send(new ListStreamsCommand({}));
    const list = out.StreamInfoList ?? [];
    expect(list.map((s) => s.StreamName).sort()).toEqual([...emulator.cameras].sort());
    expect(emulator.cameras.length).toBeGreaterThanOrEqual(2);
    for (const s of list) {
      expect(s.Status).toBe('ACTIVE');
      expect(s.MediaType).toBe('video/h264');
      expect(s.DataRetentionInHours).toBeGreaterThan(0);
    }
    expect(out.NextToken).toBeUndefined();
  });

  it('pages ListStreams with opaque NextTokens and filters by prefix', async () => {
    const kv = controlPlane(emulator);
    for (const name of ['paging-a', 'paging-b', 'paging-c', 'other-z']) {
      await kv.send(new CreateStreamCommand({ StreamName: name, DataRetentionInHours: 1, MediaType: 'video/h264' }));
    }
    const all = await listAll(10000);
    const paged = await listAll(2);
    expect(paged.names).toEqual(all.names);
    expect(paged.pages).toBe(Math.ceil(all.names.length / 2));
    for (const t of paged.tokens) expect(t).toMatch(/^[a-zA-Z0-9+/=]+$/);

    const prefixed = await listAll(1, 'paging-');
    expect(prefixed.names).toEqual(['paging-a', 'paging-b', 'paging-c']);
    expect(prefixed.pages).toBe(3);

    const none = await listAll(5, 'no-such-prefix');
    expect(none.names).toEqual([]);
  });

  it('rejects a forged NextToken and an out-of-range MaxResults', async () => {
    const kv = controlPlane(emulator);
    const forged = await rejection(kv.send(new ListStreamsCommand({ NextToken: Buffer.from('hello').toString('base64') })));
    expect(forged.name).toBe('InvalidArgumentException');
    const big = await rejection(kv.send(new ListStreamsCommand({ MaxResults: 10001 })));
    expect(big.name).toBe('InvalidArgumentException');
    expect(big.message).toContain('MaxResults');
    const zero = await rejection(kv.send(new ListStreamsCommand({ MaxResults: 0 })));
    expect(zero.name).toBe('InvalidArgumentException');
  });

  it('describes a stream by name and by ARN with KVS-shaped fields', async () => {
    const kv = controlPlane(emulator);
    const name = emulator.cameras[0] ?? '';
    const byName = (await kv.send(new DescribeStreamCommand({ StreamName: name }))).StreamInfo as StreamInfo;
    expect(byName.StreamName).toBe(name);
    expect(byName.StreamARN).toMatch(new RegExp(`^arn:aws:kinesisvideo:${emulator.region}:[0-9]{12}:stream/${name}/[0-9]{13}$`));
    expect(byName.CreationTime).toBeInstanceOf(Date);
    expect(byName.CreationTime?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(byName.Version).toMatch(/^[a-z]{20}$/);
    const byArn = (await kv.send(new DescribeStreamCommand({ StreamARN: byName.StreamARN }))).StreamInfo;
    expect(byArn).toEqual(byName);
  });

  it('raises ResourceNotFoundException for unknown streams and InvalidArgumentException without a stream', async () => {
    const kv = controlPlane(emulator);
    const missing = await rejection(kv.send(new DescribeStreamCommand({ StreamName: 'does-not-exist' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.$metadata?.httpStatusCode).toBe(404);
    const noRef = await rejection(kv.send(new DescribeStreamCommand({})));
    expect(noRef.name).toBe('InvalidArgumentException');
    const badArn = await rejection(kv.send(new DescribeStreamCommand({ StreamARN: 'arn:aws:kinesisvideo:us-west-2:123456789012:stream/nope/1' })));
    expect(badArn.name).toBe('ResourceNotFoundException');
  });

  it('returns its own origin from GetDataEndpoint and validates APIName', async () => {
    const kv = controlPlane(emulator);
    const StreamName = emulator.cameras[0] ?? '';
    for (const APIName of ['GET_DASH_STREAMING_SESSION_URL', 'LIST_FRAGMENTS'] as const) {
      const out = await kv.send(new GetDataEndpointCommand({ StreamName, APIName }));
      expect(out.DataEndpoint).toBe(emulator.url);
    }
    const missing = await rejection(kv.send(new GetDataEndpointCommand({ StreamName } as never)));
    expect(missing.name).toBe('InvalidArgumentException');
    expect(missing.message).toContain('APIName');
    const wrong = await rejection(kv.send(new GetDataEndpointCommand({ StreamName, APIName: 'GET_EVERYTHING' as never })));
    expect(wrong.name).toBe('InvalidArgumentException');
    expect(wrong.message).toContain('APIName');
  });

  it('throttles GetDataEndpoint beyond 5 calls per second per stream', async () => {
    const kv = controlPlane(emulator);
    const StreamName = emulator.cameras[1] ?? '';
    freeze();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => kv.send(new GetDataEndpointCommand({ StreamName, APIName: 'GET_DASH_STREAMING_SESSION_URL' }))),
    );
    unfreeze();
    const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'ClientLimitExceededException');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(throttled).toHaveLength(3);
  });

  it('creates and deletes streams with KVS semantics', async () => {
    const kv = controlPlane(emulator);
    const { StreamARN } = await kv.send(new CreateStreamCommand({ StreamName: 'setup-stream', DataRetentionInHours: 2, MediaType: 'video/h264', DeviceName: 'cam-1' }));
    expect(StreamARN).toContain(':stream/setup-stream/');
    const dup = await rejection(kv.send(new CreateStreamCommand({ StreamName: 'setup-stream' })));
    expect(dup.name).toBe('ResourceInUseException');
    const info = (await kv.send(new DescribeStreamCommand({ StreamName: 'setup-stream' }))).StreamInfo;
    expect(info?.DataRetentionInHours).toBe(2);
    expect(info?.DeviceName).toBe('cam-1');
    const stale = await rejection(kv.send(new DeleteStreamCommand({ StreamARN, CurrentVersion: 'wrongversion' })));
    expect(stale.name).toBe('VersionMismatchException');
    await kv.send(new DeleteStreamCommand({ StreamARN, CurrentVersion: info?.Version }));
    const gone = await rejection(kv.send(new DescribeStreamCommand({ StreamName: 'setup-stream' })));
    expect(gone.name).toBe('ResourceNotFoundException');
    const badName = await rejection(kv.send(new CreateStreamCommand({ StreamName: 'bad name!' })));
    expect(badName.name).toBe('InvalidArgumentException');
    expect(badName.message).toContain('StreamName');
  });
});
