import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../../main/compose';
import type { CallName, CallRequest, CallResponse, EventName } from '../../../shared/contract';
import { capturingLogger, tempDir } from './helpers';
import { memoryVault } from '../../support/memory-vault';

const sender = { id: 'window-1', url: 'http://127.0.0.1/' };


async function call<N extends CallName>(core: AppCore, name: N, request: CallRequest<N>): Promise<CallResponse<N>> {
  const reply = await core.dispatch(name, request, sender);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as CallResponse<N>;
}

// Truncated mid-write, with something the user would not want echoed back in a banner.
const CORRUPT_WALLS = '{"version":1,"data":[{"id":"lobby","name":"Front desk — secret-ish-note",';
const FUTURE_SETTINGS = JSON.stringify({ version: 99, data: { sessionExpiresSeconds: 900, hologram: true } });

describe('stored files set aside are shown to the user through the contract', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let core: AppCore | undefined;
  let events: Array<{ name: EventName; payload: unknown }>;

  beforeEach(async () => {
    dir = await tempDir('notices');
    events = [];
  });
  afterEach(async () => {
    await core?.dispose();
    core = undefined;
    await dir.remove();
  });

  async function start(): Promise<AppCore> {
    core = await createAppCore({ userDataDir: dir.path, shell: 'browser', demo: false, vault: memoryVault(), logger: capturingLogger().logger });
    core.events.subscribe(sender.id, (name, payload) => void events.push({ name, payload }));
    return core;
  }

  it('lists nothing when every file is readable', async () => {
    await writeFile(join(dir.path, 'walls.json'), JSON.stringify({ version: 1, data: [] }));
    const app = await start();
    expect(await call(app, 'walls.list', {})).toEqual([]);
    expect(await call(app, 'app.notices', {})).toEqual([]);
    expect(events.filter((e) => e.name === 'app.notice')).toEqual([]);
  });

  it('lists a corrupt walls.json and a future settings.json, keeps their bytes, and forgets a notice once dismissed', async () => {
    await writeFile(join(dir.path, 'walls.json'), CORRUPT_WALLS);
    await writeFile(join(dir.path, 'settings.json'), FUTURE_SETTINGS);
    const app = await start();

    // settings.json was read while composing, before anyone could subscribe: listed, not evented.
    expect(await call(app, 'walls.list', {})).toEqual([]);
    const notices = await call(app, 'app.notices', {});
    expect(notices).toEqual([
      { id: expect.any(String), file: 'settings.json', movedTo: expect.stringMatching(/^settings\.json\.future-\d{8}T\d{9}Z$/), reason: 'future-version', at: expect.any(Number) },
      { id: expect.any(String), file: 'walls.json', movedTo: expect.stringMatching(/^walls\.json\.corrupt-\d{8}T\d{9}Z$/), reason: 'corrupt', at: expect.any(Number) },
    ]);
    const [settingsNotice, wallsNotice] = notices as [CallResponse<'app.notices'>[number], CallResponse<'app.notices'>[number]];
    expect(settingsNotice.id).not.toBe(wallsNotice.id);
    // walls.json was read on demand, after the window subscribed: it heard about it as it happened.
    expect(events.filter((e) => e.name === 'app.notice').map((e) => e.payload)).toEqual([wallsNotice]);

    // Nothing lost: the original bytes are in the moved-aside files, and nothing the file said leaks.
    expect(await readFile(join(dir.path, wallsNotice.movedTo), 'utf8')).toBe(CORRUPT_WALLS);
    expect(await readFile(join(dir.path, settingsNotice.movedTo), 'utf8')).toBe(FUTURE_SETTINGS);
    await expect(access(join(dir.path, 'walls.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(JSON.stringify(notices)).not.toContain('secret-ish-note');
    expect(JSON.stringify(notices)).not.toContain(dir.path);

    // Saving a wall writes a fresh walls.json next to the kept copy, never over it.
    await call(app, 'walls.save', { id: 'w1', name: 'New wall', grid: 2, tiles: [] });
    expect((await readdir(dir.path)).filter((n) => n.startsWith('walls.json')).sort()).toEqual(['walls.json', wallsNotice.movedTo]);
    expect(await readFile(join(dir.path, wallsNotice.movedTo), 'utf8')).toBe(CORRUPT_WALLS);

    expect(await call(app, 'app.dismissNotice', { id: wallsNotice.id })).toEqual({ dismissed: true });
    expect(await call(app, 'app.notices', {})).toEqual([settingsNotice]);
    expect(await call(app, 'app.dismissNotice', { id: wallsNotice.id })).toEqual({ dismissed: false });
    expect(await call(app, 'app.dismissNotice', { id: 'no-such-notice' })).toEqual({ dismissed: false });
    expect(await call(app, 'app.dismissNotice', { id: settingsNotice.id })).toEqual({ dismissed: true });
    expect(await call(app, 'app.notices', {})).toEqual([]);
  });
});
