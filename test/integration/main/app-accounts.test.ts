import { KinesisVideoClient, TagStreamCommand } from '@aws-sdk/client-kinesis-video';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../../main/compose';
import type { CallName, CallRequest, CallResponse, EventName } from '../../../shared/contract';
import { memoryVault } from '../../support/memory-vault';
import { capturingLogger, startTestEmulator, tempDir, type TestEmulator } from './helpers';

const sender = { id: 'window-1', url: 'http://127.0.0.1/' };

async function call<N extends CallName>(core: AppCore, name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
  const reply = await core.dispatch(name, request, sender);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as CallResponse<N>;
}

/** The accounts calls through the whole app (contract validation, handlers, the real broker and ledger). */
describe('accounts through the app', () => {
  let emulator: TestEmulator;
  let dir: { path: string; remove: () => Promise<void> };
  let core: AppCore;
  let events: Array<{ name: EventName; payload: unknown }>;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(async () => {
    dir = await tempDir('app-accounts');
    core = await createAppCore({ userDataDir: dir.path, shell: 'browser', demo: false, vault: memoryVault(), logger: capturingLogger().logger });
    events = [];
    core.events.subscribe(sender.id, (name, payload) => void events.push({ name, payload }));
  });
  afterEach(async () => {
    await core.dispose();
    await dir.remove();
  });

  const addEmulator = () =>
    call(core, 'accounts.add', { name: 'Emulator', region: emulator.region, accessKeyId: emulator.credentials.accessKeyId, secretAccessKey: emulator.credentials.secretAccessKey, endpoint: emulator.url });

  it('Test connection checks the DASH permission with a real session made through the broker, so the ledger counts it', async () => {
    const account = await addEmulator();
    const before = emulator.control.sessions().length;
    const report = await call(core, 'accounts.test', { id: account.id });
    const dash = report.checks.find((c) => c.check === 'GetDASHStreamingSessionURL');
    expect(dash).toMatchObject({ status: 'passed', detail: expect.stringMatching(/^A live session on \S+ was created \(it counts against the stream's quota/) });
    // One session at the service …
    expect(emulator.control.sessions(report.stream!)).toHaveLength(1);
    expect(emulator.control.sessions().length).toBe(before + 1);
    // … and in the ledger, so the app counts it against the stream's budget until it expires.
    const ledger = await readFile(join(dir.path, 'sessions-ledger.json'), 'utf8');
    expect(ledger).toContain(account.id);
    expect(ledger).toContain(report.stream!);
    expect(events.some((e) => e.name === 'session.budget' && (e.payload as { used: number }).used === 1)).toBe(true);
  });

  it('accounts.changed says whether the identity changed; a rename does not, a region change does', async () => {
    const account = await addEmulator();
    expect(events.filter((e) => e.name === 'accounts.changed').map((e) => e.payload)).toEqual([{ accountId: account.id, change: 'added', identityChanged: true }]);
    events.length = 0;
    await call(core, 'accounts.update', { id: account.id, name: 'Front desk' });
    await call(core, 'accounts.update', { id: account.id, region: 'eu-west-1' });
    await call(core, 'accounts.remove', { id: account.id });
    expect(events.filter((e) => e.name === 'accounts.changed').map((e) => e.payload)).toEqual([
      { accountId: account.id, change: 'updated', identityChanged: false },
      { accountId: account.id, change: 'updated', identityChanged: true },
      { accountId: account.id, change: 'removed', identityChanged: true },
    ]);
  });

  it('credential trouble is published as accounts.status and listed; Retry asks again', async () => {
    const account = await call(core, 'accounts.add', { kind: 'profile', name: 'Missing profile', region: emulator.region, profile: 'not-configured-anywhere', endpoint: emulator.url });
    const reply = await core.dispatch('streams.all', { accountId: account.id }, sender);
    expect(reply).toMatchObject({ ok: false, error: { code: 'ProfileNotFound', retryable: true } });
    const published = events.filter((e) => e.name === 'accounts.status').map((e) => e.payload);
    expect(published).toEqual([expect.objectContaining({ accountId: account.id, state: 'action', action: expect.stringMatching(/^Add it/) })]);
    expect(await call(core, 'accounts.status', {})).toEqual([expect.objectContaining({ accountId: account.id, state: 'action' })]);
    expect(await call(core, 'accounts.retry', { id: account.id })).toMatchObject({ accountId: account.id, state: 'action', error: { code: 'ProfileNotFound' } });
  });

  it('temporary keys typed into the form that expire: AWS refuses them, and the account says to replace them (they cannot renew)', async () => {
    const sts = new STSClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.credentials });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${emulator.accountId}:role/KvsViewer`, RoleSessionName: 'typed', DurationSeconds: 2 }));
    sts.destroy();
    const account = await call(core, 'accounts.add', { name: 'Typed', region: emulator.region, accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken!, endpoint: emulator.url });
    expect((await call(core, 'streams.all', { accountId: account.id })).streams.length).toBe(emulator.cameras.length);
    await new Promise((r) => setTimeout(r, 2500));
    const refused = await core.dispatch('streams.all', { accountId: account.id, refresh: true }, sender);
    // Retryable: once the account's keys are replaced, the same call works.
    expect(refused).toMatchObject({ ok: false, error: { code: 'ExpiredTokenException', retryable: true } });
    expect(events.filter((e) => e.name === 'accounts.status').map((e) => e.payload).at(-1)).toMatchObject({
      accountId: account.id,
      state: 'action',
      action: expect.stringMatching(/^Edit the account and enter fresh temporary keys, or use an AWS profile/),
    });
  });

  it('the whole catalogue and its tags come through the contract', async () => {
    const account = await addEmulator();
    const all = await call(core, 'streams.all', { accountId: account.id });
    expect(all).toMatchObject({ truncated: false, fromCache: false });
    expect(all.streams.map((s) => s.name).sort()).toEqual([...emulator.cameras].sort());
    emulator.control.resetCounters();
    const tags = await call(core, 'streams.tags', { accountId: account.id, streamNames: all.streams.map((s) => s.name) });
    expect(Object.keys(tags.tags).sort()).toEqual([...emulator.cameras].sort());
    expect(tags.tags['warehouse']).toEqual({ site: 'depot-east', zone: 'storage', floor: 'ground' });
    expect(emulator.control.counters().requests.listTagsForStream).toBe(emulator.cameras.length);
    // Fresh tags come from the on-disk cache: no second round of calls.
    await call(core, 'streams.tags', { accountId: account.id, streamNames: ['warehouse', 'lobby'] });
    expect(emulator.control.counters().requests.listTagsForStream).toBe(emulator.cameras.length);
    // A tag added in AWS shows on Refresh.
    const admin = new KinesisVideoClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.credentials });
    await admin.send(new TagStreamCommand({ StreamName: 'lobby', Tags: { camera: 'entrance' } }));
    admin.destroy();
    const refreshed = await call(core, 'streams.tags', { accountId: account.id, streamNames: ['lobby'], refresh: true });
    expect(refreshed.tags['lobby']).toMatchObject({ camera: 'entrance' });
  });
});
