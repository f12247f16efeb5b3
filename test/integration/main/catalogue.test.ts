import { CreateStreamCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from '../../../main/accounts/demo';
import { capturingLogger, startTestEmulator, tempDir, type TestEmulator } from './helpers';
import { createServices } from './services';

/**
 * The demo account is the one account that needs no keychain, so these run anywhere; it points at a
 * per-suite emulator. Extra streams are created through the real control-plane API.
 */
let emulator: TestEmulator;
let dir: { path: string; remove: () => Promise<void> };
let services: ReturnType<typeof createServices>;
let demoStarts = 0;

const EXTRA = ['door-1', 'door-2', 'door-3', 'door-4', 'door-5', 'door-6', 'door-7', 'yard-1', 'yard-2'];

beforeAll(async () => {
  emulator = await startTestEmulator();
  const admin = new KinesisVideoClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.credentials });
  for (const name of EXTRA) await admin.send(new CreateStreamCommand({ StreamName: name, MediaType: 'video/h264', DataRetentionInHours: 24 }));
  await admin.send(new CreateStreamCommand({ StreamName: 'zero-retention', MediaType: 'video/h264', DataRetentionInHours: 0 }));
  await admin.send(new CreateStreamCommand({ StreamName: 'vp8-cam', MediaType: 'video/vp8', DataRetentionInHours: 24 }));
  admin.destroy();
  dir = await tempDir('catalogue');
  services = createServices({
    dir: dir.path,
    logger: capturingLogger().logger,
    demo: {
      ensureStarted: async () => {
        demoStarts++;
        return { endpoint: emulator.url, region: emulator.region, ...emulator.credentials };
      },
    },
  });
});
afterAll(async () => {
  await services?.close();
  await emulator?.stop();
  await dir?.remove();
});

const accountId = DEMO_ACCOUNT_ID;

describe('stream catalogue against the emulator', () => {
  it('pages through every stream with the AWS next-token', async () => {
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await services.catalogue.list({ accountId, maxResults: 4, ...(nextToken ? { nextToken } : {}) });
      expect(page.fromCache).toBe(false);
      expect(page.streams.length).toBeLessThanOrEqual(4);
      names.push(...page.streams.map((s) => s.name));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    const all = [...emulator.cameras, ...EXTRA, 'zero-retention', 'vp8-cam'].sort();
    expect(names.sort()).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 4));
  });

  it('filters by prefix with BEGINS_WITH', async () => {
    const page = await services.catalogue.list({ accountId, prefix: 'door-', refresh: true });
    expect(page.streams.map((s) => s.name)).toEqual(['door-1', 'door-2', 'door-3', 'door-4', 'door-5', 'door-6', 'door-7']);
    expect(page.nextToken).toBeUndefined();
  });

  it('marks streams that cannot play, with the reason', async () => {
    const page = await services.catalogue.list({ accountId, refresh: true });
    const byName = new Map(page.streams.map((s) => [s.name, s]));
    expect(byName.get('zero-retention')).toMatchObject({ playable: false, unplayableReason: 'keeps no media — data retention is 0 hours' });
    expect(byName.get('vp8-cam')).toMatchObject({ playable: false, unplayableReason: 'media type video/vp8 is not H.264 or H.265 video' });
    for (const camera of emulator.cameras) expect(byName.get(camera)).toMatchObject({ playable: true, status: 'ACTIVE' });
  });

  it('describes one stream', async () => {
    const info = await services.catalogue.describe({ accountId, streamName: 'yard-2' });
    expect(info).toMatchObject({ name: 'yard-2', status: 'ACTIVE', retentionHours: 24, playable: true });
    expect(info.arn).toMatch(/^arn:aws:kinesisvideo:.*:stream\/yard-2\//);
    await expect(services.catalogue.describe({ accountId, streamName: 'no-such-stream' })).rejects.toMatchObject({
      appError: { code: 'ResourceNotFoundException', message: expect.stringMatching(/not found in this account and region/) },
    });
  });

  it('reuses a fresh page without calling AWS, and refresh asks again', async () => {
    await services.catalogue.list({ accountId, prefix: 'yard', refresh: true });
    emulator.control.resetCounters();
    const again = await services.catalogue.list({ accountId, prefix: 'yard' });
    expect(again.fromCache).toBe(false);
    expect(emulator.control.counters().requests.listStreams ?? 0).toBe(0);
    await services.catalogue.list({ accountId, prefix: 'yard', refresh: true });
    expect(emulator.control.counters().requests.listStreams).toBe(1);
  });

  it('keeps the catalogue on disk and serves it with fromCache when the service is down', async () => {
    const online = await services.catalogue.list({ accountId, prefix: 'door-', refresh: true });
    const onDisk = await readFile(join(dir.path, 'cache', `streams-${accountId}.json`), 'utf8');
    expect(onDisk).toContain('door-7');

    emulator.control.failNext('listStreams', 10, 503);
    const outage = await services.catalogue.list({ accountId, prefix: 'door-', refresh: true });
    expect(outage).toEqual({ ...online, fromCache: true });
    emulator.control.clearFaults();

    await emulator.stop();
    const offline = await services.catalogue.list({ accountId, prefix: 'door-', refresh: true });
    expect(offline.fromCache).toBe(true);
    expect(offline.streams.map((s) => s.name)).toEqual(online.streams.map((s) => s.name));
    expect(offline.fetchedAt).toBe(online.fetchedAt);
    expect(await services.catalogue.describe({ accountId, streamName: 'door-3' })).toMatchObject({ name: 'door-3' });

    // A query never fetched before has nothing to fall back on: the network error is reported.
    await expect(services.catalogue.list({ accountId, prefix: 'never-seen', refresh: true })).rejects.toMatchObject({ appError: { code: 'NetworkError', retryable: true } });
    expect(demoStarts).toBeGreaterThan(0);
  });
});
