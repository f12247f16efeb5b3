import { connect } from 'node:net';
import { DescribeStreamCommand, ListStreamsCommand, ListTagsForStreamCommand, TagStreamCommand, UntagStreamCommand } from '@aws-sdk/client-kinesis-video';
import { GetDASHStreamingSessionURLCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archivedMedia, cameras, controlPlane, errorOf, recordResponses, rejection, startTestEmulator, sts, withRawBody, type Emulator } from './support';

let emulator: Emulator;

beforeAll(async () => {
  ({ emulator } = await startTestEmulator({ cameras: cameras('cam-a') }));
});
afterAll(() => emulator?.stop());

async function stillServes(): Promise<void> {
  const out = await controlPlane(emulator).send(new ListStreamsCommand({}));
  expect(out.StreamInfoList?.map((s) => s.StreamName)).toEqual(['cam-a']);
}

/** Sends raw bytes on a fresh connection and returns the first response line. */
function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('end', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(data.split('\r\n')[0] ?? '');
    });
  });
}

describe('emulator under bad input', () => {
  it('answers a signed but malformed JSON body with 400 SerializationException', async () => {
    for (const body of ['{"StreamName": ', '[1,2,3]', '"just a string"', '\u0000\u0001garbage']) {
      const error = await rejection(withRawBody(controlPlane(emulator), body).send(new ListStreamsCommand({})));
      expect(error.name).toBe('SerializationException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
    await stillServes();
  });

  it('names the field when a value has the wrong type', async () => {
    const kv = controlPlane(emulator);
    const maxResults = await rejection(kv.send(new ListStreamsCommand({ MaxResults: 'ten' as never })));
    expect(maxResults.name).toBe('InvalidArgumentException');
    expect(maxResults.message).toContain("'MaxResults'");
    const streamName = await rejection(kv.send(new DescribeStreamCommand({ StreamName: 42 as never })));
    expect(streamName.name).toBe('InvalidArgumentException');
    expect(streamName.message).toContain("'StreamName'");
    const nested = await rejection(
      withRawBody(archivedMedia(emulator), JSON.stringify({ StreamName: 'cam-a', PlaybackMode: 'ON_DEMAND', DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: 'yesterday', EndTimestamp: 5 } } })).send(
        new GetDASHStreamingSessionURLCommand({ StreamName: 'cam-a' }),
      ),
    );
    expect(nested.name).toBe('InvalidArgumentException');
    expect(nested.message).toContain('DASHFragmentSelector.TimestampRange.StartTimestamp');
    await stillServes();
  });

  it('answers an unknown operation with 404 UnknownOperationException', async () => {
    for (const [method, path] of [
      ['POST', '/deleteEverything'],
      ['POST', '/'],
      ['GET', '/listStreams'],
      ['PUT', '/listStreams'],
      ['POST', '/__proto__'],
      ['POST', '/constructor'],
    ] as const) {
      const res = await fetch(`${emulator.url}${path}`, { method, ...(method !== 'GET' && { body: '{}' }) });
      const error = await errorOf(res);
      expect(error.status, `${method} ${path}`).toBe(404);
      expect(error.type).toBe('UnknownOperationException');
    }
    await stillServes();
  });

  it('refuses a body over 1 MB with 413 and keeps serving', async () => {
    const res = await fetch(`${emulator.url}/listStreams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}` });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    await stillServes();
  });

  it('refuses a chunked body that grows past 1 MB', async () => {
    const big = new Uint8Array(1100 * 1024).fill(97);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 64 * 1024) controller.enqueue(big.subarray(i, i + 64 * 1024));
        controller.close();
      },
    });
    const res = await fetch(`${emulator.url}/listStreams`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    await stillServes();
  });

  it('answers path tricks with 404 and never serves a file', async () => {
    for (const path of [
      '/dash/v1/../../etc/passwd',
      '/dash/v1/%2e%2e/%2e%2e/etc/passwd',
      '/dash/v1/..%2f..%2fetc%2fpasswd',
      '/dash/v1/getDASHManifest.mpd/../../../package.json',
      '//etc/passwd',
      '/dash/v1/getDASHManifest.mpd%00.txt',
      '/dash/v1/',
      '/dash/v2/getDASHManifest.mpd',
      '/emulator/clips/lobby.mp4',
    ]) {
      const res = await fetch(`${emulator.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    const raw = await rawExchange(Number(new URL(emulator.url).port), 'GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 (400|404)/);
    await stillServes();
  });

  it('answers garbage on the socket with 400 and keeps serving', async () => {
    const port = Number(new URL(emulator.url).port);
    expect(await rawExchange(port, 'THIS IS NOT HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d/);
    await stillServes();
  });

  it('refuses invalid session tokens with 403 NotAuthorizedException', async () => {
    for (const query of ['', '?SessionToken=', '?SessionToken=abc', `?SessionToken=Ci${'A'.repeat(100)}~`, '?SessionToken=%00%ff', `?SessionToken=${'x'.repeat(5000)}`]) {
      for (const file of ['getDASHManifest.mpd', 'getMP4InitFragment.mp4', 'getMP4MediaFragment.mp4']) {
        const error = await errorOf(await fetch(`${emulator.url}/dash/v1/${file}${query}`));
        expect(error.status, `${file}${query}`).toBe(403);
        expect(error.type).toBe('NotAuthorizedException');
        expect(error.body.__type).toBe('NotAuthorizedException');
      }
    }
    await stillServes();
  });

  it('answers malformed STS queries with STS errors in XML and keeps serving', async () => {
    for (const [body, code] of [
      ['\u0000\u0001garbage', 'MissingAction'],
      ['Action=__proto__&Version=2011-06-15', 'InvalidAction'],
      ['Action=constructor&Version=2011-06-15', 'InvalidAction'],
      ['Action=getCallerIdentity&Version=2011-06-15', 'InvalidAction'],
      ['Action=%ZZ%&Version=2011-06-15', 'InvalidAction'],
      ['Action=GetCallerIdentity', 'InvalidAction'],
      ['Action=GetCallerIdentity&Version=2011-06-15&Extra=1', 'ValidationError'],
      ['Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=ok&DurationSeconds=1e3', 'ValidationError'],
      ['Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=ok&DurationSeconds=99999999999999999999', 'ValidationError'],
      ['Action=AssumeRole&Version=2011-06-15', 'ValidationError'],
    ] as const) {
      const { client, responses } = recordResponses(withRawBody(sts(emulator), body));
      const error = await rejection(client.send(new GetCallerIdentityCommand({})));
      expect(error.name, body).toBe(code);
      expect(error.$metadata?.httpStatusCode, body).toBe(400);
      expect(responses[0]?.body, body).toMatch(/^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
    }
    await stillServes();
  });

  it('escapes what it echoes into STS XML', async () => {
    const name = 'a<b>&"\'</Message>';
    const error = await rejection(sts(emulator).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/R', RoleSessionName: name })));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain(`Value '${name}' at 'roleSessionName'`);
    await stillServes();
  });

  it('refuses an STS body over 1 MB with 413 in XML and keeps serving', async () => {
    const res = await fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `Action=GetCallerIdentity&Version=2011-06-15&X=${'a'.repeat(2 * 1024 * 1024)}` });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('<Code>RequestEntityTooLarge</Code>');
    await stillServes();
  });

  it('names the field of a malformed tag request and keeps a __proto__ key as a plain tag', async () => {
    const kv = controlPlane(emulator);
    for (const [body, field] of [
      ['{"StreamName":"cam-a","Tags":["a","b"]}', "'Tags'"],
      ['{"StreamName":"cam-a","Tags":"a=b"}', "'Tags'"],
      ['{"StreamName":"cam-a","Tags":{"a":{"nested":"x"}}}', "'Tags.a'"],
      ['{"StreamName":"cam-a","Tags":{"a":7}}', "'Tags.a'"],
      ['{"StreamName":"cam-a","Tags":null}', "'Tags'"],
      ['{"StreamName":"cam-a"}', "'Tags'"],
    ] as const) {
      const error = await rejection(withRawBody(controlPlane(emulator), body).send(new TagStreamCommand({ StreamName: 'cam-a', Tags: { a: 'b' } })));
      expect(error.name, body).toBe('InvalidArgumentException');
      expect(error.message, body).toContain(field);
    }
    for (const body of ['{"StreamName":"cam-a","TagKeyList":"a"}', '{"StreamName":"cam-a","TagKeyList":[1]}', '{"StreamName":"cam-a","TagKeyList":[""]}']) {
      const error = await rejection(withRawBody(controlPlane(emulator), body).send(new UntagStreamCommand({ StreamName: 'cam-a', TagKeyList: ['a'] })));
      expect(error.name, body).toBe('InvalidArgumentException');
      expect(error.message, body).toContain('TagKeyList');
    }
    await withRawBody(controlPlane(emulator), '{"StreamName":"cam-a","Tags":{"__proto__":"kept","constructor":"too"}}').send(new TagStreamCommand({ StreamName: 'cam-a', Tags: { a: 'b' } }));
    const { client, responses } = recordResponses(kv);
    await client.send(new ListTagsForStreamCommand({ StreamName: 'cam-a' }));
    expect(responses[0]?.body).toBe('{"Tags":{"__proto__":"kept","constructor":"too"}}');
    // The emulator runs in this process: nothing leaked into Object.prototype.
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).kept).toBeUndefined();
    await stillServes();
  });
});
